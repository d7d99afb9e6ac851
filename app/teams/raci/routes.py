"""The RACI page: a team's matrix, which managers edit in place, cell by cell."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.errors import BadInput
from app.i18n import N_
from app.kit import htmx
from app.teams import roles
from app.teams.raci import rules as raci
from app.teams.raci import service as raci_service
from app.users.forms import FieldError
from app.web import redirect, render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
Manager = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]


def _raci_context(ctx: TeamContext, matrix: raci_service.TeamMatrix) -> dict[str, Any]:
    return {
        "ctx": ctx,
        "team": ctx.team,
        "matrix": matrix,
        "letters": raci.LETTERS,
        "role_label": roles.label,
    }


@router.get("/teams/{team_id}/raci", name="team_raci")
def team_raci(request: Request, session: SessionDep, ctx: Viewer) -> Response:
    """The team's RACI matrix; managers edit it in place."""
    matrix = raci_service.matrix(session, team=ctx.team)
    return render(request, "teams/raci.html", _raci_context(ctx, matrix))


@router.post("/teams/{team_id}/raci/cell", name="raci_cell")
def raci_cell(
    request: Request,
    session: SessionDep,
    ctx: Manager,
    capability: Annotated[str, Form(max_length=80)] = "",
    role: Annotated[str, Form(max_length=80)] = "",
    letter: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Set one cell; htmx gets the row back (with its check), a plain form goes back to the page."""
    try:
        matrix = raci_service.set_cell(
            session, team=ctx.team, capability_id=capability, role=role, letter=letter, actor=ctx.user
        )
    except FieldError as exc:
        raise BadInput(exc.message, field=exc.field) from None
    row = next(row for row in matrix.rows if row.id == capability)
    context = {**_raci_context(ctx, matrix), "row": row}
    if htmx.is_htmx(request):
        return render(request, "teams/raci.html", context, block="row")
    url = str(request.url_for("team_raci", team_id=ctx.team.id)) + f"#raci-{capability}"
    return redirect(url, flash=N_("RACI saved."), request=request)


@router.post("/teams/{team_id}/raci/reset", name="raci_reset")
def raci_reset(request: Request, session: SessionDep, ctx: Manager) -> Response:
    """Go back to the default matrix (after the page asked for confirmation)."""
    raci_service.reset(session, team=ctx.team, actor=ctx.user)
    url = str(request.url_for("team_raci", team_id=ctx.team.id))
    return redirect(url, flash=N_("The RACI matrix is back to the defaults."), request=request)
