"""The organisation's gauges, read when Prometheus scrapes, in a fixed number of queries however many
teams: each team's levels and gaps from its latest submitted assessment of each model, its OKRs of the
current quarter, its roadmap items overdue, and how each enabled source syncs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from app.assessments import scoring
from app.assessments import service as assessments_service
from app.assessments.targets import service as targets
from app.models import (
    Assessment,
    AssessmentStatus,
    CheckIn,
    ItemStatus,
    KeyResult,
    MaturityModelVersion,
    Objective,
    Source,
    SyncRun,
    SyncStatus,
    Team,
)
from app.okrs import progress as okr_maths
from app.okrs import service as okrs_service
from app.roadmap import service as roadmap_service

NOT_CHECKED_IN = "not_checked_in"
OKR_STATUSES = (*okr_maths.STATUSES, NOT_CHECKED_IN)


@dataclass(frozen=True)
class AreaLevel:
    """One area (a model's dimension) of a team's latest submitted assessment of that model."""

    team: str  # the team's slug
    model: str
    area: str
    level: float | None  # None: nothing answered
    target: int
    gap: float | None  # None: the area does not apply
    change: float | None  # since the team's previous submitted assessment of the model


@dataclass(frozen=True)
class TeamOkrs:
    team: str
    objectives: int
    progress: float  # mean objective progress, 0–1
    key_results: Mapping[str, int]  # OKR_STATUSES → how many key results
    off_track_twice: int  # key results whose last two check-ins were both off track


@dataclass(frozen=True)
class TeamRoadmap:
    team: str
    overdue: int  # items past their end and not done
    progress: float  # effort-weighted, 0–1


@dataclass(frozen=True)
class SourceSync:
    team: str
    source_id: int
    name: str
    kind: str
    last_success: datetime | None
    failures: int  # failed syncs since the last good one


@dataclass(frozen=True)
class Snapshot:
    now: datetime
    okr_period: str
    teams: int
    areas: tuple[AreaLevel, ...]
    okrs: tuple[TeamOkrs, ...]
    roadmaps: tuple[TeamRoadmap, ...]
    sources: tuple[SourceSync, ...]


def snapshot(session: Session, *, now: datetime) -> Snapshot:
    """Every gauge of the organisation as it stands `now`."""
    teams = session.execute(select(Team.id, Team.slug, Team.organisation_id)).all()
    slugs = {team_id: slug for team_id, slug, _ in teams}
    period = okrs_service.current_period(now.date())
    return Snapshot(
        now=now,
        okr_period=period,
        teams=len(teams),
        areas=tuple(_areas(session, slugs, {t: o for t, _, o in teams})),
        okrs=tuple(_okrs(session, slugs, period)),
        roadmaps=tuple(_roadmaps(session, slugs, now)),
        sources=tuple(_sources(session, slugs)),
    )


def _areas(session: Session, slugs: Mapping[int, str], organisations: Mapping[int, int]) -> list[AreaLevel]:
    latest = _latest_two(session)
    wanted = {a_id for pair in latest.values() for a_id in pair}
    rows = session.scalars(
        select(Assessment).options(selectinload(Assessment.model)).where(Assessment.id.in_(wanted))
    ).all()
    by_id = {a.id: a for a in rows}
    results = assessments_service.results_for(session, assessments=rows)
    goals = _goals(session, organisations, {slug for _team, slug in latest})
    out: list[AreaLevel] = []
    for (team_id, model), pair in sorted(latest.items()):
        goal = goals.get((team_id, model), {})
        dimensions = assessments_service.model_of(by_id[pair[0]]).dimensions
        own = {d.id: goal.get(d.id, targets.DEFAULT_TARGET) for d in dimensions}
        previous = results[pair[1]] if len(pair) > 1 else None
        out += _levels(slugs[team_id], model, results[pair[0]], previous, own)
    return out


def _levels(
    team: str, model: str, result: scoring.Results, previous: scoring.Results | None, own: Mapping[str, int]
) -> list[AreaLevel]:
    """One team's areas of one model: level, target, gap, and change since the `previous` results."""
    gaps = {g.dimension_id: g.gap for g in scoring.gaps(result, own)}
    changes = {c.id: c.delta for c in scoring.compare(result, previous) if c.kind == "dimension"}
    return [
        AreaLevel(team, model, d.id, d.level, own[d.id], gaps.get(d.id), changes.get(d.id))
        for d in result.dimensions
    ]


def _latest_two(session: Session) -> dict[tuple[int, str], list[int]]:
    """(team id, model slug) → ids of its latest submitted assessment and the one before, if any."""
    rows = session.execute(
        select(Assessment.id, Assessment.team_id, MaturityModelVersion.slug)
        .join(Assessment.model)
        .where(Assessment.status == AssessmentStatus.SUBMITTED)
        .order_by(Assessment.period.desc(), Assessment.submitted_at.desc(), Assessment.id.desc())
    )
    out: dict[tuple[int, str], list[int]] = {}
    for a_id, team_id, slug in rows:
        found = out.setdefault((team_id, slug), [])
        if len(found) < 2:
            found.append(a_id)
    return out


def _goals(
    session: Session, organisations: Mapping[int, int], slugs: set[str]
) -> dict[tuple[int, str], dict[str, int]]:
    """Each team's targets per model (one query per organisation: in practice one)."""
    out: dict[tuple[int, str], dict[str, int]] = {}
    for organisation_id in sorted(set(organisations.values())):
        ids = [t for t, o in organisations.items() if o == organisation_id]
        out |= targets.levels_of_teams(session, organisation_id=organisation_id, team_ids=ids, slugs=slugs)
    return out


def _okrs(session: Session, slugs: Mapping[int, str], period: str) -> list[TeamOkrs]:
    found = okrs_service.team_status(session, team_ids=list(slugs), period=period)
    twice = _off_track_twice(session, period)
    out = []
    for team_id, objectives in sorted(found.items()):
        if not objectives:
            continue
        statuses = [kr.status or NOT_CHECKED_IN for o in objectives for kr in o.key_results]
        out.append(
            TeamOkrs(
                team=slugs[team_id],
                objectives=len(objectives),
                progress=okr_maths.mean([o.progress for o in objectives]),
                key_results={status: statuses.count(status) for status in OKR_STATUSES},
                off_track_twice=twice.get(team_id, 0),
            )
        )
    return out


def _off_track_twice(session: Session, period: str) -> dict[int, int]:
    """Team id → its key results of the quarter whose last two check-ins were both off track."""
    ranked = (
        select(
            Objective.team_id,
            CheckIn.key_result_id,
            CheckIn.confidence,
            func.row_number()
            .over(partition_by=CheckIn.key_result_id, order_by=CheckIn.id.desc())
            .label("rank"),
        )
        .join(KeyResult, CheckIn.key_result_id == KeyResult.id)
        .join(Objective, KeyResult.objective_id == Objective.id)
        .where(Objective.period == period)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.team_id, ranked.c.key_result_id, ranked.c.confidence).where(ranked.c.rank <= 2)
    )
    last_two: dict[tuple[int, int], list[str | None]] = {}
    for team_id, kr_id, confidence in rows:
        last_two.setdefault((team_id, kr_id), []).append(okr_maths.status(confidence))
    out: dict[int, int] = {}
    for (team_id, _kr), statuses in last_two.items():
        if statuses == [okr_maths.OFF_TRACK] * 2:
            out[team_id] = out.get(team_id, 0) + 1
    return out


