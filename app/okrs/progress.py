"""Key result progress and status from confidence: plain values in, plain values out."""

from __future__ import annotations

import math

MILESTONE = "milestone"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)
# A check-in's form starts from the last check-in's confidence; the first starts from an even chance.
FIRST_CONFIDENCE = 5


def form_confidence(last: int | None) -> int:
    """The confidence a check-in form offers: the last check-in's, else an even chance."""
    return FIRST_CONFIDENCE if last is None else last


def progress(*, kind: str, start: float, target: float, value: float | None) -> float:
    """How far `value` is from `start` to `target`, clipped to 0..1; no value yet counts as the start.

    A milestone is done (1) at a value of 1 or more, else not started (0).
    """
    current = start if value is None else value
    if kind == MILESTONE:
        return 1.0 if current >= 1 else 0.0
    if not all(math.isfinite(x) for x in (start, target, current)):
        return 0.0
    if target == start:  # nothing to move: the target holds from the start
        return 1.0
    return min(1.0, max(0.0, (current - start) / (target - start)))


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
