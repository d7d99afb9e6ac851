"""Key result progress (towards its target, in its direction), the progress expected by a day, and
status from confidence: plain values in, plain values out."""

from __future__ import annotations

import math
from datetime import date

MILESTONE = "milestone"
UP, DOWN = "up", "down"  # higher is better, lower is better
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)
# A check-in's form starts from the last check-in's confidence; the first starts from an even chance.
FIRST_CONFIDENCE = 5


def form_confidence(last: int | None) -> int:
    """The confidence a check-in form offers: the last check-in's, else an even chance."""
    return FIRST_CONFIDENCE if last is None else last


def progress(
    *, kind: str, start: float, target: float, value: float | None, direction: str | None = None
) -> float:
    """How far `value` has moved from `start` towards `target` in `direction` (by default the one the
    target implies), clipped to 0..1; no value yet counts as the start. Moving the wrong way is none.

    A milestone is done (1) at a value of 1 or more, else not started (0).
    """
    current = start if value is None else value
    if kind == MILESTONE:
        return 1.0 if current >= 1 else 0.0
    if not all(math.isfinite(x) for x in (start, target, current)):
        return 0.0
    sign = -1.0 if (direction or direction_of(start=start, target=target)) == DOWN else 1.0
    gained, span = sign * (current - start), sign * (target - start)
    if span <= 0:  # a target already met at the start (or on the wrong side of it): reached when held
        return 1.0 if sign * (current - target) >= 0 else 0.0
    return min(1.0, max(0.0, gained / span))


def direction_of(*, start: float, target: float) -> str:
    """The direction a target implies: down when it lies below the start, else up."""
    return DOWN if target < start else UP


def expected(*, kind: str, starts: date, due: date, today: date) -> float:
    """The progress expected by `today` on a key result running from `starts` to `due`: a straight line
    from 0 to 1 for a number; for a milestone nothing until its due date, then done."""
    if kind == MILESTONE:
        return 1.0 if today >= due else 0.0
    if today >= due:
        return 1.0
    if today <= starts:
        return 0.0
    return (today - starts).days / (due - starts).days


def mean(values: list[float]) -> float:
    """The average progress of an objective's key results (0 when it has none)."""
    return sum(values) / len(values) if values else 0.0


def status(confidence: int | None) -> str | None:
    """On track at confidence 7 or more, at risk at 4–6, off track at 3 or less; none before a check-in."""
    if confidence is None:
        return None
    if confidence >= 7:
        return ON_TRACK
    return AT_RISK if confidence >= 4 else OFF_TRACK
