"""A team's dashboard: its levels by area over the quarters, and what changed between two of its
assessments, answer by answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.assessments import service as assessments_service
from app.auth.permissions import Action
from app.dashboard import filters
from app.dashboard import view as page
from app.dashboard.team import service
from app.deps import SessionDep, TeamContext, team_context
from app.errors import BadInput
from app.i18n import N_
from app.web import locale_of, render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
Field = Annotated[str, Query(max_length=20)]


@router.get("/dashboard/teams/{team_id}", name="dashboard_team")
def team_dashboard(
    request: Request,
    session: SessionDep,
    ctx: Viewer,
    model: Annotated[str | None, Query(max_length=80)] = None,
    since: Field = "",
    until: Field = "",
) -> Response:
    """One team's levels by area quarter by quarter, with a form to compare two of its assessments."""
    wanted = filters.parse(filters.Query(since=since, until=until))
    found = service.history(session, team=ctx.team, model_slug=model, filters=wanted)
    locale = locale_of(request)
    title = page.translated(N_("Level by area of %(team)s, by quarter"), locale, team=ctx.team.name)
    chart = page.area_chart(found.periods, found.levels, found.dimensions, title=title, locale=locale)
    context = {"team": ctx.team, "history": found, "chart": chart, "filters": wanted}
    return render(request, "dashboard/team.html", context, status_code=422 if found.errors else 200)


@router.get("/dashboard/teams/{team_id}/diff", name="dashboard_team_diff")
def team_diff(
    request: Request,
    session: SessionDep,
    ctx: Viewer,
    first: Annotated[str, Query(alias="from", max_length=20)] = "",
    second: Annotated[str, Query(alias="to", max_length=20)] = "",
) -> Response:
    """Which answers and levels differ between two of the team's assessments, and who gave them."""
    context = {
        "team": ctx.team,
        "assessments": assessments_service.list_for_team(session, team_id=ctx.team.id),
    }
    try:
        found = service.compare_answers(session, team=ctx.team, first_id=_id(first), second_id=_id(second))
    except BadInput as error:
        picked = {"from": _id(first), "to": _id(second)}
        context |= {"diff": None, "errors": {error.field: error}, "picked": picked}
        return render(request, "dashboard/diff.html", context, status_code=error.status_code)
    picked = {"from": found.first.id, "to": found.second.id}
    return render(request, "dashboard/diff.html", context | {"diff": found, "errors": {}, "picked": picked})


def _id(value: str) -> int | None:
    """An assessment id as typed (anything else is no assessment, refused by the service)."""
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 12 else None
