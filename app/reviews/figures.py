"""What a quarterly review gathers for its quarter, each figure with what it rests on.

Every reader here takes the team id and the quarter and issues a fixed number of queries, so the page's
count does not grow with the data. Counts kept by other areas plug in through one function each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.assessments import scoring
from app.assessments import service as assessments_service
from app.checklists import team
from app.dashboard import compare
from app.delivery import service as delivery_service
from app.learning import service as learning_service
from app.maturity import service as maturity_service
from app.maturity.schema import MaturityModel
from app.models import Assessment, AssessmentStatus, ItemStatus
from app.okrs import service as okrs_service
from app.reviews import quarters
from app.roadmap import service as roadmap_service
from app.roadmap.checklists import service as roadmap_checklists
from app.roadmap.planner.plan import Item


@dataclass(frozen=True)
class Maturity:
    """The change between the latest assessment up to the quarter and the one before it (same model)."""

    model: MaturityModel
    current: Assessment
    previous: Assessment | None
    changes: tuple[scoring.Change, ...]  # overall, dimensions, capabilities (empty without a previous)
    overall: float | None

    @property
    def shown(self) -> list[scoring.Change]:
        """Overall and every area, and the capabilities that moved (as the dashboard tells a move)."""
        return [c for c in self.changes if c.kind != "capability" or _moved(c)]

    @property
    def steady(self) -> int:
        """How many capabilities did not move."""
        return len(self.changes) - len(self.shown)


def _moved(change: scoring.Change) -> bool:
    if change.delta is None:  # assessed on one side only: that is news too
        return change.before != change.after
    return compare.Cell(change.after, change.delta).direction != "same"


@dataclass(frozen=True)
class Plan:
    """Roadmap items due by `as_of` (their last day on or before it), how many are done, which slip."""

    as_of: date
    version: int
    due: tuple[Item, ...]
    done: tuple[Item, ...]
    slipping: tuple[Item, ...]
    in_progress: tuple[Item, ...]
    total: int


@dataclass(frozen=True)
class Tally:
    """Entries done of those that apply, over some checklists; "not applicable" ones are counted apart."""

    done: int
    total: int  # entries that apply: those marked not applicable are left out
    not_applicable: int
    lists: int


@dataclass(frozen=True)
class Checklists:
    """The team's checklists as its checklist page has them: the playbook's (every team has them) and
    its roadmap items', each counted apart, where their entries stand now."""

    playbook: Tally
    roadmap: Tally | None  # None: no roadmap yet


@dataclass(frozen=True)
class Delivery:
    """The team's delivery metrics from its sources' last good syncs (none: no signal connected)."""

    series: tuple[tuple[str, delivery_service.Series], ...]  # (source name, series) with a value

    @property
    def connected(self) -> bool:
        return bool(self.series)


@dataclass(frozen=True)
class Figures:
    period: str
    as_of: date
    maturity: Maturity | None
    plan: Plan | None
    okrs: list[okrs_service.ObjectiveStatus]
    checklists: Checklists
    delivery: Delivery
    learning_sessions: int  # from the team's learning log


def gather(session: Session, *, team_id: int, period: str, today: date, now: datetime) -> Figures:
    """Everything the review page and the reports show about the team's quarter."""
    as_of = quarters.as_of(period, today)
    view = roadmap_service.views_of_teams(session, team_ids=[team_id]).get(team_id)
    return Figures(
        period=period,
        as_of=as_of,
        maturity=maturity(session, team_id=team_id, period=period),
        plan=plan(view, as_of) if view else None,
        okrs=okrs_service.team_status(session, team_ids=[team_id], period=period)[team_id],
        checklists=checklists(session, team_id=team_id, view=view),
        delivery=delivery(session, team_id=team_id, now=now),
        learning_sessions=learning_sessions(session, team_id=team_id, period=period),
    )


def learning_sessions(session: Session, *, team_id: int, period: str) -> int:
    """Sessions the team's learning log holds for the quarter (study sessions, incident reviews, ...)."""
    counts = learning_service.sessions_per_quarter(session, team_ids=[team_id], quarters=[period])
    return counts[team_id][period]


def maturity(session: Session, *, team_id: int, period: str) -> Maturity | None:
    """Change since the previous assessment, for the latest submitted one up to the quarter."""
    current = session.scalars(
        select(Assessment)
        .options(joinedload(Assessment.model))
        .where(
            Assessment.team_id == team_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            Assessment.period <= period,
        )
        .order_by(Assessment.period.desc(), Assessment.submitted_at.desc(), Assessment.id.desc())
        .limit(1)
    ).first()
    if current is None:
        return None
    previous = assessments_service.previous_of_each(session, assessments=[current]).get(current.id)
    found = [current, *([previous] if previous else [])]
    results = assessments_service.results_for(session, assessments=found)
    before = results[previous.id] if previous else None
    now = results[current.id]
    changes = scoring.compare(now, before)
    return Maturity(maturity_service.parsed(current.model), current, previous, changes, now.overall)


def plan(view: roadmap_service.RoadmapView, as_of: date) -> Plan:
    """Done against planned to date, from the plan's item dates and the items' statuses."""
    items = view.plan.items
    due = tuple(i for i in items if i.last_day <= as_of)
    done = tuple(i for i in due if view.status(i.id) == ItemStatus.DONE)
    slipping = tuple(i for i in due if view.status(i.id) != ItemStatus.DONE)
    running = tuple(i for i in items if view.status(i.id) == ItemStatus.IN_PROGRESS)
    return Plan(as_of, view.version.number, due, done, slipping, running, len(items))


def checklists(session: Session, *, team_id: int, view: roadmap_service.RoadmapView | None) -> Checklists:
    """The playbook's checklists and the roadmap items', each entry's status as the checklist page has it."""
    found = roadmap_checklists.lists_of_view(session, team_id=team_id, view=view)
    return Checklists(tally(found.playbook), tally(found.roadmap) if found.has_roadmap else None)


def tally(lists: Sequence[team.TeamList]) -> Tally:
    """Done of the entries that apply, and how many were left out as not applicable."""
    statuses = [e.status for c in lists for e in c.entries]
    skipped = statuses.count(team.NOT_APPLICABLE)
    return Tally(statuses.count(team.DONE), len(statuses) - skipped, skipped, len(lists))


def delivery(session: Session, *, team_id: int, now: datetime) -> Delivery:
    """The latest value of each delivery metric the team's sources measured."""
    rows = delivery_service.team_delivery(session, team_id=team_id, now=now, tz=None)
    return Delivery(tuple((r.source.name, s) for r in rows for s in r.series if s.latest is not None))
