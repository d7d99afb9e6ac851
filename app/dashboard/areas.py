"""Levels by area over quarters, and two quarters or two teams side by side. Pure functions over levels
already scored: (team id, quarter) → area (dimension) id → level, None where an area has no level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.dashboard.compare import Cell

Levels = Mapping[tuple[int, str], Mapping[str, float | None]]


@dataclass(frozen=True)
class Pair:
    """One figure in two columns (A and B) and the change from A to B."""

    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def cell(self) -> Cell:
        """B with its change since A, as the dashboard's quarter cells show it (arrow and number)."""
        return Cell(self.b, self.delta)


def _mean(values: Sequence[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return sum(found) / len(found) if found else None


def mean_level(levels: Levels, *, period: str, area: str) -> float | None:
    """The mean level of an area over the teams assessed in `period` (teams without one do not count)."""
    return _mean([by_area.get(area) for (_team, p), by_area in levels.items() if p == period])


def trend(
    levels: Levels, *, periods: Sequence[str], areas: Sequence[str]
) -> dict[str, tuple[float | None, ...]]:
    """Each area's mean level per quarter over the teams assessed then (area id → one value per quarter)."""
    by_period: dict[str, list[Mapping[str, float | None]]] = {p: [] for p in periods}
    for (_team, period), by_area in levels.items():
        if period in by_period:
            by_period[period].append(by_area)
    return {
        area: tuple(_mean([found.get(area) for found in by_period[p]]) for p in periods) for area in areas
    }


def teams_in(levels: Levels, period: str) -> int:
    """How many teams have an assessment in `period`."""
    return sum(1 for _team, p in levels if p == period)


@dataclass(frozen=True)
class QuarterComparison:
    a: str
    b: str
    areas: dict[str, Pair]  # area id → mean level in A and in B
    teams: tuple[tuple[int, Pair], ...]  # (team id, overall level in A and in B), teams assessed in either
    counts: tuple[int, int]  # teams assessed in A, in B


def quarters(
    levels: Levels,
    overall: Mapping[tuple[int, str], float | None],
    *,
    a: str,
    b: str,
    areas: Sequence[str],
) -> QuarterComparison:
    """Quarter A beside quarter B: each area's mean over the teams, and each team's overall level."""
    by_area = {
        area: Pair(mean_level(levels, period=a, area=area), mean_level(levels, period=b, area=area))
        for area in areas
    }
    team_ids = sorted({team for team, p in overall if p in (a, b)})
    by_team = tuple((team, Pair(overall.get((team, a)), overall.get((team, b)))) for team in team_ids)
    return QuarterComparison(a, b, by_area, by_team, (teams_in(levels, a), teams_in(levels, b)))


@dataclass(frozen=True)
class TeamComparison:
    a: int
    b: int
    latest: tuple[str | None, str | None]  # the quarter each team's area levels come from
    areas: dict[str, Pair]  # area id → team A's level and team B's, at each one's latest quarter
    quarters: tuple[tuple[str, Pair], ...]  # (quarter, overall level of A and of B)


def _latest(levels: Levels, team: int, periods: Sequence[str]) -> str | None:
    return max((p for t, p in levels if t == team and p in periods), default=None)


def teams(
    levels: Levels,
    overall: Mapping[tuple[int, str], float | None],
    *,
    a: int,
    b: int,
    periods: Sequence[str],
    areas: Sequence[str],
) -> TeamComparison:
    """Team A beside team B: levels by area from each one's latest quarter, and overall level by quarter."""
    latest_a, latest_b = _latest(levels, a, periods), _latest(levels, b, periods)
    of_a = levels.get((a, latest_a), {}) if latest_a else {}
    of_b = levels.get((b, latest_b), {}) if latest_b else {}
    by_area = {area: Pair(of_a.get(area), of_b.get(area)) for area in areas}
    by_quarter = tuple((p, Pair(overall.get((a, p)), overall.get((b, p)))) for p in periods)
    return TeamComparison(a, b, (latest_a, latest_b), by_area, by_quarter)
