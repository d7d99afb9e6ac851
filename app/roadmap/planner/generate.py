"""Generate a roadmap from an assessment's gaps: pure, deterministic, every placement explained.

Order: prerequisites first; among the work ready to start, the manager's moves, then the playbook
phase (brought forward when a dependant in an earlier phase needs it), then value (gap × weight),
then id. Only the team's improvement share of its capacity is booked, and one item gets at most about
one person's share (so a bigger item takes more months). Each item's effort is spread evenly over the
fewest months whose free capacity holds it; pinned items book capacity first. What does not fit in
12 months goes to `beyond` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypedDict

from app.catalogue.schema import Capability, Catalogue, Phase
from app.maturity.schema import Text
from app.roadmap.planner import action_plan, okrs, risks
from app.roadmap.planner import evidence as cited
from app.roadmap.planner.plan import (
    MONTHS,
    Deferred,
    Departure,
    Done,
    Edit,
    EvidenceFact,
    Item,
    Plan,
    PocCandidate,
    Reason,
    ReasonCode,
    Risk,
    add_months,
)
from app.roadmap.planner.reasons import Names, explain
from app.roadmap.planner.scheduling import EPSILON, Job, Placement, Slot, place, topological_order
from app.roadmap.planner.work import (
    Edits,
    Expansion,
    Gaps,
    Owners,
    Work,
    capability_work,
    check_gaps,
    collect_edits,
    custom_work,
    effective_owners,
    expand,
)

# About one person full time on one item (before the improvement share); a bigger item takes more
# months rather than more people.
DEFAULT_MAX_PW_PER_ITEM_MONTH = 4.0
DELAY_CAUSES = frozenset(
    {ReasonCode.WAITS_FOR, ReasonCode.CAPACITY_FULL, ReasonCode.MOVED, ReasonCode.PINNED}
)
EARLY_CAUSES = frozenset({ReasonCode.BROUGHT_FORWARD, ReasonCode.MOVED, ReasonCode.PINNED})


@dataclass(frozen=True)
class PlanInput:
    """Everything a plan depends on; the same input always gives the same plan."""

    gaps: Gaps  # capability id → (current level, target level)
    catalogue: Catalogue
    capacity_pw_per_month: Sequence[float]  # 12 values, or one for every month
    start: date
    team_roles: Mapping[str, float] = field(default_factory=dict)  # role id → share of capacity
    # The team's own RACI rows (capability id → role → letter); ids the catalogue lacks are ignored.
    team_raci: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    edits: Sequence[Edit] = ()
    poc_candidates: Sequence[PocCandidate] = ()
    max_pw_per_item_month: float = DEFAULT_MAX_PW_PER_ITEM_MONTH
    # The share (0–1] of capacity and of the per-item rate spent on improvement work, i.e. this plan.
    improvement_share: float = 1.0
    # Capability id → what the team's evidence said where it decided (or contradicts) the current level.
    evidence: Mapping[str, EvidenceFact] = field(default_factory=dict)


@dataclass(frozen=True)
class Moved:
    item_id: str
    before: tuple[int, int]  # start and end month
    after: tuple[int, int]


@dataclass(frozen=True)
class PlanDiff:
    """What changed between two plans, e.g. after a new assessment."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    moved: tuple[Moved, ...]
    resized: tuple[str, ...]
    now_done: tuple[str, ...]
    now_beyond: tuple[str, ...]


