"""Team capacity in person-weeks per month.

A full-time person works 52 weeks a year, i.e. 52 / 12 ≈ 4.33 weeks a month; a member's capacity is the
share (0–1) of their time given to the programme. Holidays are deliberately not subtracted here: the
roadmap applies its own buffer, and keeping this formula plain makes it easy to check by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.models.team import DEFAULT_IMPROVEMENT_SHARE  # the column's default: models own it

__all__ = [
    "DEFAULT_IMPROVEMENT_SHARE",
    "WEEKS_PER_MONTH",
    "person_weeks_per_month",
    "team_person_weeks_per_month",
]

WEEKS_PER_MONTH = 52 / 12


def person_weeks_per_month(capacity: float) -> float:
    """Person-weeks per month one member gives at `capacity` (a share of full time, 0–1)."""
    return max(0.0, min(1.0, capacity)) * WEEKS_PER_MONTH


def team_person_weeks_per_month(capacities: Iterable[float]) -> float:
    """The team's person-weeks per month: the sum over its members, rounded to one decimal."""
    return round(sum(person_weeks_per_month(c) for c in capacities), 1)
