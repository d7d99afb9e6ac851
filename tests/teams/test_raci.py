"""RACI rules: exactly one Accountable per row; defaults; cell edits."""

import pytest

from app.teams.raci import rules as raci
from app.teams.roles import RECOMMENDED


def test_default_rows_have_exactly_one_accountable_in_every_dimension() -> None:
    matrix = raci.defaults([("a", "data"), ("b", "deployment"), ("c", "organisation"), ("d", "unknown-area")])
    assert raci.invalid_rows(matrix) == []


def test_row_without_an_accountable_is_invalid() -> None:
    assert raci.invalid_rows({"ci-cd": {"ml_engineer": "R"}}) == ["ci-cd"]


def test_row_with_two_accountables_is_invalid() -> None:
    assert raci.invalid_rows({"ci-cd": {"ml_engineer": "A", "mlops_engineer": "A"}}) == ["ci-cd"]


def test_setting_a_cell_replaces_its_letter_and_an_empty_letter_clears_it() -> None:
    row = {"ml_engineer": "A", "data_scientist": "R"}
    assert raci.with_cell(row, "data_scientist", "C") == {"ml_engineer": "A", "data_scientist": "C"}
    assert raci.with_cell(row, "data_scientist", "") == {"ml_engineer": "A"}


def test_an_unknown_letter_is_refused() -> None:
    with pytest.raises(ValueError, match="R, A, C, I"):
        raci.with_cell({}, "ml_engineer", "X")


def test_stored_rows_win_over_defaults_and_others_keep_the_default() -> None:
    base = {"a": {"ml_engineer": "A"}, "b": {"mlops_engineer": "A"}}
    assert raci.merged(base, {"a": {"data_scientist": "A"}}) == {
        "a": {"data_scientist": "A"},
        "b": {"mlops_engineer": "A"},
    }


def test_columns_are_the_recommended_roles_then_the_teams_custom_roles() -> None:
    assert raci.columns(["ml_engineer", "Analytics translator", "Analytics translator"]) == [
        *RECOMMENDED,
        "Analytics translator",
    ]
