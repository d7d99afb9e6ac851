"""Role coverage: which recommended roles a team lacks, or has at very low capacity. Pure, so the
roadmap and the results can call it with plain values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.teams.roles import RECOMMENDED

LOW_CAPACITY = 0.25  # less than a quarter of a full-time person counts as "very low"


class Cover(StrEnum):
    MISSING = "missing"
    LOW = "low"
    OK = "ok"


@dataclass(frozen=True)
class RoleCoverage:
    role: str
    capacity: float  # full-time equivalents given to this role
    cover: Cover


def coverage(members: Iterable[tuple[Sequence[str], float]]) -> list[RoleCoverage]:
    """For each recommended role, the capacity the team gives it and whether that is enough.

    `members` are (team roles, capacity) pairs; a member with several roles splits their capacity
    evenly between them, since the same hours cannot be spent twice.
    """
    totals = dict.fromkeys(RECOMMENDED, 0.0)
    for roles, capacity in members:
        share = capacity / len(roles) if roles else 0.0
        for role in roles:
            if role in totals:
                totals[role] += share
    return [RoleCoverage(role, round(fte, 2), _cover(fte)) for role, fte in totals.items()]


def gaps(members: Iterable[tuple[Sequence[str], float]]) -> list[RoleCoverage]:
    """Only the recommended roles that are missing or very thin (what the roadmap should address)."""
    return [row for row in coverage(members) if row.cover is not Cover.OK]


def _cover(fte: float) -> Cover:
    if fte <= 0:
        return Cover.MISSING
    return Cover.LOW if fte < LOW_CAPACITY else Cover.OK