def generate(plan_input: PlanInput) -> Plan:
    """The roadmap for `plan_input`: items, beyond, done, departures, risks, OKRs, action plan."""
    catalogue = plan_input.catalogue
    share = _share(plan_input.improvement_share)
    capacity = tuple(c * share for c in _capacity(plan_input.capacity_pw_per_month))
    check_gaps(plan_input.gaps, catalogue)
    edits = collect_edits(plan_input.edits)
    names = _names(catalogue, edits, plan_input.evidence)
    expansion = expand(plan_input.gaps, catalogue, edits.drops)
    works = _works(plan_input, expansion, edits, names)
    phases, pulled_by = _effective_phases(works)
    order = _priority_order(works, phases, edits)
    jobs = [_job(works[w], phases[w], edits) for w in order]
    placement = place(jobs, capacity, plan_input.max_pw_per_item_month * share)
    items = _items(order, works, phases, pulled_by, placement, edits, plan_input.start, names)
    beyond = tuple(_beyond(works[w], placement, names) for w in order if w in placement.blocked)
    return _assemble(plan_input, capacity, placement, items, beyond, expansion, edits, works, names)


def _assemble(
    plan_input: PlanInput,
    capacity: tuple[float, ...],
    placement: Placement,
    items: tuple[Item, ...],
    beyond: tuple[Deferred, ...],
    expansion: Expansion,
    edits: Edits,
    works: Mapping[str, Work],
    names: Names,
) -> Plan:
    catalogue = plan_input.catalogue
    found = risks.assess(items, beyond, catalogue, plan_input.team_roles, names)
    items = _with_risks(items, found, names)
    return Plan(
        start=plan_input.start,
        capacity=capacity,
        improvement_share=plan_input.improvement_share,
        load=placement.load,
        items=items,
        beyond=beyond,
        done=_done(plan_input.gaps, catalogue, names),
        dropped=_dropped(expansion, plan_input, names),
        departures=_departures(items, beyond),
        ignored_edits=tuple(e for e in plan_input.edits if not _applies(e, works, expansion, edits)),
        risks=found,
        suggested_okrs=okrs.suggest(items, catalogue),
        action_plan=action_plan.build(items, catalogue, plan_input.start, plan_input.poc_candidates, names),
    )


def _with_risks(items: tuple[Item, ...], found: Sequence[Risk], names: Names) -> tuple[Item, ...]:
    """Each item named by a risk says which one."""
    named: dict[str, list[Reason]] = {}
    for risk in found:
        for item_id in risk.item_ids:
            named.setdefault(item_id, []).append(explain(ReasonCode.AT_RISK, names, risk=risk.kind.value))
    return tuple(replace(i, reasons=(*i.reasons, *named[i.id])) if i.id in named else i for i in items)


def _capacity(values: Sequence[float]) -> tuple[float, ...]:
    if len(values) not in (1, MONTHS) or any(v < 0 for v in values):
        raise ValueError(f"capacity needs 1 or {MONTHS} non-negative values, got {list(values)}")
    return tuple(values) * MONTHS if len(values) == 1 else tuple(values)


def _share(value: float) -> float:
    if not 0 < value <= 1:
        raise ValueError(f"the improvement share must be above 0 and at most 1, got {value}")
    return value


def _names(catalogue: Catalogue, edits: Edits, evidence: Mapping[str, EvidenceFact]) -> Names:
    titles = {c.id: c.name for c in catalogue.capabilities} | {
        a.item_id: a.title for a in edits.adds.values()
    }
    roles = {r.id: r.name for r in catalogue.roles}
    levels = {c.id: c.levels for c in catalogue.capabilities}
    return Names(
        lambda item_id: titles.get(item_id, Text(en=item_id, ja=item_id)),
        roles,
        lambda capability, level: levels.get(capability, {}).get(level),
        {r.id.value: r.name for r in catalogue.risks},
        cited.says(evidence),
    )


def _works(plan_input: PlanInput, expansion: Expansion, edits: Edits, names: Names) -> dict[str, Work]:
    catalogue = plan_input.catalogue
    clash = sorted(set(edits.adds) & {c.id for c in catalogue.capabilities})
    if clash:
        raise ValueError(f"custom item ids clash with capability ids: {', '.join(clash)}")
    works = {
        c.id: cited.with_evidence(
            capability_work(c, expansion, plan_input.gaps, edits, names, _owners(plan_input, c)),
            plan_input.evidence.get(c.id) if c.id in plan_input.gaps else None,
            names,
        )
        for c in catalogue.capabilities
        if c.id in expansion.targets
    }
    known = set(works) | {a for a in edits.adds if a not in edits.drops}
    for add in edits.adds.values():
        if add.item_id not in edits.drops:
            works[add.item_id] = custom_work(add, known, edits, names)
    return {w: _with_missing_roles(work, plan_input.team_roles, names) for w, work in works.items()}