def _roadmaps(session: Session, slugs: Mapping[int, str], now: datetime) -> list[TeamRoadmap]:
    today = now.date()
    out = []
    for team_id, view in sorted(roadmap_service.views_of_teams(session, team_ids=list(slugs)).items()):
        late = [i for i in view.plan.items if i.end <= today and view.status(i.id) != ItemStatus.DONE]
        out.append(TeamRoadmap(slugs[team_id], len(late), view.rollup() / 100))
    return out


def _sources(session: Session, slugs: Mapping[int, str]) -> list[SourceSync]:
    """Enabled sources only: a paused one is not expected to sync."""
    sources = session.execute(
        select(Source.id, Source.team_id, Source.name, Source.kind).where(Source.enabled).order_by(Source.id)
    ).all()
    ids = [s_id for s_id, *_ in sources]
    last_good = _last_good(session, ids)
    failures = _failures_since_good(session, ids)
    return [
        SourceSync(slugs[team_id], s_id, name, kind, last_good.get(s_id), failures.get(s_id, 0))
        for s_id, team_id, name, kind in sources
    ]


def _last_good(session: Session, ids: Sequence[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(SyncRun.source_id, func.max(SyncRun.finished_at))
        .where(SyncRun.source_id.in_(ids), SyncRun.status == SyncStatus.OK)
        .group_by(SyncRun.source_id)
    )
    return {source_id: finished for source_id, finished in rows if finished is not None}


def _failures_since_good(session: Session, ids: Sequence[int]) -> dict[int, int]:
    good = aliased(SyncRun)
    last_good = (
        select(func.max(good.id))
        .where(good.source_id == SyncRun.source_id, good.status == SyncStatus.OK)
        .scalar_subquery()
    )
    rows = session.execute(
        select(SyncRun.source_id, func.count())
        .where(
            SyncRun.source_id.in_(ids),
            SyncRun.status == SyncStatus.FAILED,
            SyncRun.id > func.coalesce(last_good, 0),
        )
        .group_by(SyncRun.source_id)
    )
    return dict(rows.all())
