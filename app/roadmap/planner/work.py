"""From gaps and edits to the work to schedule: targets raised for prerequisites, effort, owners.

A gap is work from the current to the target level. Each prerequisite must reach the level it is
needed at before its dependant starts, so a prerequisite below that level gets work of its own (or
more of it), with the reason "prerequisite of ...". Dropped capabilities are never expanded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.catalogue.schema import Capability, Catalogue, ChecklistItem, KeyResult, Phase, Raci
from app.maturity.schema import MAX_LEVEL, MIN_LEVEL, Text
from app.roadmap.planner.plan import MONTHS, AddItem, Drop, Edit, Move, Pin, Reason, ReasonCode, Resize
from app.roadmap.planner.reasons import Names, explain

Gaps = Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class Edits:
    """The manager's edits, the last of each kind per item winning."""

    moves: Mapping[str, int] = field(default_factory=dict)
    resizes: Mapping[str, Resize] = field(default_factory=dict)
    pins: Mapping[str, Pin] = field(default_factory=dict)
    drops: frozenset[str] = frozenset()
    adds: Mapping[str, AddItem] = field(default_factory=dict)
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def effort(self, item_id: str, planned: float) -> float:
        """The effort an item books: pinned, else resized, else planned."""
        pin, resize = self.pins.get(item_id), self.resizes.get(item_id)
        if pin is not None and pin.effort_pw is not None:
            return pin.effort_pw
        if resize is not None and resize.effort_pw is not None:
            return resize.effort_pw
        return planned


@dataclass(frozen=True)
class Work:
    """One item to schedule, before it has months."""

    id: str
    capability: Capability | None
    title: Text
    from_level: int
    to_level: int
    phase: Phase
    effort: float
    effort_range: tuple[float, float]
    owner_roles: tuple[str, ...]
    accountable: str | None
    after: tuple[str, ...]
    value: float
    reasons: tuple[Reason, ...]

    @property
    def tools(self) -> tuple[str, ...]:
        return self.capability.tools if self.capability else ()

    @property
    def key_results(self) -> tuple[KeyResult, ...]:
        return self.capability.key_results if self.capability else ()

    @property
    def checklist(self) -> tuple[ChecklistItem, ...]:
        return self.capability.checklist if self.capability else ()


@dataclass
class Expansion:
    """Targets after prerequisites are raised, and who waits for whom."""

    targets: dict[str, tuple[int, int]] = field(default_factory=dict)
    after: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    needed_by: defaultdict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    dropped_prerequisites: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    dropped: dict[str, tuple[int, int]] = field(default_factory=dict)


def collect_edits(edits: Sequence[Edit]) -> Edits:
    """Check each edit and keep the last of each kind per item."""
    moves: dict[str, int] = {}
    resizes: dict[str, Resize] = {}
    pins: dict[str, Pin] = {}
    adds: dict[str, AddItem] = {}
    owners: dict[str, tuple[str, ...]] = {}
    drops: set[str] = set()
    for edit in edits:
        _check_edit(edit)
        if isinstance(edit, Move):
            moves[edit.item_id] = edit.start_month
        elif isinstance(edit, Resize):
            resizes[edit.item_id] = edit
        elif isinstance(edit, Pin):
            pins[edit.item_id] = edit
        elif isinstance(edit, Drop):
            drops.add(edit.item_id)
        elif isinstance(edit, AddItem):
            adds[edit.item_id] = edit
        else:
            owners[edit.item_id] = edit.owner_roles
    return Edits(moves, resizes, pins, frozenset(drops), adds, owners)


def _check_edit(edit: Edit) -> None:
    problem = _edit_problem(edit)
    if problem:
        raise ValueError(f"edit for {edit.item_id!r}: {problem}")


