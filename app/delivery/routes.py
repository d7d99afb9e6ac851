"""The delivery metrics page of a team: release frequency, lead times and revert share of each source,
their trends over the synced history (server-drawn SVG, no script) and how each is measured."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.auth.permissions import Action
from app.delivery import service, view
from app.deps import SessionDep, TeamContext, team_context
from app.kit.time import utcnow
from app.signals.view import age
from app.web import locale_of, render

router = APIRouter(include_in_schema=False)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]


@router.get("/teams/{team_id}/delivery", name="team_delivery")
def delivery_page(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """Each source's delivery metrics with their trends; what to do when there is nothing to show."""
    locale = locale_of(request)
    now = utcnow()
    rows = service.team_delivery(session, team_id=ctx.team.id, now=now, tz=ctx.user.timezone)
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "rows": [(row, view.metrics(row, locale=locale)) for row in rows],
        "days": service.DAYS,
        "age": lambda moment: age(moment, locale=locale, now=now),
    }
    return render(request, "delivery/page.html", context)
