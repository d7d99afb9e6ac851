"""Properties of generation on random catalogues (random prerequisite DAGs), gaps, capacities and edits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalogue.schema import Catalogue
from app.roadmap.planner.generate import DEFAULT_MAX_PW_PER_ITEM_MONTH, PlanInput, generate
from app.roadmap.planner.plan import Drop, Edit, Pin, Plan, ReasonCode
from tests.roadmap.builders import ROLES, Spec, catalogue

TOLERANCE = 1e-6
PHASES = ("foundation", "automation", "monitoring", "optimisation")
EXAMPLES = settings(deadline=None, max_examples=100, derandomize=True)


@dataclass(frozen=True)
class Case:
    catalogue: Catalogue
    gaps: dict[str, tuple[int, int]]
    capacity: list[float]
    team: dict[str, float]
    raci: dict[str, dict[str, str]] = field(default_factory=dict)  # the team's own RACI rows
    share: float = 1.0  # of capacity spent on improvement work

    def plan(
        self,
        edits: list[Edit] | None = None,
        gaps: dict[str, tuple[int, int]] | None = None,
        raci: dict[str, dict[str, str]] | None = None,
    ) -> Plan:
        return generate(
            PlanInput(
                gaps=self.gaps if gaps is None else gaps,
                catalogue=self.catalogue,
                capacity_pw_per_month=self.capacity,
                start=date(2027, 1, 31),
                team_roles=self.team,
                team_raci=self.raci if raci is None else raci,
                edits=edits or [],
                improvement_share=self.share,
            )
        )


@st.composite
def specs(draw: st.DrawFn) -> list[Spec]:
    """Up to 12 capabilities, each naming some earlier ones as prerequisites: always a DAG."""
    count = draw(st.integers(1, 12))
    made = []
    for n in range(count):
        earlier = draw(st.sets(st.integers(0, n - 1), max_size=3)) if n else set()
        made.append(
            Spec(
                id=f"c{n}",
                prerequisites=[_prerequisite(draw, f"c{e}") for e in sorted(earlier)],
                phase=draw(st.sampled_from(PHASES)),
                effort=draw(st.lists(st.floats(0.1, 6.0), min_size=4, max_size=4)),
                weight=draw(st.sampled_from([0.5, 1.0, 2.0])),
                raci={draw(st.sampled_from(ROLES[:3] + ROLES[4:])): "A", "data_scientist": "R"},
                checklist_roles=draw(st.lists(st.none() | st.sampled_from(ROLES), min_size=3, max_size=3)),
            )
        )
    return made


def _prerequisite(draw: st.DrawFn, capability: str) -> object:
    if draw(st.booleans()):
        return capability
    level = draw(st.none() | st.integers(1, 3))
    return {"capability": capability, "level": level, "from_target": draw(st.integers(1, 4))}


levels = st.tuples(st.integers(0, 4), st.integers(0, 4))
# Mostly real gaps, some achieved: current 0-3 and a target up to 3 levels higher (or 1 lower).
gap_levels = st.tuples(st.integers(0, 3), st.integers(-1, 3)).map(
    lambda p: (p[0], min(4, max(0, p[0] + p[1])))
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    made = draw(specs())
    gaps = {s.id: draw(gap_levels) for s in made if draw(st.integers(0, 3))}
    monthly = st.floats(0.0, 8.0)
    capacity = draw(st.lists(monthly, min_size=12, max_size=12) | st.lists(monthly, min_size=1, max_size=1))
    team = draw(st.dictionaries(st.sampled_from(ROLES), st.floats(0.1, 1.0), max_size=3))
    # Mostly a realistic share, so that items span several months; sometimes all or almost nothing.
    share = draw(st.sampled_from([0.3, 0.3, 0.2, 0.5, 1.0]) | st.floats(0.01, 1.0))
    return Case(catalogue(*made), gaps, capacity, team, draw(raci_rows([s.id for s in made])), share)


# A team's rows: any letters, valid or not, for recommended and custom roles, for some capabilities.
raci_row = st.dictionaries(st.sampled_from([*ROLES, "platform lead"]), st.sampled_from("RACI"), max_size=4)


def raci_rows(capabilities: list[str]) -> st.SearchStrategy[dict[str, dict[str, str]]]:
    return st.dictionaries(st.sampled_from([*capabilities, "unknown"]), raci_row, max_size=len(capabilities))


def spans(plan: Plan) -> dict[str, tuple[int, int]]:
    return {i.id: (i.start_month, i.end_month) for i in plan.items}


def check_prerequisites(case: Case, plan: Plan, pinned: frozenset[str] = frozenset()) -> None:
    """A prerequisite below its needed level reaches it in an item ending before its dependant starts."""
    items = {i.id: i for i in plan.items}
    current = {c: levels[0] for c, levels in case.gaps.items()}
    dropped = {d.id for d in plan.dropped}
    for item in plan.items:
        capability = case.catalogue.capability(item.id)
        assert capability is not None
        for prerequisite in capability.prerequisites:
            needed = prerequisite.needed_level(item.to_level)
            other = prerequisite.capability
            if (
                prerequisite.from_target > item.to_level
                or current.get(other, 0) >= needed
                or other in dropped
            ):
                continue
            if item.id in pinned and (other not in items or items[other].end_month > item.start_month):
                assert ReasonCode.PINNED_BEFORE_PREREQUISITE in {r.code for r in item.reasons}
                continue
            assert other in items, f"{item.id} is scheduled but its prerequisite {other} is not"
            assert items[other].to_level >= needed
            assert items[other].end_month <= item.start_month


def check_capacity(plan: Plan) -> None:
    for month in range(12):
        booked = sum(i.monthly_pw for i in plan.items if i.start_month <= month < i.end_month)
        assert abs(booked - plan.load[month]) < TOLERANCE
        assert booked <= plan.capacity[month] + TOLERANCE


def check_nothing_lost(case: Case, plan: Plan) -> None:
    placed = {i.id for i in plan.items} | {d.id for d in plan.beyond} | {d.id for d in plan.dropped}
    done = {d.capability_id for d in plan.done}
    for capability, (current, target) in case.gaps.items():
        assert capability in (placed if target > current else done)
    assert not ({i.id for i in plan.items} & {d.id for d in plan.beyond})


@EXAMPLES
@given(cases())
def test_prerequisites_end_before_their_dependants_start(case: Case) -> None:
    check_prerequisites(case, case.plan())


@EXAMPLES
@given(cases())
def test_monthly_capacity_is_never_exceeded(case: Case) -> None:
    check_capacity(case.plan())


@EXAMPLES
@given(cases())
def test_every_gap_is_scheduled_done_or_beyond(case: Case) -> None:
    plan = case.plan()
    check_nothing_lost(case, plan)
    assert all(i.end_month <= 12 and i.start_month >= 0 for i in plan.items)
    assert all(
        d.reasons[-1].code in (ReasonCode.NO_CAPACITY, ReasonCode.PREREQUISITE_BEYOND) for d in plan.beyond
    )


@EXAMPLES
@given(cases())
def test_the_same_input_gives_the_same_plan(case: Case) -> None:
    reordered = {c: dict(reversed(row.items())) for c, row in reversed(case.raci.items())}
    assert case.plan() == case.plan(gaps=dict(reversed(case.gaps.items())), raci=reordered)


@EXAMPLES
@given(cases())
def test_owners_follow_the_teams_raci_where_its_row_names_any(case: Case) -> None:
    for item in case.plan().items:
        row = case.raci.get(item.id, {})
        responsible = {r for r, letter in row.items() if letter == "R"}
        accountable = {r for r, letter in row.items() if letter == "A"}
        assert len(set(item.owner_roles)) == len(item.owner_roles)
        if responsible:
            assert set(item.owner_roles) == responsible
            assert item.accountable in (accountable or {None})
        elif accountable:
            assert item.owner_roles == (item.accountable,)
            assert item.accountable in accountable
        else:
            assert item.owner_roles == ("data_scientist",)  # the catalogue's default


@EXAMPLES
@given(cases())
def test_every_task_goes_to_a_role_responsible_or_accountable_for_its_item(case: Case) -> None:
    plan = case.plan()
    items = {i.id: i for i in plan.items}
    for task in plan.action_plan.tasks:
        if task.item_id is not None:
            item = items[task.item_id]
            assert task.owner_role in (*item.owner_roles, item.accountable)


@EXAMPLES
@given(cases(), st.data())
def test_pinned_items_keep_their_months_when_gaps_change(case: Case, data: st.DataObject) -> None:
    first = case.plan()
    chosen = data.draw(
        st.sets(st.sampled_from([i.id for i in first.items])) if first.items else st.just(set())
    )
    pins: list[Edit] = [
        Pin(i.id, i.start_month, i.end_month, i.effort_pw) for i in first.items if i.id in chosen
    ]
    changed = {c: data.draw(levels) for c in case.gaps}
    again = case.plan(edits=pins, gaps=changed)
    for pin in pins:
        assert isinstance(pin, Pin)
        if pin.item_id not in {d.capability_id for d in again.done} | {d.id for d in again.dropped}:
            assert spans(again).get(pin.item_id) in (None, (pin.start_month, pin.end_month))
            assert pin.item_id not in {d.id for d in again.beyond}
    check_capacity(again)
    changed_case = Case(case.catalogue, changed, case.capacity, case.team, share=case.share)
    check_prerequisites(changed_case, again, frozenset(chosen))


@EXAMPLES
@given(cases(), st.data())
def test_dropped_items_never_reappear(case: Case, data: st.DataObject) -> None:
    ids = [c.id for c in case.catalogue.capabilities]
    drops = data.draw(st.sets(st.sampled_from(ids)))
    plan = case.plan(edits=[Drop(i) for i in sorted(drops)])
    assert not drops & ({i.id for i in plan.items} | {d.id for d in plan.beyond})
    check_nothing_lost(case, plan)


@EXAMPLES
@given(cases())
def test_achieved_capabilities_are_done(case: Case) -> None:
    plan = case.plan()
    achieved = {c for c, (current, target) in case.gaps.items() if current >= target}
    assert {d.capability_id for d in plan.done} == achieved


@EXAMPLES
@given(cases())
def test_only_the_improvement_share_of_capacity_is_booked(case: Case) -> None:
    plan = case.plan()
    team = case.capacity * 12 if len(case.capacity) == 1 else case.capacity
    assert plan.capacity == pytest.approx([c * case.share for c in team])
    assert all(booked <= c * case.share + TOLERANCE for booked, c in zip(plan.load, team, strict=True))


@EXAMPLES
@given(cases())
def test_an_item_spans_the_months_its_effort_needs_at_one_persons_share(case: Case) -> None:
    rate = DEFAULT_MAX_PW_PER_ITEM_MONTH * case.share
    for item in case.plan().items:
        months = item.end_month - item.start_month
        assert months >= math.ceil(item.effort_pw / rate - TOLERANCE)
        assert item.monthly_pw <= rate + TOLERANCE
        assert item.monthly_pw * months == pytest.approx(item.effort_pw)


@EXAMPLES
@given(cases())
def test_multi_month_prerequisites_end_before_their_dependants_start_at_any_share(case: Case) -> None:
    plan = case.plan()
    items = {i.id: i for i in plan.items}
    for item in plan.items:
        for prerequisite in item.prerequisites:
            assert items[prerequisite].end_month <= item.start_month
