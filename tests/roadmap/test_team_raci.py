"""The team's own RACI matrix decides who owns roadmap items and action-plan tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.catalogue.schema import Catalogue
from app.roadmap.planner.generate import PlanInput, generate
from app.roadmap.planner.plan import ChangeOwner, Drop, Item, Plan, ReasonCode
from tests.roadmap.builders import Spec, catalogue

START = date(2027, 4, 1)
# The builders' default RACI: the MLOps engineer is Accountable, the ML engineer Responsible.
DOCS = catalogue(Spec("docs", checklist_roles=("ml_engineer", "data_scientist", None)))


def plan_for(cat: Catalogue, team_raci: dict[str, dict[str, str]] | None = None, **kwargs: Any) -> Plan:
    gaps = {c.id: (0, 2) for c in cat.capabilities}
    return generate(
        PlanInput(
            gaps=gaps,
            catalogue=cat,
            capacity_pw_per_month=[8.0],
            start=START,
            team_raci=team_raci or {},
            **kwargs,
        )
    )


def item(plan: Plan, item_id: str = "docs") -> Item:
    found = plan.item(item_id)
    assert found is not None, f"{item_id} is not scheduled"
    return found


def owners(plan: Plan, item_id: str = "docs") -> tuple[tuple[str, ...], str | None]:
    found = item(plan, item_id)
    return found.owner_roles, found.accountable


def task_owners(plan: Plan) -> dict[str, str]:
    return {t.id: t.owner_role for t in plan.action_plan.tasks}


def test_without_a_team_raci_the_catalogue_names_the_owners() -> None:
    assert owners(plan_for(DOCS)) == (("ml_engineer",), "mlops_engineer")


def test_owners_and_the_accountable_role_follow_the_teams_raci_row() -> None:
    row = {"data_scientist": "R", "ml_engineer": "C", "data_engineer": "A", "mlops_engineer": "I"}
    plan = plan_for(DOCS, {"docs": row})
    assert owners(plan) == (("data_scientist",), "data_engineer")
    why = next(r for r in item(plan).reasons if r.code is ReasonCode.OWNERS_FROM_RACI)
    assert why.text.en == "Owners from the team's RACI matrix: Data scientist (accountable: Data engineer)."
    assert why.text.ja == (
        "チームの RACI マトリクスにより、担当はData scientist（日本語）です"
        "（説明責任者：Data engineer（日本語））。"
    )


def test_several_responsible_roles_come_in_catalogue_order_then_custom_roles_sorted() -> None:
    row = {
        "platform lead": "R",
        "data_scientist": "R",
        "ai guild": "R",
        "mlops_engineer": "R",
        "ml_engineer": "A",
    }
    plan = plan_for(DOCS, {"docs": row})
    assert owners(plan) == (
        ("mlops_engineer", "data_scientist", "ai guild", "platform lead"),
        "ml_engineer",
    )


def test_a_row_without_a_responsible_role_makes_the_accountable_role_the_owner() -> None:
    plan = plan_for(DOCS, {"docs": {"data_engineer": "A", "ml_engineer": "C"}})
    assert owners(plan) == (("data_engineer",), "data_engineer")


def test_a_row_naming_neither_responsible_nor_accountable_keeps_the_catalogue_owners() -> None:
    plan = plan_for(DOCS, {"docs": {"ml_engineer": "C", "data_scientist": "I"}})
    assert owners(plan) == (("ml_engineer",), "mlops_engineer")
    assert ReasonCode.OWNERS_FROM_RACI not in {r.code for r in item(plan).reasons}


def test_a_row_repeating_the_catalogue_defaults_changes_nothing() -> None:
    same = {"docs": {"ml_engineer": "R", "mlops_engineer": "A", "product_owner": "I"}}
    assert plan_for(DOCS, same) == plan_for(DOCS)


def test_rows_for_capabilities_the_catalogue_lacks_are_ignored() -> None:
    assert plan_for(DOCS, {"not-in-catalogue": {"data_scientist": "R"}}) == plan_for(DOCS)


def test_a_managers_owner_edit_still_wins_over_the_teams_raci() -> None:
    row = {"data_scientist": "R", "data_engineer": "A"}
    plan = plan_for(DOCS, {"docs": row}, edits=[ChangeOwner("docs", ("product_owner",))])
    assert owners(plan) == (("product_owner",), "data_engineer")
    codes = [r.code for r in item(plan).reasons]
    assert codes.index(ReasonCode.OWNERS_FROM_RACI) < codes.index(ReasonCode.OWNER_CHANGED)


def test_a_dropped_item_lists_the_teams_responsible_roles() -> None:
    plan = plan_for(DOCS, {"docs": {"data_scientist": "R", "data_engineer": "A"}}, edits=[Drop("docs")])
    assert [d.owner_roles for d in plan.dropped] == [("data_scientist",)]


def test_the_same_team_raci_in_any_order_gives_the_same_plan() -> None:
    row = {"product_owner": "R", "data_scientist": "R", "ml_engineer": "A", "custom role": "R"}
    reordered = dict(reversed(row.items()))
    assert plan_for(DOCS, {"docs": row}) == plan_for(DOCS, {"docs": reordered})


def test_a_task_keeps_its_checklist_role_while_that_role_is_responsible_or_accountable() -> None:
    # Catalogue defaults: the ML engineer is Responsible, the data scientist has no letter.
    assert task_owners(plan_for(DOCS)) == {
        "docs/step-0": "ml_engineer",
        "docs/step-1": "ml_engineer",
        "docs/step-2": "ml_engineer",
    }
    accountable = {"docs": {"data_scientist": "A", "ml_engineer": "R"}}
    assert task_owners(plan_for(DOCS, accountable))["docs/step-1"] == "data_scientist"


def test_a_task_whose_role_is_only_consulted_goes_to_the_first_responsible_role() -> None:
    row = {"ml_engineer": "C", "data_scientist": "C", "data_engineer": "R", "product_owner": "A"}
    assert set(task_owners(plan_for(DOCS, {"docs": row})).values()) == {"data_engineer"}


def test_without_a_responsible_role_tasks_go_to_the_accountable_role() -> None:
    row = {"ml_engineer": "C", "product_owner": "A"}
    assert set(task_owners(plan_for(DOCS, {"docs": row})).values()) == {"product_owner"}
