"""The review's pure parts: quarter bounds, the day figures are counted to, and the form's rules."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import BadInput
from app.reviews import forms, quarters


def test_quarter_bounds_cover_the_quarter_to_its_last_day() -> None:
    assert quarters.bounds("2027-Q1") == (date(2027, 1, 1), date(2027, 3, 31))
    assert quarters.bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))


def test_figures_count_to_today_in_a_running_quarter_else_to_its_last_day() -> None:
    assert quarters.as_of("2027-Q1", date(2027, 2, 10)) == date(2027, 2, 10)
    assert quarters.as_of("2026-Q4", date(2027, 2, 10)) == date(2026, 12, 31)
    assert quarters.as_of("2027-Q2", date(2027, 2, 10)) == date(2027, 4, 1)


def test_a_carried_due_date_moves_on_a_quarter_keeping_its_place_in_the_quarter() -> None:
    assert quarters.carried_due(date(2027, 2, 15), into="2027-Q2") == date(2027, 5, 15)
    assert quarters.carried_due(date(2027, 3, 31), into="2027-Q2") == date(2027, 6, 30)  # end stays end
    assert quarters.carried_due(date(2027, 9, 30), into="2027-Q4") == date(2027, 12, 31)
    assert quarters.carried_due(date(2027, 1, 31), into="2027-Q2") == date(2027, 4, 30)
    assert quarters.carried_due(date(2027, 11, 30), into="2028-Q1") == date(2028, 2, 29)
    assert quarters.carried_due(date(2027, 1, 5), into="2027-Q4") == date(2027, 10, 5)  # a few quarters on
    assert quarters.carried_due(date(2027, 5, 20), into="2027-Q2") == date(2027, 5, 20)  # in it already
    assert quarters.carried_due(None, into="2027-Q2") is None


def _draft(**given: object) -> forms.Draft:
    fields: dict[str, object] = {
        "went_well": "",
        "bottleneck": "",
        "patterns": [],
        "action_ids": [],
        "actions": [],
        "removed": [],
        "new_action": "",
        "earlier": [],
    }
    return forms.draft(**(fields | given))  # type: ignore[arg-type]


def test_an_action_keeps_what_it_became_across_saves() -> None:
    earlier = [{"id": "a1", "text": "Old words", "roadmap_item_id": "custom-1"}]
    draft = _draft(action_ids=["a1"], actions=["New words"], earlier=earlier)
    assert draft.actions == ({"id": "a1", "text": "New words", "roadmap_item_id": "custom-1"},)


def test_a_removed_action_goes_and_a_blank_new_one_is_no_action() -> None:
    draft = _draft(action_ids=["a1"], actions=[""], removed=["a1"], earlier=[{"id": "a1", "text": "x"}])
    assert draft.actions == ()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"action_ids": ["a1"], "actions": [" "]}, "actions-0"),
        ({"new_action": "   "}, "new_action"),
        ({"new_action": "x" * 301}, "new_action"),
        ({"went_well": "x" * 5001}, "went_well"),
        ({"patterns": ["not-a-pattern"]}, "patterns"),
    ],
)
def test_bad_input_names_its_field(given: dict[str, object], field: str) -> None:
    with pytest.raises(BadInput) as raised:
        _draft(**given)
    assert raised.value.field == field


def test_patterns_are_the_risk_registers_four() -> None:
    assert set(forms.pattern_ids()) == {
        "over-complexity",
        "tool-dependency",
        "data-scientist-resistance",
        "late-monitoring",
    }
