"""The roadmap report and the 3-month action plan of one team, for leadership (page, PDF and cache)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from app import i18n
from app.kit.time import utcnow
from app.models import Team
from app.okrs import service as okrs_service
from app.reports import teams as team_reports
from app.reviews.view import Labels
from app.roadmap import view as roadmap_view
from app.teams import service as teams_service
from app.web import templates

KINDS = ("roadmap", "action-plan")


def html(
    session: Session,
    *,
    team: Team,
    kind: str,
    locale: str,
    organisation_name: str,
    pdf: bool,
    request: Request | None = None,
) -> str | None:
    """The report, or None when the team has no roadmap yet."""
    loaded = teams_service.with_members(session, team_id=team.id)
    (report,) = team_reports.gather(session, teams=[loaded], locale=locale, pdf=pdf, today=utcnow().date())
    if report.view is None:
        return None
    context = shared_context(locale=locale, pdf=pdf, request=request, organisation_name=organisation_name)
    context |= {
        "kind": kind,
        "team": team,
        "r": report,
        "model_names": roadmap_view.model_names(session, locale),
    }
    return templates().get_template("reports/roadmap.html").render(context)


def shared_context(
    *, locale: str, pdf: bool, request: Request | None, organisation_name: str
) -> dict[str, Any]:
    """What every roadmap-style report template reads besides the teams themselves."""
    i18n.current_locale.set(locale)
    return {
        "locale": locale,
        "pdf": pdf,
        "request": request,
        "organisation_name": organisation_name,
        "current_user": None,
        "roles": roadmap_view.role_names(locale),
        "title_of": lambda view, item_id: roadmap_view.title_of(view, item_id, locale),
        "status_label": okrs_service.status_label,
        "key_results": roadmap_view.key_result_texts(locale),
        "pattern_names": Labels(locale).patterns,
        "stylesheet": "css/report.css"
        if pdf or request is None
        else str(request.url_for("static", path="css/report.css")),
    }
