"""Progress of a key result and status from confidence: pure maths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.okrs.progress import mean, progress, status

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
