"""The organisation report: every team the reader may see, one section each, with a table of contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session
from starlette.requests import Request

from app import i18n
from app.assessments import view as results
from app.kit.paging import Page, page_of
from app.maturity.schema import MaturityModel
from app.models import Team, User
from app.reports import roadmap as roadmap_report
from app.reports import teams as team_reports
from app.roadmap import view as roadmap_view
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
    summary: bool = False,
    page: int = 1,
) -> str:
    """The report over the teams `viewer` may see (all of them for admins and leadership): in full, or
    as its `summary` (the teams side by side, without a section per team). In the browser the full
    edition shows the sections of SECTIONS_PER_PAGE teams on each `page`; the PDF has every one."""
    teams = [team for team, _ in teams_service.visible_with_members(session, user=viewer)]
    sections = _sections(teams, page=page, every=pdf, summary=summary)
    shown = {t.id for t in sections.items}
    reports = team_reports.gather(session, teams=teams, locale=locale, pdf=pdf, today=today, detailed=shown)
    by_team = {r.team.id: r for r in reports}
    context = roadmap_report.shared_context(
        locale=locale, pdf=pdf, request=request, organisation_name=organisation_name
    )
    context |= {
        "reports": reports,
        "overview": [_overview(r) for r in reports],
        "data_time": _data_time(reports),
        "okr_period": i18n.join_list(sorted({r.okr_period for r in reports}), locale) or None,
        "comparisons": _comparisons(reports),
        "model_names": roadmap_view.model_names(session, locale),
        "summary_edition": summary,
        "sections": sections.map(lambda team: by_team[team.id]),
        "sections_shown": shown,
        "section_page": {t.id: 1 + i // sections.per_page for i, t in enumerate(teams)},
    }
    return templates().get_template("reports/organisation.html").render(context)


SECTIONS_PER_PAGE = 10  # the full edition in the browser: a section per team, ten teams a page


def _sections(teams: list[Team], *, page: int, every: bool, summary: bool) -> Page[Team]:
    """The teams whose sections this page shows: none in the summary, every one in the PDF, else the
    teams of `page` (clamped to the pages that exist)."""
    if summary:
        return Page([], 1, max(1, len(teams)), len(teams))
    if every:
        return Page(teams, 1, max(1, len(teams)), len(teams))
    return page_of(teams, page=page, per_page=SECTIONS_PER_PAGE)


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
    """Levels by dimension side by side, for the teams whose standing uses one model."""

    model: MaturityModel
    rows: list[
        tuple[team_reports.TeamReport, list[tuple[float | None, int]]]
    ]  # (level, target) per dimension


def _comparisons(reports: list[team_reports.TeamReport]) -> list[Comparison]:
    """One comparison per model, the most used first: levels of different models are not comparable,
    so they never share a column, and every team with a standing is in one of them."""
    by_model: dict[str, list[tuple[team_reports.TeamReport, results.ResultsView]]] = {}
    for r in reports:
        if r.standing is not None:
            by_model.setdefault(r.standing.model.id, []).append((r, r.standing))
    ordered = sorted(by_model.values(), key=lambda rows: (-len(rows), rows[0][1].model.id))
    return [Comparison(rows[0][1].model, [(r, _cells(s)) for r, s in rows]) for rows in ordered]


def _cells(standing: results.ResultsView) -> list[tuple[float | None, int]]:
    levels = {d.id: d.level for d in standing.results.dimensions}
    return [(levels.get(d.id), standing.targets[d.id]) for d in standing.model.dimensions]


def _data_time(reports: list[team_reports.TeamReport]) -> datetime | None:
    moments = [r.data_time for r in reports if r.data_time is not None]
    return max(moments) if moments else None
