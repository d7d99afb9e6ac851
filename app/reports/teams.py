"""What the roadmap report shows about a team, gathered for one team or for every team of the organisation
report with the same fixed number of queries (no query per team)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import i18n
from app.assessments import view as results
from app.checklists import service as checklists_service
from app.i18n import N_
from app.maturity.schema import Capability
from app.models import (
    Assessment,
    AssessmentStatus,
    Membership,
    QuarterlyReview,
    Team,
)
from app.okrs import service as okrs_service
from app.reports.assessment import REPORT_FONT
from app.reviews import service as reviews_service
from app.roadmap import service as roadmap_service
from app.roadmap import view as roadmap_view
from app.roadmap.planner.plan import MONTHS, add_months
from app.teams import capacity, coverage
from app.teams.raci import service as raci_service


@dataclass(frozen=True)
class RaciTable:
    columns: list[str]
    rows: list[tuple[str, dict[str, str]]]  # (item title, role → letter) for the plan's items
    customised: bool


@dataclass(frozen=True)
class TeamReport:
    team: Team
    members: list[Membership]
    person_weeks: float
    role_gaps: list[coverage.RoleCoverage]
    people_by_role: dict[str, list[str]]
    standing: results.ResultsView | None
    radar: Markup | None
    biggest_gaps: list[tuple[float, Capability]]
    not_applicable: list[roadmap_view.NotApplicable]
    view: roadmap_service.RoadmapView | None
    groups: list[roadmap_view.PhaseGroup]
    gantt: Markup | None
    raci: RaciTable | None
    okrs: list[okrs_service.ObjectiveStatus]
    okr_period: str  # the quarter the plan is in (see `okr_period`)
    adopted: set[str]  # suggested objectives the team adopted, in any quarter
    checklists: list[checklists_service.ItemChecklist]
    review: QuarterlyReview | None = None  # the team's most recent quarterly review

    @property
    def done_tasks(self) -> dict[str, checklists_service.EntryStatus]:
        """Ticked checklist entries by action-plan task id ("item/entry")."""
        return {f"{c.item_id}/{e.entry_id}": e for c in self.checklists for e in c.entries if e.done}

    @property
    def data_time(self) -> datetime | None:
        """When this team's data last changed (so the same data always gives the same document)."""
        moments: list[datetime | None] = []
        if self.view is not None:
            moments += [self.view.version.generated_at, *(s.updated_at for s in self.view.statuses.values())]
            moments += [e.created_at for e in self.view.edits]
        if self.standing is not None:
            moments.append(self.standing.assessment.submitted_at)
        moments += [kr.checked_in_at for o in self.okrs for kr in o.key_results]
        moments += [e.done_at for c in self.checklists for e in c.entries]
        moments.append(self.review.created_at if self.review is not None else None)
        found = [m for m in moments if m is not None]
        return max(found) if found else None


def gather(
    session: Session,
    *,
    teams: Sequence[Team],
    locale: str,
    pdf: bool,
    today: date,
    detailed: Collection[int] | None = None,
) -> list[TeamReport]:
    """Report data for `teams` (their memberships and users loaded), in the order given; charts, phases
    and RACI table only for the teams `detailed` names (None: every one; a summary shows none of them)."""
    i18n.current_locale.set(locale)
    ids = [t.id for t in teams]
    views_by_team = roadmap_service.views_of_teams(session, team_ids=ids)
    sources = _source_assessments(session, teams, views_by_team)
    organisation_ids = {t.organisation_id for t in teams}
    standings: dict[int, results.ResultsView] = {}
    for organisation_id in organisation_ids:
        mine = [a for a in sources.values() if a.team.organisation_id == organisation_id]
        standings |= results.build_many(session, assessments=mine, organisation_id=organisation_id)
    periods = {t.id: okr_period(views_by_team.get(t.id), today) for t in teams}
    okrs = okrs_service.team_status_by_period(session, periods=periods)
    adopted = okrs_service.adopted_suggestions(session, team_ids=ids)
    plans = {v.roadmap.id: v.plan for v in views_by_team.values()}
    checklists = checklists_service.team_checklists(session, roadmap_ids=list(plans), plans=plans)
    matrices = raci_service.matrices(session, teams=teams)
    reviews = reviews_service.newest_of_teams(session, team_ids=ids)
    out = []
    for team in teams:
        view = views_by_team.get(team.id)
        source = sources.get(team.id)
        standing = standings.get(source.id) if source is not None else None
        out.append(
            _team_report(
                team,
                view,
                standing,
                matrices[team.id],
                okrs[team.id],
                periods[team.id],
                adopted[team.id],
                checklists.get(view.roadmap.id, []) if view else [],
                reviews.get(team.id),
                locale=locale,
                pdf=pdf,
                detail=detailed is None or team.id in detailed,
            )
        )
    return out