def _edit_problem(edit: Edit) -> str | None:
    if isinstance(edit, Move | AddItem):
        month = edit.start_month
        return None if month is None or 0 <= month < MONTHS else f"start month {month} is outside 0–11"
    if isinstance(edit, Pin):
        ok = 0 <= edit.start_month < edit.end_month <= MONTHS and (edit.effort_pw or 1) > 0
        return None if ok else f"pinned months {edit.start_month}–{edit.end_month} are not a range in 0–12"
    if isinstance(edit, Resize):
        bad_effort = edit.effort_pw is not None and edit.effort_pw <= 0
        bad_duration = edit.duration_months is not None and not 1 <= edit.duration_months <= MONTHS
        return "effort must be positive and duration 1–12 months" if bad_effort or bad_duration else None
    return None


def check_gaps(gaps: Gaps, catalogue: Catalogue) -> None:
    """Refuse gaps for capabilities the catalogue lacks, or levels outside 0–4."""
    known = {c.id for c in catalogue.capabilities}
    unknown = sorted(set(gaps) - known)
    if unknown:
        raise ValueError(f"gaps for capabilities the catalogue lacks: {', '.join(unknown)}")
    outside = sorted(c for c, levels in gaps.items() if not all(MIN_LEVEL <= v <= MAX_LEVEL for v in levels))
    if outside:
        raise ValueError(f"levels outside {MIN_LEVEL}–{MAX_LEVEL} for: {', '.join(outside)}")


def expand(gaps: Gaps, catalogue: Catalogue, drops: frozenset[str]) -> Expansion:
    """Targets for every gap, raised where a dependant needs a prerequisite at a higher level."""
    index = {c.id: c for c in catalogue.capabilities}
    expansion = Expansion()
    queue = [c.id for c in catalogue.capabilities if c.id in gaps and gaps[c.id][1] > gaps[c.id][0]]
    for capability_id in queue:
        if capability_id in drops:
            expansion.dropped[capability_id] = gaps[capability_id]
        else:
            expansion.targets[capability_id] = gaps[capability_id]
    queue = [c for c in queue if c not in drops]
    while queue:
        queue += _expand_one(index[queue.pop(0)], gaps, drops, expansion)
    return expansion


def _expand_one(capability: Capability, gaps: Gaps, drops: frozenset[str], expansion: Expansion) -> list[str]:
    """Record what `capability` waits for; return the prerequisites whose target rose."""
    raised: list[str] = []
    target = expansion.targets[capability.id][1]
    for prerequisite in capability.prerequisites:
        needed, other = prerequisite.needed_level(target), prerequisite.capability
        current = gaps.get(other, (0, 0))[0]
        if prerequisite.from_target > target or current >= needed:
            continue
        if other in drops:
            expansion.dropped_prerequisites[capability.id].add(other)
            expansion.dropped.setdefault(other, (current, needed))
            continue
        expansion.after[capability.id].add(other)
        expansion.needed_by[other][capability.id] = needed
        if expansion.targets.get(other, (current, 0))[1] < needed:
            expansion.targets[other] = (current, needed)
            raised.append(other)
    return raised


@dataclass(frozen=True)
class Owners:
    """Who does an item's work (Responsible) and who answers for it (Accountable)."""

    responsible: tuple[str, ...]
    accountable: str | None


def default_owners(capability: Capability) -> Owners:
    """The owners in the catalogue's default RACI."""
    return Owners(capability.roles(Raci.RESPONSIBLE), next(iter(capability.roles(Raci.ACCOUNTABLE)), None))


def team_owners(capability: Capability, row: Mapping[str, str], role_order: Sequence[str]) -> Owners | None:
    """The owners in the team's RACI row: its R roles, else its A; None when it names neither.

    Roles come in a stable order: the capability's own RACI order, then the catalogue's roles, then
    any other (custom) roles sorted, so a row that repeats the defaults gives the default owners.
    """
    order = list(dict.fromkeys([*capability.raci, *role_order]))
    ranked = sorted(row, key=lambda r: (order.index(r), "") if r in order else (len(order), r))
    responsible = tuple(r for r in ranked if row[r] == Raci.RESPONSIBLE)
    accountable = next((r for r in ranked if row[r] == Raci.ACCOUNTABLE), None)
    if responsible:
        return Owners(responsible, accountable)
    return Owners((accountable,), accountable) if accountable is not None else None


