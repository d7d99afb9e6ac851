"""The organisation report: every team the reader may see, one section each, with a table of contents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session
from starlette.requests import Request

from app import i18n
from app.maturity.schema import MaturityModel
from app.models import User
from app.reports import roadmap as roadmap_report
from app.reports import teams as team_reports
from app.teams import service as teams_service
from app.web import templates


@dataclass(frozen=True)
class Overview:
    """One line of the comparison table at the front of the report."""

    report: team_reports.TeamReport
    overall: float | None
    gaps: int  # dimensions below target
    progress: int | None  # roadmap progress in percent, None without a roadmap
    okr_progress: int | None
    checklist: tuple[int, int]  # done, total


def html(
    session: Session,
    *,
    viewer: User,
    locale: str,
    organisation_name: str,
    pdf: bool,
    today: date,
    request: Request | None = None,
) -> str:
    """The report over the teams `viewer` may see (all of them for admins and leadership)."""
    teams = [team for team, _ in teams_service.visible_with_members(session, user=viewer)]
    reports = team_reports.gather(session, teams=teams, locale=locale, pdf=pdf, today=today)
    context = roadmap_report.shared_context(
        locale=locale, pdf=pdf, request=request, organisation_name=organisation_name
    )
    context |= {
        "reports": reports,
        "overview": [_overview(r) for r in reports],
        "data_time": _data_time(reports),
        "okr_period": i18n.join_list(sorted({r.okr_period for r in reports}), locale) or None,
        "comparison": _comparison(reports),
    }
    return templates().get_template("reports/organisation.html").render(context)


def _overview(report: team_reports.TeamReport) -> Overview:
    standing = report.standing
    okrs = [o.progress for o in report.okrs]
    return Overview(
        report=report,
        overall=standing.results.overall if standing else None,
        gaps=sum(1 for g in standing.gaps if g.gap > 0) if standing else 0,
        progress=report.view.rollup() if report.view else None,
        okr_progress=round(100 * sum(okrs) / len(okrs)) if okrs else None,
        checklist=(sum(c.done for c in report.checklists), sum(c.total for c in report.checklists)),
    )


@dataclass(frozen=True)
class Comparison:
    """Levels by dimension side by side, for the teams whose standing uses the most common model."""

    model: MaturityModel
    rows: list[
        tuple[team_reports.TeamReport, list[tuple[float | None, int]]]
    ]  # (level, target) per dimension


def _comparison(reports: list[team_reports.TeamReport]) -> Comparison | None:
    models = Counter(r.standing.model.id for r in reports if r.standing)
    if not models:
        return None
    slug = models.most_common(1)[0][0]
    rows = []
    model = None
    for r in reports:
        if r.standing is None or r.standing.model.id != slug:
            continue
        model = r.standing.model
        levels = {d.id: d.level for d in r.standing.results.dimensions}
        rows.append((r, [(levels.get(d.id), r.standing.targets[d.id]) for d in model.dimensions]))
    return Comparison(model, rows) if model else None


def _data_time(reports: list[team_reports.TeamReport]) -> datetime | None:
    moments = [r.data_time for r in reports if r.data_time is not None]
    return max(moments) if moments else None
