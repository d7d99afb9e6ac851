"""The dashboard's comparison maths: quarter columns, changes, gaps, row order. Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

QUARTERS = 4  # columns on the dashboard
SORT_KEYS = ("team", "level", "change", "gap", "roadmap", "okrs", "checklists")
STEADY = 0.05  # a change smaller than this shows as "no change" (levels are shown to one decimal)


@dataclass(frozen=True)
class Cell:
    """One team in one quarter: its overall level and the change since its previous scored quarter."""

    level: float | None
    delta: float | None

    @property
    def direction(self) -> str:
        """Whether the level went up, down or stayed the same ("" without a previous quarter)."""
        if self.delta is None:
            return ""
        if abs(self.delta) < STEADY:
            return "same"
        return "up" if self.delta > 0 else "down"


def shown_periods(periods: Iterable[str], count: int = QUARTERS) -> list[str]:
    """The latest `count` periods, oldest first (periods such as "2026-Q3" sort as text)."""
    return sorted(set(periods))[-count:]


def timeline(levels: Mapping[str, float | None], periods: Sequence[str]) -> tuple[Cell | None, ...]:
    """One cell per shown period (None: no submitted assessment then); each change is against the
    team's latest earlier period with a level, which may be before the shown ones."""
    cells: list[Cell | None] = []
    for period in periods:
        if period not in levels:
            cells.append(None)
            continue
        level = levels[period]
        before = [p for p in levels if p < period and levels[p] is not None]
        previous = levels[max(before)] if before else None
        delta = None if level is None or previous is None else level - previous
        cells.append(Cell(level, delta))
    return tuple(cells)


def latest(cells: Sequence[Cell | None]) -> Cell | None:
    """The team's most recent cell with an assessment."""
    return next((c for c in reversed(cells) if c is not None), None)


@dataclass(frozen=True)
class GapSummary:
    mean: float  # mean shortfall over the dimensions, in levels
    below: int  # dimensions under their target
    dimensions: int


def gap_summary(shortfalls: Sequence[float]) -> GapSummary | None:
    """How far a team is from its targets, from each dimension's shortfall (0 where it meets it)."""
    if not shortfalls:
        return None
    below = sum(1 for s in shortfalls if s > 0)
    return GapSummary(sum(shortfalls) / len(shortfalls), below, len(shortfalls))


def most_used(counts: Mapping[str, int]) -> str | None:
    """The model most teams were assessed with (ties: the first id in alphabetical order)."""
    if not counts:
        return None
    return min(counts, key=lambda slug: (-counts[slug], slug))


def heat_class(level: float | None) -> str:
    """The CSS class of a heat-table cell: lv-0 … lv-4 by the rounded level, "" without one."""
    return "" if level is None else f"lv-{max(0, min(4, int(level + 0.5)))}"


def sort_rows(
    rows: Sequence[Any], keys: Mapping[str, Callable[[Any], Any]], key: str, descending: bool
) -> list[Any]:
    """Rows ordered by one column; rows without a value go last either way, ties by team name."""
    value = keys[key]
    with_value = [r for r in rows if value(r) is not None]
    without = [r for r in rows if value(r) is None]
    by_name = sorted(with_value, key=keys["team"])
    ordered = sorted(by_name, key=value, reverse=descending)
    return ordered + sorted(without, key=keys["team"])
