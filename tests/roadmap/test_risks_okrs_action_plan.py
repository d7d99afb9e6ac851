"""Risks flagged from the plan's signs, OKRs suggested from its items, and the 3-month action plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import RiskKind
from app.roadmap.planner.generate import PlanInput, generate
from app.roadmap.planner.plan import ChangeOwner, Plan, PocCandidate, ReasonCode
from tests.roadmap.builders import RISKS, Spec, catalogue

START = date(2027, 1, 1)


def plan_of(specs: list[Spec], gaps: dict[str, tuple[int, int]], **kwargs: Any) -> Plan:
    cat = catalogue(*specs, risks=RISKS)
    return generate(PlanInput(gaps=gaps, catalogue=cat, capacity_pw_per_month=[8.0], start=START, **kwargs))


def kinds(plan: Plan) -> set[RiskKind]:
    return {r.kind for r in plan.risks}


def test_many_new_tools_in_one_quarter_flag_over_complexity() -> None:
    specs = [Spec(f"c{n}", tools=[f"tool-{n}"]) for n in range(5)]
    plan = plan_of(specs, {s.id: (0, 2) for s in specs})
    [risk] = [r for r in plan.risks if r.kind is RiskKind.OVER_COMPLEXITY]
    assert risk.sign.text.en.startswith("Quarter 1 brings in 5 new tools: ")
    assert risk.mitigation.en == "mitigate over-complexity"
    assert len(risk.item_ids) == 5


def test_four_new_tools_in_a_quarter_are_not_flagged() -> None:
    specs = [Spec(f"c{n}", tools=[f"tool-{n}"]) for n in range(4)]
    assert RiskKind.OVER_COMPLEXITY not in kinds(plan_of(specs, {s.id: (0, 2) for s in specs}))


def test_one_tool_under_most_items_flags_tool_dependency() -> None:
    specs = [Spec(f"c{n}", tools=["mlflow"]) for n in range(4)] + [Spec("other")]
    plan = plan_of(specs, {s.id: (0, 2) for s in specs})
    [risk] = [r for r in plan.risks if r.kind is RiskKind.TOOL_DEPENDENCY]
    assert risk.sign.text.en == "4 of 5 items depend on Mlflow."


def test_data_scientists_without_responsible_items_flag_resistance() -> None:
    specs = [Spec("a"), Spec("b", raci={"data_scientist": "A", "ml_engineer": "R"})]
    gaps = {"a": (0, 2), "b": (0, 2)}
    assert RiskKind.DATA_SCIENTIST_RESISTANCE in kinds(plan_of(specs, gaps))
    owned = plan_of(specs, gaps, edits=[ChangeOwner("b", ("data_scientist",))])
    assert RiskKind.DATA_SCIENTIST_RESISTANCE not in kinds(owned)


def test_a_team_without_data_scientists_is_not_flagged_for_their_resistance() -> None:
    plan = plan_of([Spec("a")], {"a": (0, 2)}, team_roles={"ml_engineer": 1.0})
    assert RiskKind.DATA_SCIENTIST_RESISTANCE not in kinds(plan)


def test_monitoring_only_in_the_last_phase_flags_late_monitoring() -> None:
    late = [Spec("watch", dimension="monitoring", phase="optimisation")]
    plan = plan_of(late, {"watch": (0, 2)})
    [risk] = [r for r in plan.risks if r.kind is RiskKind.LATE_MONITORING]
    assert (
        risk.sign.text.en == "Monitoring work starts in month 10 at the earliest, in the last phase or later."
    )
    early = [Spec("watch", dimension="monitoring", phase="monitoring")]
    assert RiskKind.LATE_MONITORING not in kinds(plan_of(early, {"watch": (0, 2)}))


def test_a_realistic_plan_flags_only_what_it_shows() -> None:
    gaps = {c.id: (1, 3) for c in builtin_catalogue().capabilities}
    plan = generate(
        PlanInput(gaps=gaps, catalogue=builtin_catalogue(), capacity_pw_per_month=[6.0], start=START)
    )
    assert kinds(plan) <= {RiskKind.OVER_COMPLEXITY}
    assert all(r.sign.text.ja and r.mitigation.ja for r in plan.risks)


def test_suggested_okrs_carry_the_items_key_results_due_on_the_items_last_day() -> None:
    gaps = {"ci-cd": (1, 3), "ml-testing": (1, 3), "model-monitoring": (1, 3)}
    plan = generate(
        PlanInput(gaps=gaps, catalogue=builtin_catalogue(), capacity_pw_per_month=[8.0], start=START)
    )
    faster = next(o for o in plan.suggested_okrs if o.id == "faster-delivery")
    assert faster.text.en == "Cut the time from model development to deployment by 50%"
    texts = [k.key_result.text.en for k in faster.key_results]
    assert texts[0] == "CI/CD pipeline builds, tests and packages every merge within 3 months"
    assert "Automated test coverage of ML code ≥ 80%" in texts
    assert "Model monitoring dashboard live for every production model" in texts
    for suggested in faster.key_results:
        found = plan.item(suggested.item_id)
        assert found is not None
        assert suggested.due == found.end - timedelta(days=1)  # `end` is the first day after the item


def test_a_key_result_is_suggested_under_one_objective_even_when_two_list_its_capability() -> None:
    gaps = {"model-monitoring": (1, 3)}  # listed by "faster-delivery" and "catch-problems-first"
    plan = generate(
        PlanInput(gaps=gaps, catalogue=builtin_catalogue(), capacity_pw_per_month=[8.0], start=START)
    )
    suggested = [(o.id, kr.key_result.id, kr.item_id) for o in plan.suggested_okrs for kr in o.key_results]
    assert len({(kr, item) for _, kr, item in suggested}) == len(suggested)
    assert [o for o, _, item in suggested if item == "model-monitoring"] == ["faster-delivery"]


def test_action_plan_breaks_the_first_quarter_into_dated_owned_tasks() -> None:
    gaps = {"source-control": (1, 3), "ci-cd": (1, 3), "data-pipeline": (0, 3)}
    plan = generate(
        PlanInput(gaps=gaps, catalogue=builtin_catalogue(), capacity_pw_per_month=[6.0], start=START)
    )
    action = plan.action_plan
    assert (action.start, action.end) == (START, date(2027, 4, 1))
    assert action.item_ids == ("source-control", "ci-cd", "reproducible-environments")
    assert all(START <= t.due < action.end for t in action.tasks)
    protect = next(t for t in action.tasks if t.checklist_item_id == "protect-main")
    assert (protect.owner_role, protect.item_id) == ("mlops_engineer", "source-control")
    assert protect.key_result_ids == ("all-code-in-git", "reviewed-changes")
    assert [t.due for t in action.tasks] == sorted(t.due for t in action.tasks)


def test_the_best_poc_candidate_is_named_and_started_first() -> None:
    candidates = [
        PocCandidate("fraud scoring", business_value=5, scope=2, data_pipeline=False),
        PocCandidate("churn model", business_value=4, scope=4, data_pipeline=True),
        PocCandidate("forecast", business_value=2, scope=5, data_pipeline=True),
    ]
    plan = generate(
        PlanInput(
            gaps={},
            catalogue=builtin_catalogue(),
            capacity_pw_per_month=[6.0],
            start=START,
            poc_candidates=candidates,
        )
    )
    action = plan.action_plan
    assert [s.candidate.name for s in action.poc_ranking] == ["churn model", "forecast", "fraud scoring"]
    assert action.poc == candidates[1]
    assert action.poc_ranking[0].reason.text.en == (
        "churn model: 82.5 points (business value 4/5, scope 4/5, existing data pipeline)."
    )
    [poc_task] = [t for t in action.tasks if t.id == "poc"]
    assert poc_task.owner_role == "product_owner"
    assert "churn model" in poc_task.text.en
    assert "churn model" in poc_task.text.ja


def test_each_item_a_risk_names_says_which_risk() -> None:
    specs = [Spec(f"c{n}", tools=[f"tool-{n}"]) for n in range(5)] + [Spec("quiet")]
    plan = plan_of(specs, {s.id: (0, 2) for s in specs})
    [risk] = [r for r in plan.risks if r.kind is RiskKind.OVER_COMPLEXITY]
    for found in plan.items:
        named = [r.text.en for r in found.reasons if r.code is ReasonCode.AT_RISK]
        wanted = "Part of the risk “over-complexity” in this plan: see its mitigation under Risks."
        assert named == ([wanted] if found.id in risk.item_ids else [])
