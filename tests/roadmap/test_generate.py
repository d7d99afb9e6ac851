"""Worked examples: what the planner schedules, where, and the reasons it gives."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Catalogue, Phase
from app.maturity.schema import Text
from app.roadmap.planner.generate import PlanInput, diff, generate
from app.roadmap.planner.plan import AddItem, ChangeOwner, Drop, Item, Move, Pin, Plan, ReasonCode, Resize
from tests.roadmap.builders import Spec, catalogue

START = date(2027, 4, 1)


def plan_for(cat: Catalogue, gaps: dict[str, tuple[int, int]], capacity: float = 8.0, **kwargs: Any) -> Plan:
    return generate(
        PlanInput(gaps=gaps, catalogue=cat, capacity_pw_per_month=[capacity], start=START, **kwargs)
    )


def item(plan: Plan, item_id: str) -> Item:
    found = plan.item(item_id)
    assert found is not None, f"{item_id} is not scheduled"
    return found


def sentences(found: Item) -> list[str]:
    return [r.text.en for r in found.reasons]


def codes(found: Item) -> list[ReasonCode]:
    return [r.code for r in found.reasons]


def test_a_gap_is_closed_in_its_playbook_phase_and_says_so() -> None:
    plan = plan_for(catalogue(Spec("tracking", phase="automation")), {"tracking": (1, 3)})
    tracking = item(plan, "tracking")
    assert (tracking.start_month, tracking.end_month, tracking.effort_pw) == (3, 4, 2.0)
    assert sentences(tracking) == [
        "Assessed at level 1, target 3. Now: tracking at level 1 Target: tracking at level 3",
        "2 person-weeks in month 4; the playbook puts this work in Automation (months 4–6).",
    ]
    assert tracking.reasons[0].text.ja == (
        "評価はレベル 1、目標はレベル 3 です。"
        "現状：tracking at level 1（日本語）目標：tracking at level 3（日本語）"
    )
    assert tracking.reasons[1].text.ja == (
        "2人週を4か月目に行います。プレイブックでは自動化（4〜6か月目）の作業です。"
    )
    assert (tracking.start, tracking.end) == (date(2027, 7, 1), date(2027, 8, 1))


def test_a_prerequisite_below_the_needed_level_gets_work_and_ends_before_its_dependant_starts() -> None:
    cat = catalogue(Spec("git"), Spec("ci", ["git"]))
    plan = plan_for(cat, {"ci": (0, 3)})
    git, ci = item(plan, "git"), item(plan, "ci")
    assert (git.from_level, git.to_level) == (0, 3)
    assert git.end_month <= ci.start_month
    assert "Prerequisite of Ci: needed at level 3 first." in sentences(git)
    assert "Starts in month 2, once Git has reached level 3." in sentences(ci)
    assert ci.prerequisites == ("git",)


def test_a_prerequisite_already_at_the_needed_level_does_not_hold_anything_up() -> None:
    cat = catalogue(Spec("git"), Spec("ci", ["git"]))
    plan = plan_for(cat, {"git": (2, 4), "ci": (0, 2)})
    assert item(plan, "ci").start_month == 0
    assert item(plan, "ci").prerequisites == ()


def test_full_capacity_moves_an_item_later_and_explains_it() -> None:
    cat = catalogue(Spec("big", effort=(2, 2, 9, 9)), Spec("small", effort=(1, 1, 9, 9)))
    plan = plan_for(cat, {"big": (0, 2), "small": (0, 2)}, capacity=4.0)
    assert item(plan, "big").start_month == 0
    assert item(plan, "small").start_month == 1
    assert "Moved to month 2: capacity in month 1 is full." in sentences(item(plan, "small"))


def test_larger_gaps_go_first_when_prerequisites_allow() -> None:
    cat = catalogue(Spec("a", effort=(2, 2, 2, 2)), Spec("b", effort=(2, 2, 2, 2)))
    plan = plan_for(cat, {"a": (2, 3), "b": (0, 3)}, capacity=2.0)
    assert (item(plan, "b").start_month, item(plan, "a").start_month) == (0, 3)


def test_higher_weight_breaks_a_tie_in_gap_size() -> None:
    cat = catalogue(Spec("a", effort=(4, 4, 4, 4)), Spec("b", effort=(4, 4, 4, 4), weight=2.0))
    plan = plan_for(cat, {"a": (0, 1), "b": (0, 1)}, capacity=4.0)
    assert [i.id for i in plan.items] == ["b", "a"]


def test_work_that_does_not_fit_in_twelve_months_goes_beyond_with_its_dependants() -> None:
    cat = catalogue(Spec("huge", effort=(30, 30, 30, 30)), Spec("after", ["huge"], effort=(1, 1, 1, 1)))
    plan = plan_for(cat, {"huge": (0, 3), "after": (0, 2)}, capacity=4.0)
    assert plan.items == ()
    assert [(d.id, d.reasons[-1].code) for d in plan.beyond] == [
        ("huge", ReasonCode.NO_CAPACITY),
        ("after", ReasonCode.PREREQUISITE_BEYOND),
    ]
    assert plan.beyond[1].reasons[-1].text.en == "Waits for Huge, which does not fit in the 12 months."


def test_achieved_capabilities_are_done() -> None:
    plan = plan_for(catalogue(Spec("a"), Spec("b")), {"a": (3, 3), "b": (4, 2)})
    assert [(d.capability_id, d.reason.text.en) for d in plan.done] == [
        ("a", "Already at level 3 (target 3)."),
        ("b", "Already at level 4 (target 2)."),
    ]
    assert plan.items == ()


def test_a_prerequisite_is_brought_forward_into_its_dependants_phase() -> None:
    cat = catalogue(Spec("registry", phase="automation"), Spec("deploy", ["registry"], phase="foundation"))
    plan = plan_for(cat, {"deploy": (0, 2)})
    registry = item(plan, "registry")
    assert registry.start_month == 0
    assert (
        "Brought forward from Automation (months 4–6) to Foundation (months 1–3): Deploy needs it."
        in sentences(registry)
    )
    [departure] = [d for d in plan.departures if d.item_id == "registry"]
    assert (
        departure.reason.text.en == "Starts in month 1, earlier than Automation (months 4–6) in the playbook."
    )
    assert [c.code for c in departure.causes] == [ReasonCode.BROUGHT_FORWARD]


def test_a_later_start_than_the_playbook_is_a_departure_with_its_cause() -> None:
    cat = catalogue(
        Spec("a", effort=(4, 4, 4, 4)), Spec("b", effort=(4, 4, 4, 4)), Spec("c", effort=(4, 4, 4, 4))
    )
    plan = plan_for(cat, {"a": (0, 3), "b": (0, 3), "c": (0, 3)}, capacity=4.0)
    late = [d for d in plan.departures if d.item_id == "c"]
    assert late
    assert late[0].reason.code is ReasonCode.LATER_THAN_PHASE
    assert [c.code for c in late[0].causes] == [ReasonCode.CAPACITY_FULL]


def test_an_owner_role_the_team_lacks_is_named() -> None:
    cat = catalogue(Spec("pipes", raci={"ml_engineer": "A", "data_engineer": "R"}))
    plan = plan_for(cat, {"pipes": (0, 2)}, team_roles={"ml_engineer": 0.5, "mlops_engineer": 0.5})
    assert "Needs someone in the Data engineer role, which the team does not have." in sentences(
        item(plan, "pipes")
    )


def test_phase_by_target_puts_modest_targets_earlier() -> None:
    cat = catalogue(Spec("mon", phase="monitoring", phase_by_target={2: "foundation"}))
    assert item(plan_for(cat, {"mon": (0, 2)}), "mon").phase is Phase.FOUNDATION
    assert item(plan_for(cat, {"mon": (0, 3)}), "mon").phase is Phase.MONITORING


def test_same_input_gives_the_same_plan() -> None:
    gaps = {c.id: (0, 3) for c in builtin_catalogue().capabilities}
    first = plan_for(builtin_catalogue(), gaps, capacity=6.0)
    again = plan_for(builtin_catalogue(), dict(reversed(gaps.items())), capacity=6.0)
    assert first == again


def test_unknown_capabilities_and_levels_are_refused() -> None:
    cat = catalogue(Spec("a"))
    with pytest.raises(ValueError, match="catalogue lacks: nowhere"):
        plan_for(cat, {"nowhere": (0, 1)})
    with pytest.raises(ValueError, match="levels outside 0–4 for: a"):
        plan_for(cat, {"a": (0, 7)})
    with pytest.raises(ValueError, match="capacity needs 1 or 12"):
        generate(PlanInput(gaps={}, catalogue=cat, capacity_pw_per_month=[1, 2], start=START))


class TestEdits:
    cat = catalogue(Spec("git"), Spec("ci", ["git"]), Spec("docs", phase="automation"))
    gaps = {"git": (0, 2), "ci": (0, 2), "docs": (0, 2)}  # noqa: RUF012

    def test_move_sets_the_start_month(self) -> None:
        plan = plan_for(self.cat, self.gaps, edits=[Move("docs", 1)])
        assert item(plan, "docs").start_month == 1
        assert "Moved to month 2 in your edits." in sentences(item(plan, "docs"))

    def test_a_move_before_a_prerequisite_ends_waits_for_it(self) -> None:
        plan = plan_for(self.cat, self.gaps, edits=[Move("ci", 0)])
        assert item(plan, "ci").start_month == item(plan, "git").end_month

    def test_resize_changes_effort_and_duration(self) -> None:
        plan = plan_for(self.cat, self.gaps, edits=[Resize("docs", effort_pw=3.0, duration_months=3)])
        docs = item(plan, "docs")
        assert (docs.effort_pw, docs.end_month - docs.start_month, docs.monthly_pw) == (3.0, 3, 1.0)
        assert {ReasonCode.RESIZED_EFFORT, ReasonCode.RESIZED_DURATION} <= set(codes(docs))

    def test_pinned_items_stay_put_when_gaps_change(self) -> None:
        plan = plan_for(self.cat, self.gaps, edits=[Pin("docs", 7, 9)])
        again = plan_for(self.cat, {**self.gaps, "docs": (1, 3)}, edits=[Pin("docs", 7, 9)])
        assert [
            (i.start_month, i.end_month, i.pinned) for i in (item(plan, "docs"), item(again, "docs"))
        ] == [
            (7, 9, True),
            (7, 9, True),
        ]
        assert "Pinned to months 8–9; regeneration keeps it there." in sentences(item(again, "docs"))

    def test_pinning_before_a_prerequisite_is_flagged(self) -> None:
        plan = plan_for(self.cat, self.gaps, edits=[Pin("ci", 0, 1)])
        assert ReasonCode.PINNED_BEFORE_PREREQUISITE in codes(item(plan, "ci"))

    def test_dropped_items_are_never_scheduled_and_their_dependants_are_warned(self) -> None:
        plan = plan_for(self.cat, self.gaps, edits=[Drop("git")])
        assert plan.item("git") is None
        assert [d.id for d in plan.dropped] == ["git"]
        assert "Its prerequisite Git was dropped: check that it is in place." in sentences(item(plan, "ci"))

    def test_custom_items_are_scheduled_after_their_prerequisites(self) -> None:
        add = AddItem(
            "custom-training",
            Text(en="Team training", ja="チーム研修"),
            2.0,
            Phase.FOUNDATION,
            ("product_owner",),
            ("ci",),
        )
        plan = plan_for(self.cat, self.gaps, edits=[add])
        custom = item(plan, "custom-training")
        assert custom.start_month >= item(plan, "ci").end_month
        assert custom.owner_roles == ("product_owner",)
        assert sentences(custom)[0] == "Added by hand."

    def test_change_owner_replaces_the_responsible_roles(self) -> None:
        plan = plan_for(self.cat, self.gaps, edits=[ChangeOwner("docs", ("data_scientist",))])
        assert item(plan, "docs").owner_roles == ("data_scientist",)
        assert "Owners changed to Data scientist in your edits." in sentences(item(plan, "docs"))

    def test_edits_for_items_not_in_the_plan_are_kept_aside(self) -> None:
        plan = plan_for(self.cat, {**self.gaps, "docs": (2, 2)}, edits=[Move("docs", 4)])
        assert plan.ignored_edits == (Move("docs", 4),)

    def test_bad_edits_are_refused(self) -> None:
        with pytest.raises(ValueError, match="pinned months 5–3"):
            plan_for(self.cat, self.gaps, edits=[Pin("docs", 5, 3)])

    def test_diff_shows_added_removed_moved_and_done(self) -> None:
        before = plan_for(self.cat, self.gaps)
        after = plan_for(self.cat, {**self.gaps, "git": (2, 2)}, edits=[Move("docs", 6)])
        changes = diff(before, after)
        assert changes.removed == ("git",)
        assert changes.now_done == ("git",)
        assert [(m.item_id, m.before, m.after) for m in changes.moved] == [
            ("ci", (1, 2), (0, 1)),
            ("docs", (3, 4), (6, 7)),
        ]
        assert changes.added == ()


def test_at_a_share_of_capacity_an_item_spans_the_months_its_effort_needs() -> None:
    plan = plan_for(catalogue(Spec("big", effort=(3, 3, 9, 9))), {"big": (0, 2)}, improvement_share=0.3)
    big = item(plan, "big")
    assert plan.capacity == pytest.approx((2.4,) * 12)  # 30 % of 8 person-weeks a month
    assert (big.start_month, big.end_month) == (0, 5)  # 6 pw at one person's 30 %: 1.2 pw a month
    assert big.monthly_pw == pytest.approx(1.2)
    assert sentences(big)[1].startswith("6 person-weeks at about 1.2 a month in months 1–5;")


def test_reasons_name_each_items_own_levels_and_the_prerequisites_it_builds_on() -> None:
    cat = catalogue(Spec("git"), Spec("ci", ["git"]), Spec("docs", ["git"]))
    plan = plan_for(cat, {"git": (1, 3), "ci": (0, 3), "docs": (2, 3)}, capacity=4.0)
    git, ci, docs = item(plan, "git"), item(plan, "ci"), item(plan, "docs")
    assert len({tuple(sentences(i)) for i in (git, ci, docs)}) == 3
    assert sentences(git)[0] == "Assessed at level 1, target 3. Now: git at level 1 Target: git at level 3"
    assert sentences(docs)[0].startswith("Assessed at level 2, target 3. Now: docs at level 2")
    for dependant in (ci, docs):
        on_git = [s for s in sentences(dependant) if "Git" in s]
        assert on_git, dependant.id
        assert all("level 3" in s for s in on_git)


def test_a_one_month_item_never_reads_months_n_to_n() -> None:
    plan = plan_for(catalogue(Spec("tracking")), {"tracking": (0, 2)})
    text = item(plan, "tracking").reasons[1].text
    assert text.en.startswith("2 person-weeks in month 1;")
    assert text.ja.startswith("2人週を1か月目に行います。")