def _owners(plan_input: PlanInput, capability: Capability) -> Owners:
    role_order = [r.id for r in plan_input.catalogue.roles]
    return effective_owners(capability, plan_input.team_raci.get(capability.id), role_order)


def _with_missing_roles(work: Work, team_roles: Mapping[str, float], names: Names) -> Work:
    """Name the owner roles the team lacks (when the team's roles are known at all)."""
    if not team_roles:
        return work
    missing = [r for r in work.owner_roles if team_roles.get(r, 0) <= 0]
    reasons = [explain(ReasonCode.MISSING_ROLE, names, role=r) for r in missing]
    return replace(work, reasons=(*work.reasons, *reasons))


def _effective_phases(works: Mapping[str, Work]) -> tuple[dict[str, Phase], dict[str, str]]:
    """Each work's phase, brought forward to the earliest phase of any work that waits for it."""
    after = {w: works[w].after for w in works}
    phases = {w: works[w].phase for w in works}
    pulled_by: dict[str, str] = {}
    dependants: dict[str, list[str]] = {w: [] for w in works}
    for w in works:
        for p in after[w]:
            dependants[p].append(w)
    for w in reversed(topological_order(works, after)):
        earliest = min(dependants[w], key=lambda d: (phases[d].order, d), default=None)
        if earliest is not None and phases[earliest].order < phases[w].order:
            phases[w], pulled_by[w] = phases[earliest], earliest
    return phases, pulled_by


def _priority_order(works: Mapping[str, Work], phases: Mapping[str, Phase], edits: Edits) -> list[str]:
    def key(w: str) -> tuple[int, int, float, str]:
        return (0 if _move(w, edits) is not None else 1, phases[w].order, -works[w].value, w)

    return topological_order(works, {w: works[w].after for w in works}, key)


def _move(item_id: str, edits: Edits) -> int | None:
    add = edits.adds.get(item_id)
    return edits.moves.get(item_id, add.start_month if add else None)


def _job(work: Work, phase: Phase, edits: Edits) -> Job:
    pin = edits.pins.get(work.id)
    resize = edits.resizes.get(work.id)
    moved = _move(work.id, edits)
    return Job(
        id=work.id,
        effort=work.effort,
        earliest=phase.months[0] if moved is None else moved,
        after=work.after,
        duration=resize.duration_months if resize else None,
        pin=(pin.start_month, pin.end_month) if pin else None,
    )


def _items(
    order: Sequence[str],
    works: Mapping[str, Work],
    phases: Mapping[str, Phase],
    pulled_by: Mapping[str, str],
    placement: Placement,
    edits: Edits,
    start: date,
    names: Names,
) -> tuple[Item, ...]:
    items = []
    for w in order:
        slot = placement.slots.get(w)
        if slot is not None:
            after = _prerequisite_reasons(works, w, slot, placement, edits, names)
            reasons = _placement_reasons(works[w], slot, phases[w], pulled_by.get(w), edits, names, after)
            reasons += _pin_conflicts(works[w], slot, placement, edits, names)
            items.append(_item(works[w], slot, start, reasons, pinned=w in edits.pins))
    return tuple(sorted(items, key=lambda i: (i.start_month, i.end_month, i.id)))


