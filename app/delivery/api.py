"""JSON API for a team's delivery metrics (/api/v1): the same figures as the page, for whoever may
see the team."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from app import i18n
from app.auth.permissions import Action
from app.delivery import service, view
from app.delivery.schemas import DeliveryMetricsOut, SourceMetricsOut
from app.deps import SessionDep, TeamContext, team_context
from app.kit.time import utcnow
from app.web import locale_of

router = APIRouter(prefix="/api/v1", tags=["delivery"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((401, 403, 404, 422), PROBLEM)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]


@router.get("/teams/{team_id}/delivery-metrics", responses=ERRORS)
def delivery_metrics(request: Request, session: SessionDep, ctx: ViewTeam) -> DeliveryMetricsOut:
    """Each source's release frequency, lead times and revert share: latest value, Four Keys bucket and
    one point per day over the last 180 days (days in the user's time zone)."""
    locale = locale_of(request)
    rows = service.team_delivery(session, team_id=ctx.team.id, now=utcnow(), tz=ctx.user.timezone)
    sources = [
        SourceMetricsOut.of(
            row, view.metrics(row, locale=locale, with_chart=False), i18n.gettext(row.error_words)
        )
        for row in rows
    ]
    return DeliveryMetricsOut(team_id=ctx.team.id, days=service.DAYS, sources=sources)
