"""JSON API for OKRs (/api/v1): a team's objectives for a quarter; creating, changing and deleting
objectives and key results (the pages' rules: the same service functions); linking a key result to a
signal; and check-ins on key results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from app.auth.permissions import Action
from app.deps import CurrentUser, SessionDep, TeamContext, load_team_context, team_context
from app.errors import BadInput
from app.i18n import N_
from app.kit import limits
from app.kit.time import utcnow
from app.models import KeyResult, Objective
from app.okrs import service
from app.okrs.schemas import (
    CheckInIn,
    CheckInOut,
    KeyResultChange,
    KeyResultIn,
    KeyResultOut,
    ObjectiveChange,
    ObjectiveIn,
    ObjectiveOut,
)

router = APIRouter(prefix="/api/v1", tags=["okrs"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 401, 403, 404, 409, 422), PROBLEM)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
Period = Annotated[limits.Period | None, Query(description="e.g. 2027-Q1; default: this quarter")]


@router.get("/teams/{team_id}/okrs", responses=ERRORS)
def list_okrs(session: SessionDep, ctx: ViewTeam, period: Period = None) -> list[ObjectiveOut]:
    """The team's objectives for a quarter with their key results, in order."""
    today = utcnow().date()
    quarter = period or service.current_period(today)
    found = service.team_status(session, team_ids=[ctx.team.id], period=quarter, today=today)
    return [ObjectiveOut.of(o) for o in found[ctx.team.id]]


def _objective_out(session: SessionDep, objective: Objective) -> ObjectiveOut:
    session.expire_all()  # read back what was just changed (an owner's name, the key results)
    fresh = service.get_objective(session, objective_id=objective.id)
    return ObjectiveOut.of(service.objective_status(fresh, today=utcnow().date()))


def _title(text: str) -> str:
    title = text.strip()
    if not title:
        raise BadInput(N_("Give it a title."), field="title")
    return title


@router.post("/teams/{team_id}/objectives", status_code=201, responses=ERRORS)
def create_objective(body: ObjectiveIn, session: SessionDep, ctx: ManageTeam) -> ObjectiveOut:
    """Add an objective to the team (managers): 422 naming the field for an owner outside the team,
    dates that do not start in the quarter or end before they start, or another quarter's organisation
    objective."""
    period = body.period or service.current_period(body.starts_on or utcnow().date())
    data = service.ObjectiveInput(
        _title(body.title),
        body.description.strip(),
        body.owner_id,
        body.starts_on,
        body.ends_on,
        body.org_objective_id,
    )
    row = service.create_objective(session, team_id=ctx.team.id, period=period, data=data, user=ctx.user)
    return _objective_out(session, row)


def _objective(action: Action) -> Callable[..., Objective]:
    """A dependency for routes with an `objective_id` path parameter: the objective (key results loaded),
    if the caller may do `action` in its team (404 when they may not see the team)."""

    def dependency(objective_id: limits.RowId, session: SessionDep, user: CurrentUser) -> Objective:
        objective = service.get_objective(session, objective_id=objective_id)
        load_team_context(session, user=user, team_id=objective.team_id, action=action)
        return objective

    dependency.access = action  # type: ignore[attr-defined]
    return dependency


ManageObjective = Annotated[Objective, Depends(_objective(Action.MANAGE))]


@router.patch("/objectives/{objective_id}", responses=ERRORS)
def change_objective(
    body: ObjectiveChange, session: SessionDep, user: CurrentUser, objective: ManageObjective
) -> ObjectiveOut:
    """Change an objective (managers): the fields sent, with the rules of a new one; `reopened` opens a
    closed objective to check-ins again (or closes it again)."""
    sent = body.model_fields_set
    definition = sent - {"reopened"}
    if definition:
        data = service.ObjectiveInput(
            title=_title(body.title) if "title" in sent else objective.title,
            description=body.description.strip() if "description" in sent else objective.description,
            owner_id=body.owner_id if "owner_id" in sent else objective.owner_id,
            starts_on=body.starts_on if "starts_on" in sent else objective.starts_on,
            ends_on=body.ends_on if "ends_on" in sent else objective.ends_on,
            org_objective_id=body.org_objective_id
            if "org_objective_id" in sent
            else objective.org_objective_id,
        )
        service.update_objective(session, objective=objective, data=data, user=user)
    if "reopened" in sent and body.reopened:
        service.reopen(session, objective=objective, user=user, now=utcnow())
    elif "reopened" in sent:
        service.close(session, objective=objective, user=user)
    return _objective_out(session, objective)


@router.delete("/objectives/{objective_id}", status_code=204, responses=ERRORS)
def delete_objective(session: SessionDep, user: CurrentUser, objective: ManageObjective) -> Response:
    """Delete an objective with its key results and their check-ins (managers)."""
    service.delete_objective(session, objective=objective, user=user)
    return Response(status_code=204)


