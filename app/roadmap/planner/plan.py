"""The roadmap planner's inputs and outputs: frozen values the pure modules pass around.

Months are 0-based indexes into the 12-month plan with half-open ranges (an item in months 0–3 runs
through the first three months). Reason parameters are for people, so their months are 1-based.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.catalogue.schema import ChecklistItem, KeyResult, Phase, RiskKind
from app.maturity.schema import Text

MONTHS = 12
Param = str | int | float


class ReasonCode(StrEnum):
    CLOSES_GAP = "closes_gap"
    PREREQUISITE_OF = "prerequisite_of"
    PLAYBOOK_PHASE = "playbook_phase"
    BROUGHT_FORWARD = "brought_forward"
    WAITS_FOR = "waits_for"
    CAPACITY_FULL = "capacity_full"
    MOVED = "moved"
    PINNED = "pinned"
    RESIZED_EFFORT = "resized_effort"
    RESIZED_DURATION = "resized_duration"
    OWNER_CHANGED = "owner_changed"
    OWNERS_FROM_RACI = "owners_from_raci"
    MISSING_ROLE = "missing_role"
    PREREQUISITE_DROPPED = "prerequisite_dropped"
    CUSTOM = "custom"
    LATER_THAN_PHASE = "later_than_phase"
    EARLIER_THAN_PHASE = "earlier_than_phase"
    PINNED_BEFORE_PREREQUISITE = "pinned_before_prerequisite"
    OVER_CAPACITY = "over_capacity"
    NO_CAPACITY = "no_capacity"
    PREREQUISITE_BEYOND = "prerequisite_beyond"
    ACHIEVED = "achieved"
    DROPPED = "dropped"
    NEW_TOOLS = "new_tools"
    ONE_TOOL_EVERYWHERE = "one_tool_everywhere"
    NO_DATA_SCIENTIST_OWNER = "no_data_scientist_owner"
    MONITORING_LAST = "monitoring_last"
    POC_SCORE = "poc_score"
    BUILDS_ON = "builds_on"
    AT_RISK = "at_risk"
    FROM_EVIDENCE = "from_evidence"
    EVIDENCE_DISAGREES = "evidence_disagrees"


@dataclass(frozen=True)
class Reason:
    """A structured explanation (code + params, for the UI to translate) with ready sentences."""

    code: ReasonCode
    params: tuple[tuple[str, Param], ...]
    text: Text

    def param(self, name: str) -> Param | None:
        return next((value for key, value in self.params if key == name), None)


@dataclass(frozen=True)
class EvidenceFact:
    """What the team's synced evidence said about a capability when the plan read its level: whether an
    answer came from accepting it, or an open disagreement (answered vs suggested level), and what it
    rests on. Plain values, so the planner stays free of the database."""

    says: Text
    """The findings, in both languages ("No CI is configured in the repository")."""
    sources: str
    """The names of the sources it rests on, joined."""
    synced: str
    """When the oldest observation it rests on was synced (ISO date)."""
    from_evidence: bool = False
    answered: int | None = None
    suggested: int | None = None

    @property
    def disagrees(self) -> bool:
        return self.answered is not None and self.suggested is not None


# Manual edits. Item ids are capability ids, or the id given to a custom item.
@dataclass(frozen=True)
class Move:
    """Start the item at this month (or as soon after as prerequisites and capacity allow)."""

    item_id: str
    start_month: int


@dataclass(frozen=True)
class Resize:
    item_id: str
    effort_pw: float | None = None
    duration_months: int | None = None


@dataclass(frozen=True)
class Pin:
    """Keep the item exactly here, whatever regeneration finds; it books capacity first."""

    item_id: str
    start_month: int
    end_month: int
    effort_pw: float | None = None


@dataclass(frozen=True)
class Drop:
    """Never schedule the item."""

    item_id: str


@dataclass(frozen=True)
class AddItem:
    item_id: str
    title: Text
    effort_pw: float
    phase: Phase
    owner_roles: tuple[str, ...]
    prerequisites: tuple[str, ...] = ()
    start_month: int | None = None


@dataclass(frozen=True)
class ChangeOwner:
    item_id: str
    owner_roles: tuple[str, ...]


Edit = Move | Resize | Pin | Drop | AddItem | ChangeOwner


@dataclass(frozen=True)
class Item:
    """A scheduled roadmap item: one capability raised from one level to another, or a custom task."""

    id: str
    capability_id: str | None
    title: Text
    dimension: str | None
    from_level: int
    to_level: int
    phase: Phase  # where the playbook puts this work
    effort_pw: float
    effort_range: tuple[float, float]
    owner_roles: tuple[str, ...]  # Responsible
    accountable: str | None
    tools: tuple[str, ...]
    key_results: tuple[KeyResult, ...]
    checklist: tuple[ChecklistItem, ...]
    prerequisites: tuple[str, ...]  # item ids that end before this one starts
    start_month: int
    end_month: int  # exclusive
    monthly_pw: float
    start: date
    end: date  # exclusive: the first day after the item
    pinned: bool
    reasons: tuple[Reason, ...]

    @property
    def last_day(self) -> date:
        """The item's last day, as a reader counts it (`end` is the day after)."""
        return self.end - timedelta(days=1)

    @property
    def scheduled_phase(self) -> Phase:
        return list(Phase)[min(self.start_month // 3, 3)]


@dataclass(frozen=True)
class Deferred:
    """Work that is not scheduled in the 12 months (beyond, or dropped), with the reason."""

    id: str
    capability_id: str | None
    title: Text
    from_level: int
    to_level: int
    phase: Phase
    effort_pw: float
    owner_roles: tuple[str, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Done:
    capability_id: str
    title: Text
    level: int
    target: int
    reason: Reason


@dataclass(frozen=True)
class Departure:
    """Where the plan leaves the playbook's order, and why."""

    item_id: str
    reason: Reason
    causes: tuple[Reason, ...]


@dataclass(frozen=True)
class Risk:
    kind: RiskKind
    name: Text
    mitigation: Text
    sign: Reason
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class SuggestedKeyResult:
    key_result: KeyResult
    item_id: str
    due: date


@dataclass(frozen=True)
class SuggestedObjective:
    id: str
    text: Text
    key_results: tuple[SuggestedKeyResult, ...]


@dataclass(frozen=True)
class PocCandidate:
    """A candidate proof-of-concept project, rated 1–5; scope 5 means the smallest, clearest scope."""

    name: str
    business_value: int
    scope: int
    data_pipeline: bool


@dataclass(frozen=True)
class PocScore:
    candidate: PocCandidate
    score: float  # 0–100
    reason: Reason


@dataclass(frozen=True)
class Task:
    id: str
    item_id: str | None  # None for the POC task
    text: Text
    owner_role: str
    due: date
    key_result_ids: tuple[str, ...]
    checklist_item_id: str | None


@dataclass(frozen=True)
class ActionPlan:
    """The first quarter: its items broken into tasks, and the POC to start with."""

    start: date
    end: date  # exclusive
    item_ids: tuple[str, ...]
    tasks: tuple[Task, ...]
    poc_ranking: tuple[PocScore, ...]
    poc: PocCandidate | None

    @property
    def last_day(self) -> date:
        """The first quarter's last day, as a reader counts it (`end` is the day after)."""
        return self.end - timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    start: date
    capacity: tuple[float, ...]  # person-weeks per month for improvement work (booked against), 12 values
    load: tuple[float, ...]  # person-weeks booked per month
    items: tuple[Item, ...]
    beyond: tuple[Deferred, ...]
    done: tuple[Done, ...]
    dropped: tuple[Deferred, ...]
    departures: tuple[Departure, ...]
    ignored_edits: tuple[Edit, ...]  # edits naming no item this time; keep them, they may apply later
    risks: tuple[Risk, ...]
    suggested_okrs: tuple[SuggestedObjective, ...]
    action_plan: ActionPlan
    improvement_share: float = 1.0  # the share of the team's capacity in `capacity`

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    year, month = divmod(start.month - 1 + months, 12)
    day = min(start.day, calendar.monthrange(start.year + year, month + 1)[1])
    return date(start.year + year, month + 1, day)
