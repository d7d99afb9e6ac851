"""Target pages: a team's targets per dimension, and (for admins) the organisation's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.assessments import service
from app.assessments.targets import service as targets
from app.auth.permissions import Action
from app.deps import AdminUser, SessionDep, TeamContext, team_context
from app.errors import BadInput
from app.i18n import N_
from app.maturity import service as maturity_service
from app.models import Team, User
from app.web import redirect, render

router = APIRouter(include_in_schema=False)
ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]


@dataclass(frozen=True)
class Scope:
    """Whose targets a page shows: one team's, or the organisation's defaults (team None)."""

    organisation_id: int
    team: Team | None
    editable: bool
    page: str  # route name of the page, for links and redirects

    def url(self, request: Request) -> str:
        params = {"team_id": self.team.id} if self.team else {}
        return str(request.url_for(self.page, **params))


async def form_fields(request: Request) -> dict[str, str]:
    """Every text field of a posted form (for forms whose field names come from data)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


Fields = Annotated[dict[str, str], Depends(form_fields)]


def _team_scope(ctx: TeamContext) -> Scope:
    return Scope(ctx.team.organisation_id, ctx.team, ctx.can(Action.MANAGE), "team_targets")


def _organisation_scope(session: SessionDep) -> Scope:
    return Scope(targets.organisation_id(session), None, True, "organisation_targets")


@router.get("/teams/{team_id}/targets", name="team_targets")
def team_targets(request: Request, session: SessionDep, ctx: ViewTeam, model: str = "") -> Response:
    """Target level per dimension for the team, beside the organisation default."""
    return _page(request, session, _team_scope(ctx), model)


@router.post("/teams/{team_id}/targets", name="save_team_targets")
def save_team_targets(request: Request, session: SessionDep, ctx: ManageTeam, form: Fields) -> Response:
    """Save the team's targets; an empty choice falls back to the organisation default."""
    return _save(request, session, _team_scope(ctx), form, ctx.user)


@router.get("/admin/targets", name="organisation_targets")
def organisation_targets(
    request: Request, session: SessionDep, admin: AdminUser, model: str = ""
) -> Response:
    """The organisation's default target per dimension, used by every team that sets none."""
    return _page(request, session, _organisation_scope(session), model)


@router.post("/admin/targets", name="save_organisation_targets")
def save_organisation_targets(
    request: Request, session: SessionDep, admin: AdminUser, form: Fields
) -> Response:
    """Save the organisation's defaults; an empty choice falls back to level 3."""
    return _save(request, session, _organisation_scope(session), form, admin)


def _page(
    request: Request,
    session: SessionDep,
    scope: Scope,
    slug: str,
    status: int = 200,
    error: BadInput | None = None,
) -> Response:
    models = maturity_service.latest_all(session)
    row = next((m for m in models if m.slug == slug), models[0] if models else None)
    levels = {}
    if row is not None:
        team_id = scope.team.id if scope.team else None
        own = targets.own_levels(
            session, organisation_id=scope.organisation_id, team_id=team_id, model_slug=row.slug
        )
        defaults = targets.own_levels(
            session, organisation_id=scope.organisation_id, team_id=None, model_slug=row.slug
        )
        levels = {"own": own, "defaults": {} if scope.team is None else defaults}
    context = {
        "scope": scope,
        "models": models,
        "model": maturity_service.parsed(row) if row else None,
        "error": error,
        "own": levels.get("own", {}),
        "defaults": levels.get("defaults", {}),
        "fallback": targets.DEFAULT_TARGET,
        "save_url": scope.url(request),
    }
    return render(request, "assessments/targets.html", context, status_code=status)


def _save(request: Request, session: SessionDep, scope: Scope, form: dict[str, str], user: User) -> Response:
    slug = form.get("model", "")
    row = maturity_service.latest(session, slug=slug)
    if row is None:
        return _page(
            request, session, scope, slug, 422, BadInput(N_("Choose a maturity model."), field="model")
        )
    try:
        wanted = service.parse_target_levels(maturity_service.parsed(row), form)
    except BadInput as error:
        return _page(request, session, scope, slug, 422, error)
    team_id = scope.team.id if scope.team else None
    targets.save(
        session,
        organisation_id=scope.organisation_id,
        team_id=team_id,
        model_slug=slug,
        wanted=wanted,
        user=user,
    )
    return redirect(f"{scope.url(request)}?model={slug}", request=request, flash=N_("Targets saved."))
