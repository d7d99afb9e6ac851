"""JSON API for targets (/api/v1): a team's target level per dimension of a maturity model (its managers
set them), and the organisation's defaults (admins), as on the target pages."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from app.assessments import service
from app.assessments.targets import service as targets
from app.assessments.targets.schemas import TargetsIn, TargetsOut
from app.auth.permissions import Action
from app.deps import AdminUser, SessionDep, TeamContext, team_context
from app.errors import NotFound
from app.i18n import N_
from app.kit import limits
from app.maturity import service as maturity_service
from app.models import MaturityModelVersion, User

router = APIRouter(prefix="/api/v1", tags=["targets"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 401, 403, 404, 422), PROBLEM)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
ModelSlug = Annotated[limits.Slug, Path(description="a maturity model's slug, e.g. playbook-base")]


def _model(session: Session, slug: str) -> MaturityModelVersion:
    row = maturity_service.latest(session, slug=slug)
    if row is None:
        raise NotFound(N_("There is no such maturity model."), field="model")
    return row


def _out(
    session: Session, organisation_id: int, team_id: int | None, model: MaturityModelVersion
) -> TargetsOut:
    """The targets set at this level, the organisation's defaults (for a team) and those in effect."""
    dimensions = [d.id for d in maturity_service.parsed(model).dimensions]
    at = functools.partial(
        targets.own_levels, session, organisation_id=organisation_id, model_slug=model.slug
    )
    merged = targets.levels(session, organisation_id=organisation_id, team_id=team_id, model_slug=model.slug)
    return TargetsOut(
        model=model.slug,
        team_id=team_id,
        targets=targets.with_fallback(merged, dimensions),
        own=at(team_id=team_id),
        defaults=at(team_id=None) if team_id is not None else {},
    )


def _save(
    session: Session,
    organisation_id: int,
    team_id: int | None,
    row: MaturityModelVersion,
    body: TargetsIn,
    user: User,
) -> None:
    wanted = service.target_levels(maturity_service.parsed(row), body.levels)
    targets.save(
        session,
        organisation_id=organisation_id,
        team_id=team_id,
        model_slug=row.slug,
        wanted=wanted,
        user=user,
    )


@router.get("/teams/{team_id}/targets/{model}", responses=ERRORS)
def read_team_targets(model: ModelSlug, session: SessionDep, ctx: ViewTeam) -> TargetsOut:
    """The team's targets per dimension, beside the organisation's defaults."""
    return _out(session, ctx.team.organisation_id, ctx.team.id, _model(session, model))


@router.put("/teams/{team_id}/targets/{model}", responses=ERRORS)
def put_team_targets(model: ModelSlug, body: TargetsIn, session: SessionDep, ctx: ManageTeam) -> TargetsOut:
    """Set the team's targets (managers); a dimension left out or null falls back to the default."""
    row = _model(session, model)
    _save(session, ctx.team.organisation_id, ctx.team.id, row, body, ctx.user)
    return _out(session, ctx.team.organisation_id, ctx.team.id, row)


@router.get("/targets/{model}", responses=ERRORS)
def read_organisation_targets(model: ModelSlug, session: SessionDep, admin: AdminUser) -> TargetsOut:
    """The organisation's default targets (admins), used by every team that sets none."""
    row = _model(session, model)
    return _out(session, targets.organisation_id(session), None, row)


@router.put("/targets/{model}", responses=ERRORS)
def put_organisation_targets(
    model: ModelSlug, body: TargetsIn, session: SessionDep, admin: AdminUser
) -> TargetsOut:
    """Set the organisation's defaults (admins); a dimension left out or null falls back to level 3."""
    row = _model(session, model)
    organisation_id = targets.organisation_id(session)
    _save(session, organisation_id, None, row, body, admin)
    return _out(session, organisation_id, None, row)
