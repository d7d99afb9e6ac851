"""JSON API for OKRs (/api/v1): a team's objectives for a quarter, linking a key result to a signal, and
check-ins on key results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.auth.permissions import Action
from app.deps import CurrentUser, SessionDep, TeamContext, load_team_context, team_context
from app.kit import limits
from app.kit.time import utcnow
from app.models import KeyResult
from app.okrs import service
from app.okrs.schemas import CheckInIn, CheckInOut, KeyResultChange, KeyResultOut, ObjectiveOut

router = APIRouter(prefix="/api/v1", tags=["okrs"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 401, 403, 404, 422), PROBLEM)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
Period = Annotated[limits.Period | None, Query(description="e.g. 2027-Q1; default: this quarter")]


@router.get("/teams/{team_id}/okrs", responses=ERRORS)
def list_okrs(session: SessionDep, ctx: ViewTeam, period: Period = None) -> list[ObjectiveOut]:
    """The team's objectives for a quarter with their key results, in order."""
    quarter = period or service.current_period(utcnow().date())
    found = service.team_status(session, team_ids=[ctx.team.id], period=quarter)
    return [ObjectiveOut.of(o) for o in found[ctx.team.id]]


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
    """Link a key result to a signal, or unlink it (`null`): each good sync of the team's sources then
    checks in on it. 422 with `field: "signal"` for a key the catalogue does not know or that does not
    fit the key result's kind."""
    service.set_signal(session, key_result=kr, signal=body.signal, user=user)
    return KeyResultOut.of(service.key_result_status(kr))
