"""The dashboard's filters as the query gives them: what is kept, and each refusal named by its field."""

from __future__ import annotations

from app.dashboard.filters import Filters, Query, parse


def _errors(filters: Filters) -> dict[str, str]:
    return {name: error.message for name, error in filters.errors.items()}


def test_no_filters_narrow_nothing() -> None:
    found = parse(Query())
    assert found == Filters()
    assert not found.narrowed


def test_teams_and_quarters_are_read_and_quarters_forgive_case_and_spaces() -> None:
    found = parse(Query(team=("3", "1", "3", ""), since=" 2025-q4", until="2026 - Q2"))
    assert (found.teams, found.since, found.until) == ((3, 1), "2025-Q4", "2026-Q2")
    assert found.narrowed
    assert found.errors == {}


def test_a_team_that_is_not_an_id_is_refused_on_the_team_field() -> None:
    found = parse(Query(team=("1", "Vision")))
    assert found.teams == ()
    assert _errors(found) == {"team": "Pick teams from the list."}


def test_a_badly_written_quarter_is_refused_on_its_field_and_left_out() -> None:
    found = parse(Query(since="last year", until="2026-Q2"))
    assert (found.since, found.until) == (None, "2026-Q2")
    assert _errors(found) == {"since": "Write the period as year and quarter, for example 2026-Q4."}
    assert found.errors["since"].text() == "Write the period as year and quarter, for example 2026-Q4."


def test_the_last_quarter_before_the_first_is_refused_on_the_last() -> None:
    found = parse(Query(since="2026-Q3", until="2026-Q1"))
    assert (found.since, found.until) == ("2026-Q3", None)
    assert _errors(found) == {"until": "The last quarter comes before the first one."}


def test_two_quarters_to_compare_need_both_and_different_ones() -> None:
    assert parse(Query(quarter_a="2026-Q1", quarter_b="2026-Q2")).quarters == ("2026-Q1", "2026-Q2")
    assert _errors(parse(Query(quarter_a="2026-Q1"))) == {
        "quarter_b": "Pick a second quarter to compare with."
    }
    assert _errors(parse(Query(quarter_b="2026-Q1"))) == {
        "quarter_a": "Pick a second quarter to compare with."
    }
    same = parse(Query(quarter_a="2026-Q1", quarter_b="2026-q1"))
    assert same.quarters is None
    assert _errors(same) == {"quarter_b": "Pick two different quarters."}


def test_two_teams_to_compare_need_both_and_different_ones() -> None:
    assert parse(Query(team_a="4", team_b="2")).pair == (4, 2)
    assert _errors(parse(Query(team_a="4"))) == {"team_b": "Pick a second team to compare with."}
    assert _errors(parse(Query(team_a="4", team_b="4"))) == {"team_b": "Pick two different teams."}
    assert _errors(parse(Query(team_a="x", team_b="4"))) == {"team_a": "Pick teams from the list."}
