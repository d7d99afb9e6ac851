"""Levels by area over quarters, and two quarters or two teams side by side, without a database."""

from __future__ import annotations

from app.dashboard import areas
from app.dashboard.areas import Pair

LEVELS = {
    (1, "2026-Q1"): {"data": 1.0, "ops": 2.0},
    (2, "2026-Q1"): {"data": 3.0, "ops": None},  # ops does not apply to team 2
    (1, "2026-Q2"): {"data": 2.0, "ops": 2.5},
    (3, "2026-Q2"): {"data": 4.0, "ops": 1.5},
}
OVERALL = {(1, "2026-Q1"): 1.5, (2, "2026-Q1"): 3.0, (1, "2026-Q2"): 2.2, (3, "2026-Q2"): 2.8}


def test_an_areas_trend_is_its_mean_over_the_teams_assessed_each_quarter() -> None:
    found = areas.trend(LEVELS, periods=["2026-Q1", "2026-Q2", "2026-Q3"], areas=["data", "ops"])
    assert found == {"data": (2.0, 3.0, None), "ops": (2.0, 2.0, None)}


def test_teams_in_counts_the_teams_assessed_in_a_quarter() -> None:
    assert [areas.teams_in(LEVELS, p) for p in ("2026-Q1", "2026-Q2", "2026-Q3")] == [2, 2, 0]


def test_two_quarters_side_by_side_give_each_areas_means_and_each_teams_overall_level() -> None:
    found = areas.quarters(LEVELS, OVERALL, a="2026-Q1", b="2026-Q2", areas=["data", "ops"])
    assert found.areas == {"data": Pair(2.0, 3.0), "ops": Pair(2.0, 2.0)}
    assert found.areas["data"].delta == 1.0
    assert found.areas["data"].cell.direction == "up"
    assert found.teams == ((1, Pair(1.5, 2.2)), (2, Pair(3.0, None)), (3, Pair(None, 2.8)))
    assert found.teams[1][1].delta is None
    assert found.counts == (2, 2)


def test_two_teams_side_by_side_use_each_ones_latest_quarter_by_area_and_every_quarter_overall() -> None:
    found = areas.teams(LEVELS, OVERALL, a=2, b=1, periods=["2026-Q1", "2026-Q2"], areas=["data", "ops"])
    assert found.latest == ("2026-Q1", "2026-Q2")
    assert found.areas == {"data": Pair(3.0, 2.0), "ops": Pair(None, 2.5)}
    assert found.areas["data"].delta == -1.0
    assert found.quarters == (("2026-Q1", Pair(3.0, 1.5)), ("2026-Q2", Pair(None, 2.2)))


def test_a_team_without_a_quarter_shown_has_no_levels() -> None:
    found = areas.teams(LEVELS, OVERALL, a=3, b=1, periods=["2026-Q1"], areas=["data"])
    assert found.latest == (None, "2026-Q1")
    assert found.areas == {"data": Pair(None, 1.0)}