def _placement_reasons(
    work: Work,
    slot: Slot,
    phase: Phase,
    pulled_by: str | None,
    edits: Edits,
    names: Names,
    prerequisites: Sequence[Reason] = (),
) -> list[Reason]:
    """Why the item sits where it does: its phase, edits, the prerequisites it waits for, capacity."""
    reasons = list(work.reasons)
    if pulled_by is None:
        schedule = {"from_month": slot.start + 1, "to_month": slot.end, "rate": round(slot.rate, 1)}
        reasons.append(
            explain(
                ReasonCode.PLAYBOOK_PHASE, names, phase=work.phase, effort=round(work.effort, 1), **schedule
            )
        )
    else:
        reasons.append(
            explain(ReasonCode.BROUGHT_FORWARD, names, phase=work.phase, to_phase=phase, dependant=pulled_by)
        )
    if work.id in edits.pins:
        reasons.append(explain(ReasonCode.PINNED, names, from_month=slot.start + 1, to_month=slot.end))
        return reasons + _phase_departure(work, slot, names)
    if work.id in edits.moves:
        reasons.append(explain(ReasonCode.MOVED, names, month=edits.moves[work.id] + 1))
    reasons += prerequisites
    if slot.start > slot.ready:
        reasons.append(
            explain(
                ReasonCode.CAPACITY_FULL,
                names,
                month=slot.start + 1,
                from_month=slot.ready + 1,
                to_month=slot.start,
            )
        )
    return reasons + _phase_departure(work, slot, names)


def _prerequisite_reasons(
    works: Mapping[str, Work], w: str, slot: Slot, placement: Placement, edits: Edits, names: Names
) -> list[Reason]:
    """The prerequisite that held the item up, and the others it builds on, with their levels."""
    if w in edits.pins:
        return []
    reasons = []
    if slot.waited_for is not None:
        level = works[slot.waited_for].to_level
        reasons.append(
            explain(
                ReasonCode.WAITS_FOR, names, prerequisite=slot.waited_for, month=slot.ready + 1, level=level
            )
        )
    quiet = [p for p in works[w].after if p != slot.waited_for and p in placement.slots]
    return reasons + [
        explain(
            ReasonCode.BUILDS_ON, names, prerequisite=p, level=works[p].to_level, month=placement.slots[p].end
        )
        for p in quiet
    ]


def _phase_departure(work: Work, slot: Slot, names: Names) -> list[Reason]:
    first, end = work.phase.months
    if slot.start >= end:
        return [explain(ReasonCode.LATER_THAN_PHASE, names, month=slot.start + 1, phase=work.phase)]
    if slot.start < first:
        return [explain(ReasonCode.EARLIER_THAN_PHASE, names, month=slot.start + 1, phase=work.phase)]
    return []


def _pin_conflicts(work: Work, slot: Slot, placement: Placement, edits: Edits, names: Names) -> list[Reason]:
    if work.id not in edits.pins:
        return []
    late = [p for p in work.after if p not in placement.slots or placement.slots[p].end > slot.start]
    reasons = [explain(ReasonCode.PINNED_BEFORE_PREREQUISITE, names, prerequisite=p) for p in late]
    full = [m for m in range(slot.start, slot.end) if placement.load[m] > placement.capacity[m] + EPSILON]
    return reasons + [explain(ReasonCode.OVER_CAPACITY, names, month=m + 1) for m in full]


def _item(work: Work, slot: Slot, start: date, reasons: list[Reason], *, pinned: bool) -> Item:
    return Item(
        **_described(work),
        dimension=work.capability.dimension if work.capability else None,
        effort_range=work.effort_range,
        accountable=work.accountable,
        tools=work.tools,
        key_results=work.key_results,
        checklist=work.checklist,
        prerequisites=work.after,
        start_month=slot.start,
        end_month=slot.end,
        monthly_pw=slot.rate,
        start=add_months(start, slot.start),
        end=add_months(start, slot.end),
        pinned=pinned,
        reasons=tuple(reasons),
    )


def _beyond(work: Work, placement: Placement, names: Names) -> Deferred:
    blocked = placement.blocked[work.id]
    if blocked.prerequisite is not None:
        why = explain(ReasonCode.PREREQUISITE_BEYOND, names, prerequisite=blocked.prerequisite)
    else:
        why = explain(ReasonCode.NO_CAPACITY, names, month=blocked.ready + 1)
    return _deferred(work, (*work.reasons, why))


