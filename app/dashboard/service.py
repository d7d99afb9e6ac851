"""What the leadership dashboard shows: each visible team's levels over the last quarters of one model,
gaps to target, roadmap, OKR and checklist progress, in a fixed number of queries however many teams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, load_only

from app.assessments import scoring
from app.assessments import service as assessments_service
from app.assessments.targets import service as targets
from app.checklists import service as checklists_service
from app.dashboard import areas, compare
from app.dashboard.compare import Cell, GapSummary
from app.dashboard.filters import Filters
from app.errors import BadInput
from app.i18n import N_
from app.maturity.schema import Dimension
from app.models import Assessment, AssessmentStatus, MaturityModelVersion, Team, User
from app.okrs import service as okrs_service
from app.roadmap import service as roadmap_service
from app.teams import service as teams_service


@dataclass(frozen=True)
class ModelChoice:
    slug: str
    name_en: str
    name_ja: str
    teams: int  # visible teams with a submitted assessment of this model

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en


@dataclass(frozen=True)
class OkrSummary:
    objectives: int
    progress: float  # mean objective progress, 0–1
    on_track: int
    at_risk: int
    off_track: int


@dataclass(frozen=True)
class ChecklistSummary:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class Areas:
    """A team's level by area from its latest submitted assessment: of the shown model, unless one of
    another model is from a later quarter (then that model's levels, named as such)."""

    period: str
    model: str  # the maturity model's slug
    levels: dict[str, float | None]
    targets: dict[str, int]
    not_applicable: frozenset[str] = frozenset()  # areas that do not apply: no level, no gap


@dataclass(frozen=True)
class TeamRow:
    team: Team
    cells: tuple[Cell | None, ...]  # one per shown period
    latest: Cell | None
    latest_period: str | None
    assessment_id: int | None  # the latest submitted assessment of the model (for the results link)
    gap: GapSummary | None
    dimensions: dict[str, float | None] = field(default_factory=dict)  # latest level per dimension
    targets: dict[str, int] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()  # dimensions that do not apply: no level, no gap
    roadmap: int | None = None  # progress in percent; None: no roadmap yet
    okrs: OkrSummary | None = None
    checklists: ChecklistSummary | None = None
    areas: Areas | None = None
    plan_sources: tuple[roadmap_service.Source, ...] = ()  # what the roadmap was made from

    @property
    def trend(self) -> list[float | None]:
        return [cell.level if cell else None for cell in self.cells]


@dataclass(frozen=True)
class Trend:
    """Each area's mean level over the teams, quarter by quarter (the chart and its table)."""

    periods: list[str]
    areas: dict[str, tuple[float | None, ...]]  # dimension id → mean level per quarter
    teams: tuple[int, ...]  # teams assessed in each quarter


@dataclass(frozen=True)
class Dashboard:
    models: list[ModelChoice]
    model: ModelChoice | None
    dimensions: tuple[Dimension, ...]
    periods: list[str]
    rows: list[TeamRow]
    okr_period: str  # the quarter whose OKRs are shown
    teams: int  # how many teams the viewer may see
    choices: list[Team] = field(default_factory=list)  # every team the viewer may see, for the filter
    filters: Filters = field(default_factory=Filters)
    errors: dict[str, BadInput] = field(default_factory=dict)  # filters refused, by field
    available: list[str] = field(default_factory=list)  # every quarter of the model, for the filter
    trend: Trend | None = None
    by_quarter: areas.QuarterComparison | None = None
    by_team: areas.TeamComparison | None = None

    @property
    def empty(self) -> bool:
        """Nothing submitted at all (the filters narrow nothing down to nothing)."""
        return self.model is None

    def team_name(self, team_id: int) -> str:
        return next((t.name for t in self.choices if t.id == team_id), "")


SORT_VALUES: dict[str, Any] = {
    "team": lambda r: r.team.name.lower(),
    "level": lambda r: r.latest.level if r.latest else None,
    "change": lambda r: r.latest.delta if r.latest else None,
    "gap": lambda r: r.gap.mean if r.gap else None,
    "roadmap": lambda r: r.roadmap,
    "okrs": lambda r: r.okrs.progress if r.okrs else None,
    "checklists": lambda r: r.checklists.percent if r.checklists and r.checklists.total else None,
}
TREND_QUARTERS = 12  # the area chart's quarters at most (three years)
NOT_VISIBLE = N_("Pick teams from the list.")
NOT_IN_CHART = N_("Pick a quarter shown in the chart.")
NOT_SHOWN = N_("Pick one of the teams shown.")


def build(
    session: Session,
    *,
    user: User,
    model_slug: str | None,
    today: date,
    sort: str = "team",
    descending: bool = False,
    filters: Filters | None = None,
) -> Dashboard:
    """The dashboard for `user`: the teams they may see (or those of them the filters name), for the
    chosen model (default: the most used), over the quarters the filters allow."""
    filters = filters or Filters()
    visible = [team for team, _access in teams_service.visible(session, user=user)]
    errors = dict(filters.errors)
    teams = _narrowed(visible, filters.teams, errors)
    # the models of every visible team: a filter that leaves nothing keeps the form to widen it again
    models = _models(session, team_ids=[t.id for t in visible])
    chosen = next((m for m in models if m.slug == model_slug), models[0] if models else None)
    okr_period = okrs_service.current_period(today)
    frame: dict[str, Any] = {
        "okr_period": okr_period,
        "teams": len(visible),
        "choices": visible,
        "filters": filters,
    }
    if chosen is None:
        return Dashboard(models, None, (), [], [], errors=errors, **frame)
    available = _periods(session, team_ids=[t.id for t in teams], slug=chosen.slug)
    found = _submitted(session, team_ids=[t.id for t in teams], slug=chosen.slug, until=filters.until)
    scored = _scored(session, found, since=filters.since)
    if not scored:
        return Dashboard(models, chosen, (), [], [], errors=errors, available=available, **frame)
    rows, periods, dimensions = _rows(
        session, teams=teams, scored=scored, slug=chosen.slug, okr_period=okr_period, filters=filters
    )
    ordered = compare.sort_rows(rows, SORT_VALUES, sort if sort in SORT_VALUES else "team", descending)
    trend = _trend(scored, dimensions, since=filters.since)
    compared = _compared(scored, trend, dimensions, filters, [t.id for t in teams], errors)
    return Dashboard(
        models,
        chosen,
        dimensions,
        periods,
        ordered,
        errors=errors,
        available=available,
        trend=trend,
        **compared,
        **frame,
    )


def _narrowed(visible: list[Team], wanted: Sequence[int], errors: dict[str, BadInput]) -> list[Team]:
    """The visible teams the filter names (all without one); naming another is an error on the filter."""
    if not wanted:
        return visible
    if set(wanted) - {t.id for t in visible}:
        errors["team"] = BadInput(NOT_VISIBLE, field="team")
        return visible
    return [t for t in visible if t.id in wanted]


@dataclass(frozen=True)
class Scored:
    """One assessment per team and quarter (the last submitted), scored."""

    assessment: Assessment
    results: scoring.Results


def _scored(
    session: Session, found: Sequence[Assessment], *, since: str | None
) -> dict[tuple[int, str], Scored]:
    """(team id, quarter) → its scored assessment, for the quarters from `since` and the one before it
    (the first quarter's change is against that one)."""
    # one assessment per team and period: the last submitted (two versions of a model may share a period)
    chosen = {(a.team_id, a.period): a for a in found}
    if since is not None:
        if all(p < since for _t, p in chosen):
            return {}
        before = [p for _t, p in chosen if p < since]
        first = max(before, default=since)
        chosen = {key: a for key, a in chosen.items() if key[1] >= first}
    results = assessments_service.results_for(session, assessments=list(chosen.values()))
    return {key: Scored(a, results[a.id]) for key, a in chosen.items()}


def _levels(scored: dict[tuple[int, str], Scored], periods: Sequence[str]) -> areas.Levels:
    return {
        key: {d.id: d.level for d in s.results.dimensions} for key, s in scored.items() if key[1] in periods
    }


def _trend(
    scored: dict[tuple[int, str], Scored], dimensions: Sequence[Dimension], *, since: str | None
) -> Trend:
    """Each area's mean level over the last quarters (from `since`, at most TREND_QUARTERS of them)."""
    periods = compare.shown_periods((p for _t, p in scored if since is None or p >= since), TREND_QUARTERS)
    levels = _levels(scored, periods)
    means = areas.trend(levels, periods=periods, areas=[d.id for d in dimensions])
    return Trend(periods, means, tuple(areas.teams_in(levels, p) for p in periods))


def _compared(
    scored: dict[tuple[int, str], Scored],
    trend: Trend,
    dimensions: Sequence[Dimension],
    filters: Filters,
    team_ids: Sequence[int],
    errors: dict[str, BadInput],
) -> dict[str, Any]:
    """The two quarters or two teams side by side that the filters ask for, when they are on the page."""
    levels = _levels(scored, trend.periods)
    overall = {key: s.results.overall for key, s in scored.items() if key[1] in trend.periods}
    ids = [d.id for d in dimensions]
    out: dict[str, Any] = {}
    if filters.quarters is not None:
        a, b = filters.quarters
        missing = _first_missing({"quarter_a": a, "quarter_b": b}, trend.periods)
        if missing:
            errors[missing] = BadInput(NOT_IN_CHART, field=missing)
        else:
            out["by_quarter"] = areas.quarters(levels, overall, a=a, b=b, areas=ids)
    if filters.pair is not None:
        a_id, b_id = filters.pair
        missing = _first_missing({"team_a": a_id, "team_b": b_id}, team_ids)
        if missing:
            errors[missing] = BadInput(NOT_SHOWN, field=missing)
        else:
            out["by_team"] = areas.teams(levels, overall, a=a_id, b=b_id, periods=trend.periods, areas=ids)
    return out


def _first_missing(fields: dict[str, Any], allowed: Sequence[Any]) -> str | None:
    """The first field whose value is not among those allowed."""
    return next((name for name, value in fields.items() if value not in allowed), None)


def _models(session: Session, *, team_ids: Sequence[int]) -> list[ModelChoice]:
    """Models with submitted assessments of these teams, the most used first."""
    rows = session.execute(
        select(
            MaturityModelVersion.slug,
            func.max(MaturityModelVersion.name_en),
            func.max(MaturityModelVersion.name_ja),
            func.count(distinct(Assessment.team_id)),
        )
        .join(Assessment.model)
        .where(Assessment.status == AssessmentStatus.SUBMITTED, Assessment.team_id.in_(team_ids))
        .group_by(MaturityModelVersion.slug)
    ).all()
    choices = [ModelChoice(slug, en, ja, count) for slug, en, ja, count in rows]
    first = compare.most_used({c.slug: c.teams for c in choices})
    return sorted(choices, key=lambda c: (c.slug != first, -c.teams, c.slug))


def _of_model(team_ids: Sequence[int], slug: str) -> ColumnElement[bool]:
    return (
        (Assessment.status == AssessmentStatus.SUBMITTED)
        & Assessment.team_id.in_(team_ids)
        & (MaturityModelVersion.slug == slug)
    )


def _periods(session: Session, *, team_ids: Sequence[int], slug: str) -> list[str]:
    """Every quarter with a submitted assessment of the model by these teams, oldest first."""
    query = select(Assessment.period).distinct().join(Assessment.model).where(_of_model(team_ids, slug))
    return sorted(session.scalars(query))


def _submitted(
    session: Session, *, team_ids: Sequence[int], slug: str, until: str | None
) -> list[Assessment]:
    """Submitted assessments of the model in the trend's quarters up to `until` and the one before them
    (for the first change); the quarter table shows the last of these quarters."""
    of_model = _of_model(team_ids, slug)
    if until is not None:
        of_model = of_model & (Assessment.period <= until)
    periods = (
        select(Assessment.period)
        .distinct()
        .join(Assessment.model)
        .where(of_model)
        .order_by(Assessment.period.desc())
        .limit(TREND_QUARTERS + 1)
    )
    # a dozen quarters of a hundred teams: only the columns the page and the results' memo read
    read = load_only(
        Assessment.id,
        Assessment.team_id,
        Assessment.period,
        Assessment.status,
        Assessment.model_id,
        Assessment.submitted_at,
        Assessment.version_id,
        raiseload=True,
    )
    query = (
        select(Assessment)
        .join(Assessment.model)
        .options(read, contains_eager(Assessment.model))
        .where(of_model, Assessment.period.in_(periods.scalar_subquery()))
        .order_by(Assessment.period, Assessment.submitted_at, Assessment.id)
    )
    return list(session.scalars(query).unique())


def _rows(
    session: Session,
    *,
    teams: Sequence[Team],
    scored: dict[tuple[int, str], Scored],
    slug: str,
    okr_period: str,
    filters: Filters,
) -> tuple[list[TeamRow], list[str], tuple[Dimension, ...]]:
    team_ids = [t.id for t in teams]
    chosen = {key: s.assessment for key, s in scored.items()}
    results = {s.assessment.id: s.results for s in scored.values()}
    since = filters.since
    periods = compare.shown_periods(p for _t, p in chosen if since is None or p >= since)
    newest = max(chosen.values(), key=lambda a: (a.period, a.id))
    dimensions = assessments_service.model_of(newest).dimensions
    later = _later_of_other_models(session, team_ids=team_ids, slug=slug, shown=chosen, until=filters.until)
    later_results = assessments_service.results_for(session, assessments=list(later.values()))
    slugs = {slug, *(a.model.slug for a in later.values())}
    goals = _goals(session, teams=teams, slugs=slugs)
    roadmaps = roadmap_service.views_of_teams(session, team_ids=team_ids)
    okrs = _okrs(session, team_ids=team_ids, period=okr_period)
    checklists = _checklist_progress(session, roadmaps=roadmaps)
    by_team: dict[int, dict[str, Assessment]] = {}
    for (team_id, period), assessment in chosen.items():
        by_team.setdefault(team_id, {})[period] = assessment
    rows = []
    for team in teams:
        mine = by_team.get(team.id, {})
        levels = {p: results[a.id].overall for p, a in mine.items()}
        cells = compare.timeline(levels, periods)
        last = mine[max(mine)] if mine else None
        view = roadmaps.get(team.id)
        goal = goals.get((team.id, slug), {})
        row = _row(team, cells, last, results[last.id] if last else None, goal, dimensions)
        other = later.get(team.id)
        if other is not None:
            row["areas"] = _areas(other, later_results[other.id], goals.get((team.id, other.model.slug), {}))
        rows.append(
            row
            | {
                "roadmap": view.rollup() if view else None,
                "plan_sources": tuple(view.sources) if view else (),
                "okrs": okrs.get(team.id),
                "checklists": checklists.get(view.roadmap.id) if view else None,
            }
        )
    return [TeamRow(**row) for row in rows], periods, dimensions


def _row(
    team: Team,
    cells: tuple[Cell | None, ...],
    last: Assessment | None,
    result: scoring.Results | None,
    goal: dict[str, int],
    dimensions: Sequence[Dimension],
) -> dict[str, Any]:
    own = {d.id: goal.get(d.id, targets.DEFAULT_TARGET) for d in dimensions}
    levels: dict[str, float | None] = {}
    skipped: frozenset[str] = frozenset()
    gap = None
    if result is not None:
        levels = {d.id: d.level for d in result.dimensions}
        skipped = frozenset(d.id for d in result.dimensions if d.is_not_applicable)
        shortfalls = [max(0.0, own[d] - (levels.get(d) or 0.0)) for d in own if d not in skipped]
        gap = compare.gap_summary(shortfalls)
    areas = Areas(last.period, last.model.slug, levels, own, skipped) if last is not None else None
    return {
        "team": team,
        "areas": areas,
        "cells": cells,
        "latest": compare.latest(cells) if last is not None else None,
        "latest_period": last.period if last else None,
        "assessment_id": last.id if last else None,
        "gap": gap,
        "dimensions": levels,
        "targets": own,
        "not_applicable": skipped,
    }


def _areas(assessment: Assessment, result: scoring.Results, goal: dict[str, int]) -> Areas:
    model = assessments_service.model_of(assessment)
    own = {d.id: goal.get(d.id, targets.DEFAULT_TARGET) for d in model.dimensions}
    levels = {d.id: d.level for d in result.dimensions}
    skipped = frozenset(d.id for d in result.dimensions if d.is_not_applicable)
    return Areas(assessment.period, assessment.model.slug, levels, own, skipped)


def _later_of_other_models(
    session: Session,
    *,
    team_ids: Sequence[int],
    slug: str,
    shown: dict[tuple[int, str], Assessment],
    until: str | None,
) -> dict[int, Assessment]:
    """Per team, its newest submitted assessment up to `until` when that is of another model and from a
    later quarter than any of `slug` shown (team id → assessment, its model loaded), in two queries."""
    newest: dict[int, tuple[int, str, str]] = {}
    submitted = (Assessment.status == AssessmentStatus.SUBMITTED) & Assessment.team_id.in_(team_ids)
    if until is not None:
        submitted = submitted & (Assessment.period <= until)
    for a_id, team_id, period, model in session.execute(
        select(Assessment.id, Assessment.team_id, Assessment.period, MaturityModelVersion.slug)
        .join(Assessment.model)
        .where(submitted)
        .order_by(Assessment.period.desc(), Assessment.submitted_at.desc(), Assessment.id.desc())
    ):
        newest.setdefault(team_id, (a_id, period, model))
    shown_latest: dict[int, str] = {}
    for team_id, period in shown:
        shown_latest[team_id] = max(period, shown_latest.get(team_id, ""))
    wanted = [
        a_id
        for team_id, (a_id, period, model) in newest.items()
        if model != slug and period > shown_latest.get(team_id, "")
    ]
    if not wanted:
        return {}
    rows = session.scalars(
        select(Assessment).options(joinedload(Assessment.model)).where(Assessment.id.in_(wanted))
    )
    return {a.team_id: a for a in rows}


def _goals(
    session: Session, *, teams: Sequence[Team], slugs: set[str]
) -> dict[tuple[int, str], dict[str, int]]:
    """Each team's target per dimension of each model (one query per organisation: in practice one)."""
    out: dict[tuple[int, str], dict[str, int]] = {}
    for organisation_id in sorted({t.organisation_id for t in teams}):
        ids = [t.id for t in teams if t.organisation_id == organisation_id]
        out |= targets.levels_of_teams(session, organisation_id=organisation_id, team_ids=ids, slugs=slugs)
    return out


def _okrs(session: Session, *, team_ids: Sequence[int], period: str) -> dict[int, OkrSummary]:
    found = okrs_service.team_status(session, team_ids=team_ids, period=period)
    return {team_id: _okr_summary(objectives) for team_id, objectives in found.items() if objectives}


def _okr_summary(objectives: Sequence[okrs_service.ObjectiveStatus]) -> OkrSummary:
    statuses = [kr.status for o in objectives for kr in o.key_results]
    return OkrSummary(
        objectives=len(objectives),
        progress=sum(o.progress for o in objectives) / len(objectives),
        on_track=statuses.count("on_track"),
        at_risk=statuses.count("at_risk"),
        off_track=statuses.count("off_track"),
    )


def _checklist_progress(
    session: Session, *, roadmaps: dict[int, roadmap_service.RoadmapView]
) -> dict[int, ChecklistSummary]:
    """Ticked checklist entries over all entries of each roadmap's items (roadmap id → summary)."""
    plans = {view.roadmap.id: view.plan for view in roadmaps.values()}
    found = checklists_service.team_checklists(session, roadmap_ids=list(plans), plans=plans)
    return {
        roadmap_id: ChecklistSummary(sum(c.done for c in lists), sum(c.total for c in lists))
        for roadmap_id, lists in found.items()
    }
