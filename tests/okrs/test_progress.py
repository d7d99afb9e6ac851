"""Progress of a key result (in its direction), expected progress by a day, and status from confidence:
pure maths."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.okrs.progress import direction_of, expected, mean, progress, status

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


def test_progress_is_the_share_of_the_way_from_start_to_target() -> None:
    assert progress(kind="numeric", start=10, target=20, value=15) == 0.5
    assert progress(kind="percentage", start=0, target=80, value=20) == 0.25


def test_progress_counts_down_when_the_target_is_below_the_start() -> None:
    assert progress(kind="numeric", start=60, target=10, value=35) == 0.5


def test_no_check_in_yet_counts_as_the_start_value() -> None:
    assert progress(kind="numeric", start=5, target=10, value=None) == 0.0


def test_milestone_is_done_at_one_or_more() -> None:
    assert progress(kind="milestone", start=0, target=1, value=1) == 1.0
    assert progress(kind="milestone", start=0, target=1, value=0.99) == 0.0
    assert progress(kind="milestone", start=0, target=1, value=None) == 0.0


def test_status_follows_confidence_bands_and_is_none_before_a_check_in() -> None:
    assert [status(c) for c in (10, 7, 6, 4, 3, 0)] == [
        "on_track",
        "on_track",
        "at_risk",
        "at_risk",
        "off_track",
        "off_track",
    ]
    assert status(None) is None


def test_objective_without_key_results_has_no_progress() -> None:
    assert mean([]) == 0.0
    assert mean([1.0, 0.5]) == 0.75


@given(
    kind=st.sampled_from(["numeric", "percentage", "milestone"]), start=finite, target=finite, value=finite
)
def test_progress_always_lies_between_zero_and_one(
    kind: str, start: float, target: float, value: float
) -> None:
    assert 0.0 <= progress(kind=kind, start=start, target=target, value=value) <= 1.0


@given(start=finite, gap=st.floats(min_value=1e-6, max_value=1e9), a=finite, b=finite)
def test_progress_never_falls_as_the_value_rises_when_the_target_is_above_the_start(
    start: float, gap: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    target = start + gap
    assert progress(kind="numeric", start=start, target=target, value=low) <= progress(
        kind="numeric", start=start, target=target, value=high
    )


def test_an_explicit_direction_decides_which_way_counts() -> None:
    assert progress(kind="numeric", start=60, target=30, value=45, direction="down") == 0.5
    assert progress(kind="numeric", start=60, target=30, value=70, direction="down") == 0.0  # worse
    assert progress(kind="numeric", start=60, target=30, value=20, direction="down") == 1.0  # beyond
    # a target on the wrong side of the start for its direction (older rows): reached while the value
    # is on the better side of it
    assert progress(kind="numeric", start=10, target=20, value=15, direction="down") == 1.0
    assert progress(kind="numeric", start=10, target=20, value=25, direction="down") == 0.0
    assert progress(kind="numeric", start=10, target=20, value=5, direction="up") == 0.0


def test_the_direction_a_target_implies() -> None:
    assert direction_of(start=60, target=10) == "down"
    assert direction_of(start=0, target=80) == "up"


@given(start=finite, gap=st.floats(min_value=1e-6, max_value=1e9), a=finite, b=finite)
def test_progress_never_falls_as_the_value_falls_when_lower_is_better(
    start: float, gap: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    target = start - gap
    kwargs = {"kind": "numeric", "start": start, "target": target, "direction": "down"}
    assert progress(value=high, **kwargs) <= progress(value=low, **kwargs)  # type: ignore[arg-type]


def test_expected_progress_is_a_straight_line_to_the_due_date() -> None:
    starts, due = date(2027, 1, 1), date(2027, 1, 31)
    assert expected(kind="numeric", starts=starts, due=due, today=date(2026, 12, 1)) == 0.0
    assert expected(kind="numeric", starts=starts, due=due, today=date(2027, 1, 16)) == 0.5
    assert expected(kind="percentage", starts=starts, due=due, today=date(2027, 3, 1)) == 1.0


def test_a_milestone_is_expected_done_from_its_due_date() -> None:
    starts, due = date(2027, 1, 1), date(2027, 3, 31)
    assert expected(kind="milestone", starts=starts, due=due, today=date(2027, 3, 30)) == 0.0
    assert expected(kind="milestone", starts=starts, due=due, today=date(2027, 3, 31)) == 1.0


@given(
    kind=st.sampled_from(["numeric", "milestone"]),
    starts=st.dates(),
    days=st.integers(min_value=-400, max_value=400),
    today=st.dates(),
)
def test_expected_progress_lies_between_zero_and_one(kind: str, starts: date, days: int, today: date) -> None:
    try:
        due = starts + timedelta(days=days)
    except OverflowError:
        return
    assert 0.0 <= expected(kind=kind, starts=starts, due=due, today=today) <= 1.0
