"""The assessment report's HTML, for the page, the PDF download and `hoshin report`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from app import i18n
from app.assessments import service
from app.assessments import view as results
from app.models import Assessment, Team
from app.web import templates

# Unquoted on purpose: WeasyPrint's SVG text keeps only the first family of a quoted list.
REPORT_FONT = "Report Latin, Report JP, Report Arrows, Report Math, Report Marks, sans-serif"


def data_time(assessment: Assessment) -> datetime:
    """When the report's data last changed: the same data always gives the same document."""
    moments = [assessment.created_at, assessment.submitted_at, *(a.answered_at for a in assessment.answers)]
    return max(moment for moment in moments if moment is not None)


def _prepared(assessment: Assessment, view: results.ResultsView) -> datetime:
    """When the data the report shows last changed, the evidence's latest sync and review included."""
    moments = [data_time(assessment), view.evidence.synced_at, view.evidence.reviewed_at]
    return max(moment for moment in moments if moment is not None)


def html(
    session: Session,
    *,
    assessment: Assessment,
    team: Team,
    locale: str,
    organisation_name: str,
    pdf: bool,
    request: Request | None = None,
    viewer: Any = None,
) -> str:
    """Render the report (its links need `request` only for the page version)."""
    i18n.current_locale.set(locale)
    view = results.build(session, assessment=assessment, organisation_id=team.organisation_id)
    chart = results.radar(view, locale=locale, font_family=REPORT_FONT if pdf else None)
    answers = {a.question_id: a for a in assessment.answers}
    stylesheet = (
        "css/report.css" if pdf or request is None else str(request.url_for("static", path="css/report.css"))
    )
    context: dict[str, Any] = {
        "request": request,
        "view": view,
        "team": team,
        "answers": answers,
        "pdf": pdf,
        "locale": locale,
        "people": service.people_names(session, answers=list(answers.values())),
        "radar": chart,
        "generated_at": _prepared(assessment, view),
        "current_user": viewer,
        "organisation_name": organisation_name,
        "stylesheet": stylesheet,
    }
    return templates().get_template("reports/assessment.html").render(context)