def _team_report(
    team: Team,
    view: roadmap_service.RoadmapView | None,
    standing: results.ResultsView | None,
    matrix: raci_service.TeamMatrix,
    okrs: list[okrs_service.ObjectiveStatus],
    period: str,
    adopted: set[str],
    checklists: list[checklists_service.ItemChecklist],
    review: QuarterlyReview | None,
    *,
    locale: str,
    pdf: bool,
    detail: bool = True,
) -> TeamReport:
    members = sorted(team.memberships, key=lambda m: m.user.name)
    pairs = [(m.team_roles, m.capacity) for m in members]
    people: dict[str, list[str]] = {}
    for m in members:
        for role in m.team_roles:
            people.setdefault(role, []).append(m.user.name)
    font = REPORT_FONT if pdf else None
    return TeamReport(
        team=team,
        members=members,
        person_weeks=capacity.team_person_weeks_per_month(m.capacity for m in members),
        role_gaps=coverage.gaps(pairs),
        people_by_role=people,
        standing=standing,
        radar=results.radar(standing, locale=locale, font_family=font) if standing and detail else None,
        biggest_gaps=_biggest_gaps(standing) if standing else [],
        not_applicable=_not_applicable(view, standing),
        view=view,
        groups=roadmap_view.phase_groups(view, locale) if view and detail else [],
        gantt=_gantt(view, locale, font) if view and detail else None,
        raci=_raci_table(view, matrix, locale) if view and detail else None,
        okrs=okrs,
        okr_period=period,
        adopted=adopted,
        checklists=checklists,
        review=review,
    )


def okr_period(view: roadmap_service.RoadmapView | None, today: date) -> str:
    """The quarter whose OKRs the report shows: the plan's quarter of today (its first before it
    starts, its last after it ends); the calendar's without a plan."""
    if view is None:
        return okrs_service.current_period(today)
    last_day = add_months(view.plan.start, MONTHS) - timedelta(days=1)
    return okrs_service.current_period(min(max(today, view.plan.start), last_day))


def _source_assessments(
    session: Session, teams: Sequence[Team], views: dict[int, roadmap_service.RoadmapView]
) -> dict[int, Assessment]:
    """Per team: the newest assessment its plan was made from, else its latest submitted one (any model)."""
    wanted = {t: v.version.assessment_id for t, v in views.items() if v.version.assessment_id is not None}
    missing = [t.id for t in teams if t.id not in wanted]
    if missing:
        rows = session.execute(
            select(Assessment.id, Assessment.team_id)
            .where(Assessment.team_id.in_(missing), Assessment.status == AssessmentStatus.SUBMITTED)
            .order_by(Assessment.period.desc(), Assessment.submitted_at.desc(), Assessment.id.desc())
        ).all()
        for team_id in missing:
            best = next((r for r in rows if r.team_id == team_id), None)
            if best is not None:
                wanted[team_id] = best.id
    if not wanted:
        return {}
    found = session.scalars(
        select(Assessment)
        .options(joinedload(Assessment.model), joinedload(Assessment.team))
        .where(Assessment.id.in_(set(wanted.values())))
    ).unique()
    by_id = {a.id: a for a in found}
    return {team_id: by_id[a_id] for team_id, a_id in wanted.items() if a_id in by_id}


def _biggest_gaps(standing: results.ResultsView) -> list[tuple[float, Capability]]:
    """The three capabilities furthest below their dimension's target (one not applicable has no gap)."""
    scores = [c for c in standing.results.capabilities if not c.is_not_applicable]
    gaps = sorted(
        ((standing.targets[c.dimension_id] - (c.level or 0.0), c) for c in scores),
        key=lambda pair: (-pair[0], pair[1].id),
    )
    return [(gap, standing.capability(c.id)) for gap, c in gaps[:3] if gap > 0]


def _not_applicable(
    view: roadmap_service.RoadmapView | None, standing: results.ResultsView | None
) -> list[roadmap_view.NotApplicable]:
    """What the team marked not applicable: as its plan took it, else as its latest assessment says."""
    if view is not None and "not_applicable" in view.version.inputs:  # older versions did not keep it
        return roadmap_view.not_applicable(view)
    skipped = standing.not_applicable if standing else ()
    return [roadmap_view.NotApplicable(s.capability.id, s.capability.name, s.reasons, None) for s in skipped]


def _gantt(view: roadmap_service.RoadmapView, locale: str, font: str | None) -> Markup:
    title = i18n.gettext(N_("Roadmap: items by month, coloured by status"))
    chart = roadmap_view.chart(
        view, locale=locale, title=title, today=view.version.generated_at.date(), font_family=font
    )
    return Markup(chart)  # noqa: S704 - the Gantt builder escapes every label


def _raci_table(view: roadmap_service.RoadmapView, matrix: raci_service.TeamMatrix, locale: str) -> RaciTable:
    """The matrix rows of the capabilities this plan works on, in plan order."""
    found = [(i.title.get(locale), matrix.cells.get(i.capability_id or "")) for i in view.plan.items]
    rows = [(title, row) for title, row in found if row is not None]
    used = [c for c in matrix.columns if any(c in row for _, row in rows)]
    return RaciTable(used, rows, matrix.customised)