def _deferred(work: Work, reasons: tuple[Reason, ...]) -> Deferred:
    return Deferred(**_described(work), reasons=reasons)


class _Described(TypedDict):
    """The fields an item, scheduled or deferred, takes from its work (typed: mypy checks each one)."""

    id: str
    capability_id: str | None
    title: Text
    from_level: int
    to_level: int
    phase: Phase
    effort_pw: float
    owner_roles: tuple[str, ...]


def _described(work: Work) -> _Described:
    """What an item, scheduled or deferred, says about its work."""
    return {
        "id": work.id,
        "capability_id": work.capability.id if work.capability else None,
        "title": work.title,
        "from_level": work.from_level,
        "to_level": work.to_level,
        "phase": work.phase,
        "effort_pw": work.effort,
        "owner_roles": work.owner_roles,
    }


def _done(gaps: Gaps, catalogue: Catalogue, names: Names) -> tuple[Done, ...]:
    achieved = [
        (c, gaps[c.id]) for c in catalogue.capabilities if c.id in gaps and gaps[c.id][0] >= gaps[c.id][1]
    ]
    return tuple(
        Done(c.id, c.name, current, target, explain(ReasonCode.ACHIEVED, names, level=current, target=target))
        for c, (current, target) in achieved
    )


def _dropped(expansion: Expansion, plan_input: PlanInput, names: Names) -> tuple[Deferred, ...]:
    why = (explain(ReasonCode.DROPPED, names),)
    dropped = []
    for capability in plan_input.catalogue.capabilities:
        if capability.id in expansion.dropped:
            current, target = expansion.dropped[capability.id]
            effort = capability.effort_between(current, target)[1]
            phase = capability.phase_for(target)
            roles = _owners(plan_input, capability).responsible
            dropped.append(
                Deferred(
                    capability.id, capability.id, capability.name, current, target, phase, effort, roles, why
                )
            )
    return tuple(dropped)


def _departures(items: Sequence[Item], beyond: Sequence[Deferred]) -> tuple[Departure, ...]:
    departures = []
    for item in items:
        for reason in item.reasons:
            if reason.code in (ReasonCode.LATER_THAN_PHASE, ReasonCode.EARLIER_THAN_PHASE):
                causes = DELAY_CAUSES if reason.code is ReasonCode.LATER_THAN_PHASE else EARLY_CAUSES
                departures.append(
                    Departure(item.id, reason, tuple(r for r in item.reasons if r.code in causes))
                )
    departures += [Departure(d.id, d.reasons[-1], ()) for d in beyond]
    return tuple(departures)


def _applies(edit: Edit, works: Mapping[str, Work], expansion: Expansion, edits: Edits) -> bool:
    return edit.item_id in works or edit.item_id in expansion.dropped or edit.item_id in edits.adds


def diff(previous: Plan, current: Plan) -> PlanDiff:
    """Items added, removed, moved or resized, and those now done or beyond, from `previous` to `current`."""
    before = {i.id: i for i in previous.items}
    after = {i.id: i for i in current.items}
    common = [i for i in after if i in before]
    return PlanDiff(
        added=tuple(i for i in after if i not in before),
        removed=tuple(i for i in before if i not in after),
        moved=tuple(_moved(before[i], after[i]) for i in common if _span(before[i]) != _span(after[i])),
        resized=tuple(i for i in common if abs(before[i].effort_pw - after[i].effort_pw) > EPSILON),
        now_done=tuple(d.capability_id for d in current.done if d.capability_id in before),
        now_beyond=tuple(d.id for d in current.beyond if d.id in before),
    )


def _span(item: Item) -> tuple[int, int]:
    return item.start_month, item.end_month


def _moved(before: Item, after: Item) -> Moved:
    return Moved(after.id, _span(before), _span(after))