def effective_owners(
    capability: Capability, row: Mapping[str, str] | None, role_order: Sequence[str]
) -> Owners:
    """The team's owners where its row names any, else the catalogue's."""
    found = team_owners(capability, row, role_order) if row else None
    return found or default_owners(capability)


def capability_work(
    capability: Capability,
    expansion: Expansion,
    gaps: Gaps,
    edits: Edits,
    names: Names,
    owners: Owners | None = None,
) -> Work:
    """The work that raises one capability to its (possibly raised) target; `owners` are the
    effective RACI's (the catalogue's by default), a manager's owner edit still wins."""
    current, target = expansion.targets[capability.id]
    low, planned, high = capability.effort_between(current, target)
    effort = edits.effort(capability.id, planned)
    default = default_owners(capability)
    chosen = owners or default
    from_team = [] if chosen == default else [_from_team(chosen, names)]
    return Work(
        id=capability.id,
        capability=capability,
        title=capability.name,
        from_level=current,
        to_level=target,
        phase=capability.phase_for(target),
        effort=effort,
        effort_range=(low, high),
        owner_roles=edits.owners.get(capability.id, chosen.responsible),
        accountable=chosen.accountable,
        after=tuple(sorted(expansion.after[capability.id])),
        value=(target - current) * capability.weight,
        reasons=(
            *_why(capability, expansion, gaps, names),
            *from_team,
            *edit_reasons(capability.id, edits, names),
        ),
    )


def _from_team(owners: Owners, names: Names) -> Reason:
    roles = ",".join(owners.responsible)
    return explain(ReasonCode.OWNERS_FROM_RACI, names, roles=roles, role=owners.accountable or "")


def _why(capability: Capability, expansion: Expansion, gaps: Gaps, names: Names) -> list[Reason]:
    current, assessed = gaps.get(capability.id, (0, 0))
    reasons = []
    if assessed > current:
        reasons.append(
            explain(
                ReasonCode.CLOSES_GAP, names, capability=capability.id, from_level=current, to_level=assessed
            )
        )
    needed_by = expansion.needed_by.get(capability.id, {})
    if needed_by:
        dependants = ",".join(sorted(needed_by))
        reasons.append(
            explain(ReasonCode.PREREQUISITE_OF, names, dependant=dependants, level=max(needed_by.values()))
        )
    reasons += [
        explain(ReasonCode.PREREQUISITE_DROPPED, names, prerequisite=p)
        for p in sorted(expansion.dropped_prerequisites.get(capability.id, ()))
    ]
    return reasons


def edit_reasons(item_id: str, edits: Edits, names: Names) -> list[Reason]:
    """Reasons recording the manager's resize and owner edits on an item."""
    reasons = []
    resize = edits.resizes.get(item_id)
    if resize and resize.effort_pw is not None:
        reasons.append(explain(ReasonCode.RESIZED_EFFORT, names, effort=resize.effort_pw))
    if resize and resize.duration_months is not None:
        reasons.append(explain(ReasonCode.RESIZED_DURATION, names, months=resize.duration_months))
    if item_id in edits.owners:
        reasons.append(explain(ReasonCode.OWNER_CHANGED, names, roles=",".join(edits.owners[item_id])))
    return reasons


def custom_work(add: AddItem, known: set[str], edits: Edits, names: Names) -> Work:
    """A custom item; it waits only for prerequisites that have work in this plan."""
    effort = edits.effort(add.item_id, add.effort_pw)
    owners = edits.owners.get(add.item_id, add.owner_roles)
    custom = explain(ReasonCode.CUSTOM, names)
    dropped = [
        explain(ReasonCode.PREREQUISITE_DROPPED, names, prerequisite=p)
        for p in add.prerequisites
        if p in edits.drops
    ]
    return Work(
        id=add.item_id,
        capability=None,
        title=add.title,
        from_level=0,
        to_level=0,
        phase=add.phase,
        effort=effort,
        effort_range=(effort, effort),
        owner_roles=owners,
        accountable=owners[0] if owners else None,
        after=tuple(sorted(p for p in add.prerequisites if p in known)),
        value=0.0,
        reasons=(custom, *dropped, *edit_reasons(add.item_id, edits, names)),
    )
