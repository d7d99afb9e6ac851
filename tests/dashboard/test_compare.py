"""The dashboard's comparison maths, without a database."""

from __future__ import annotations

from app.dashboard import compare
from app.dashboard.compare import Cell


def test_shown_periods_are_the_latest_four_oldest_first() -> None:
    periods = ["2026-Q2", "2025-Q3", "2026-Q1", "2025-Q4", "2026-Q2", "2025-Q2"]
    assert compare.shown_periods(periods) == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]


def test_each_change_is_against_the_teams_previous_scored_quarter_even_across_a_skipped_one() -> None:
    levels = {"2025-Q4": 1.0, "2026-Q1": 1.5, "2026-Q3": 2.5}
    cells = compare.timeline(levels, ["2026-Q1", "2026-Q2", "2026-Q3"])
    assert cells == (Cell(1.5, 0.5), None, Cell(2.5, 1.0))


def test_the_first_assessment_has_no_change() -> None:
    (cell,) = compare.timeline({"2026-Q1": 2.0}, ["2026-Q1"])
    assert cell == Cell(2.0, None)
    assert cell.direction == ""


def test_direction_reads_up_down_or_same() -> None:
    assert Cell(2.0, 0.3).direction == "up"
    assert Cell(2.0, -0.3).direction == "down"
    assert Cell(2.0, 0.04).direction == "same"


def test_gap_summary_is_the_mean_shortfall_and_counts_areas_below_target() -> None:
    summary = compare.gap_summary([0.0, 1.0, 2.0, 0.0])
    assert summary == compare.GapSummary(0.75, 2, 4)
    assert compare.gap_summary([]) is None


def test_most_used_model_wins_and_ties_go_alphabetically() -> None:
    assert compare.most_used({"b": 3, "a": 1}) == "b"
    assert compare.most_used({"b": 2, "a": 2}) == "a"
    assert compare.most_used({}) is None


def test_heat_class_rounds_half_up_and_stays_in_range() -> None:
    assert [compare.heat_class(v) for v in (0.0, 1.49, 1.5, 4.0, None)] == [
        "lv-0",
        "lv-1",
        "lv-2",
        "lv-4",
        "",
    ]


def test_rows_without_a_value_sort_last_in_both_directions() -> None:
    rows = [("b", 1.0), ("a", None), ("c", 2.0), ("d", 1.0)]
    keys = {"team": lambda r: r[0], "level": lambda r: r[1]}
    assert [r[0] for r in compare.sort_rows(rows, keys, "level", False)] == ["b", "d", "c", "a"]
    assert [r[0] for r in compare.sort_rows(rows, keys, "level", True)] == ["c", "b", "d", "a"]
