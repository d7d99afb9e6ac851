"""The roadmap report and the 3-month action plan, for leadership (page, PDF and cache)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from starlette.requests import Request

from app import i18n
from app.assessments import results
from app.assessments import service as assessments_service
from app.i18n import N_
from app.models import Membership, Team
from app.reports.assessment import REPORT_FONT
from app.roadmap import page
from app.roadmap import service as roadmap_service
from app.roadmap.catalogue import builtin_catalogue
from app.teams import capacity, coverage
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
    roadmap = roadmap_service.get(session, team_id=team.id)
    if roadmap is None:
        return None
    i18n.current_locale.set(locale)
    view = roadmap_service.view(session, roadmap=roadmap)
    context: dict[str, Any] = {
        "kind": kind,
        "team": team,
        "view": view,
        "plan": view.plan,
        "locale": locale,
        "pdf": pdf,
        "request": request,
        "organisation_name": organisation_name,
        "current_user": None,
        "roles": page.role_names(locale),
        "groups": page.phase_groups(view, locale),
        "title_of": lambda item_id: page.title_of(view, item_id, locale),
        "key_results": {
            kr.id: kr.text.get(locale) for c in builtin_catalogue().capabilities for kr in c.key_results
        },
        "stylesheet": "css/report.css"
        if pdf or request is None
        else str(request.url_for("static", path="css/report.css")),
        "gantt": _gantt(view, locale, pdf),
        **_standing(session, view.version.assessment_id, team, locale, pdf),
        **_people(session, team),
    }
    return templates().get_template("reports/roadmap.html").render(context)


def _gantt(view: roadmap_service.RoadmapView, locale: str, pdf: bool) -> Markup:
    title = i18n.gettext(N_("Roadmap: items by month, coloured by status"))
    chart = page.chart(
        view,
        locale=locale,
        title=title,
        today=view.version.generated_at.date(),
        font_family=REPORT_FONT if pdf else None,
    )
    return Markup(chart)  # noqa: S704 - the Gantt builder escapes every label


def _standing(
    session: Session, assessment_id: int | None, team: Team, locale: str, pdf: bool
) -> dict[str, Any]:
    """Where the team stands: the results of the assessment the plan was made from."""
    if assessment_id is None:
        return {"standing": None, "radar": None, "biggest_gaps": []}
    assessment = assessments_service.get(session, assessment_id=assessment_id)
    standing = results.build(session, assessment=assessment, organisation_id=team.organisation_id)
    chart = results.radar(standing, locale=locale, font_family=REPORT_FONT if pdf else None)
    gaps = sorted(
        ((standing.targets[c.dimension_id] - (c.level or 0.0), c) for c in standing.results.capabilities),
        key=lambda pair: (-pair[0], pair[1].id),
    )
    biggest = [(gap, standing.capability(c.id)) for gap, c in gaps[:3] if gap > 0]
    return {"standing": standing, "radar": chart, "biggest_gaps": biggest}


def _people(session: Session, team: Team) -> dict[str, Any]:
    members = session.scalars(
        select(Membership).options(joinedload(Membership.user)).where(Membership.team_id == team.id)
    ).all()
    pairs = [(m.team_roles, m.capacity) for m in members]
    return {
        "members": sorted(members, key=lambda m: m.user.name),
        "person_weeks": capacity.team_person_weeks_per_month(m.capacity for m in members),
        "role_gaps": coverage.gaps(pairs),
    }