@router.post("/objectives/{objective_id}/key-results", status_code=201, responses=ERRORS)
def create_key_result(
    body: KeyResultIn, session: SessionDep, user: CurrentUser, objective: ManageObjective
) -> KeyResultOut:
    """Add a key result to an objective (managers): 422 naming the field for a target equal to the start
    or against the direction, a due date outside the objective's days, or an owner outside the team."""
    data = _key_result_input(body, body.model_fields_set, None)
    row = service.create_key_result(session, objective=objective, data=data, user=user)
    return _key_result_out(session, row.id)


def _key_result(action: Action) -> Callable[..., KeyResult]:
    """A dependency for routes with a `key_result_id` path parameter: the key result, if the caller may do
    `action` in its team (404 when they may not see the team); `.access` declares the rule."""

    def dependency(key_result_id: limits.RowId, session: SessionDep, user: CurrentUser) -> KeyResult:
        kr = service.get_key_result(session, key_result_id=key_result_id)
        load_team_context(session, user=user, team_id=kr.objective.team_id, action=action)
        return kr

    dependency.access = action  # type: ignore[attr-defined]
    return dependency


CheckInKeyResult = Annotated[KeyResult, Depends(_key_result(Action.CHECK_IN))]
ManageKeyResult = Annotated[KeyResult, Depends(_key_result(Action.MANAGE))]


@router.post("/key-results/{key_result_id}/check-ins", status_code=201, responses=ERRORS)
def create_check_in(
    body: CheckInIn, session: SessionDep, user: CurrentUser, kr: CheckInKeyResult
) -> CheckInOut:
    """Record a check-in (team members); sending the same `client_token` again returns the first one."""
    data = service.CheckInInput(body.value, body.confidence, body.note.strip(), body.client_token)
    row = service.check_in(session, key_result=kr, data=data, user=user, now=utcnow())
    return CheckInOut(
        id=row.id,
        key_result_id=kr.id,
        value=row.value,
        confidence=row.confidence,
        note=row.note,
        source=row.source,
        created_at=row.created_at,
        created_by_id=row.created_by_id,
        key_result=KeyResultOut.of(service.key_result_status(kr)),
    )


@router.patch("/key-results/{key_result_id}", responses=ERRORS)
def change_key_result(
    body: KeyResultChange, session: SessionDep, user: CurrentUser, kr: ManageKeyResult
) -> KeyResultOut:
    """Change a key result (managers): the fields sent. `signal` links it to a signal, or unlinks it
    (`null`): each good sync of the team's sources then checks in on it; 422 with `field: "signal"` for a
    key the catalogue does not know or that does not fit the key result's kind. The other fields follow
    the rules of a new key result."""
    sent = body.model_fields_set
    if sent - {"signal"}:
        data = _key_result_input(body, sent, kr)
        team_id = kr.objective.team_id
        service.update_key_result(session, key_result=kr, team_id=team_id, data=data, user=user)
    if "signal" in sent:
        service.set_signal(session, key_result=kr, signal=body.signal, user=user)
    return _key_result_out(session, kr.id)


@router.delete("/key-results/{key_result_id}", status_code=204, responses=ERRORS)
def delete_key_result(session: SessionDep, user: CurrentUser, kr: ManageKeyResult) -> Response:
    """Delete a key result with its check-ins (managers)."""
    service.delete_key_result(session, key_result=kr, user=user)
    return Response(status_code=204)


def _key_result_input(
    body: KeyResultIn | KeyResultChange, sent: set[str], kr: KeyResult | None
) -> service.KeyResultInput:
    """The body's fields over the key result's own (for a change), as the service takes them."""

    def pick(field: str, current: object) -> Any:
        return getattr(body, field) if field in sent or kr is None else current

    kind = pick("kind", kr.kind if kr else None)
    unit = pick("unit", kr.unit if kr else None).strip()
    moved = {"start_value", "target_value"} & sent
    direction = (
        pick("direction", kr.direction if kr else None) if ("direction" in sent or not moved) else None
    )
    return service.KeyResultInput(
        title=_title(pick("title", kr.title if kr else None)),
        kind=kind,
        start=pick("start_value", kr.start_value if kr else None),
        target=pick("target_value", kr.target_value if kr else None),
        unit="%" if kind == "percentage" else unit,
        owner_id=pick("owner_id", kr.owner_id if kr else None),
        direction=direction,
        due_on=pick("due_on", kr.due_on if kr else None),
    )


def _key_result_out(session: SessionDep, key_result_id: int) -> KeyResultOut:
    session.expire_all()  # read back what was just changed (an owner's name)
    kr = service.get_key_result(session, key_result_id=key_result_id)
    dates = service.objective_dates(kr.objective)
    return KeyResultOut.of(service.key_result_status(kr, dates=dates, today=utcnow().date()))
