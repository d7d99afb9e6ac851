"""Place jobs on 12 months of capacity: prerequisites first, each job at an even monthly rate.

Pinned jobs book their months first. The others go in the given order (already topological and by
priority) to the earliest start their prerequisites and earliest month allow, with the start
and duration that end soonest while the even rate fits the free capacity of every month covered.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.roadmap.planner.plan import MONTHS

EPSILON = 1e-9


@dataclass(frozen=True)
class Job:
    id: str
    effort: float
    earliest: int
    after: tuple[str, ...]  # job ids that must end before this one starts
    duration: int | None = None  # fixed by an edit
    pin: tuple[int, int] | None = None


@dataclass(frozen=True)
class Slot:
    start: int
    end: int  # exclusive
    rate: float  # person-weeks per month
    ready: int  # the earliest month prerequisites and the earliest month allowed
    waited_for: str | None  # the prerequisite that set `ready`, if it did


@dataclass(frozen=True)
class Blocked:
    """A job that does not fit: it waits for an unplaced prerequisite, or capacity runs out."""

    prerequisite: str | None
    ready: int


@dataclass(frozen=True)
class Placement:
    slots: Mapping[str, Slot]
    blocked: Mapping[str, Blocked]
    load: tuple[float, ...]
    capacity: tuple[float, ...]


def topological_order(
    ids: Iterable[str], after: Mapping[str, Sequence[str]], key: Callable[[str], Any] = str
) -> list[str]:
    """Ids with every prerequisite before its dependants, the smallest `key` first among those ready."""
    nodes = list(ids)
    waiting = {n: len(after.get(n, ())) for n in nodes}
    dependants: dict[str, list[str]] = {n: [] for n in nodes}
    for node in nodes:
        for prerequisite in after.get(node, ()):
            dependants[prerequisite].append(node)
    ready = [(key(n), n) for n in nodes if waiting[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        order.append(node := heapq.heappop(ready)[1])
        for dependant in dependants[node]:
            waiting[dependant] -= 1
            if waiting[dependant] == 0:
                heapq.heappush(ready, (key(dependant), dependant))
    if len(order) != len(nodes):
        raise ValueError(f"prerequisite cycle among: {', '.join(sorted(set(nodes) - set(order)))}")
    return order


def place(jobs: Sequence[Job], capacity: Sequence[float], max_rate: float) -> Placement:
    """Schedule pinned jobs where they are, then the rest in order; report what does not fit."""
    free = list(capacity)
    slots: dict[str, Slot] = {}
    blocked: dict[str, Blocked] = {}
    for job in jobs:
        if job.pin is not None:
            slots[job.id] = _book(free, job.pin[0], job.pin[1] - job.pin[0], job.effort, job.pin[0], None)
    for job in jobs:
        if job.pin is None:
            _place_one(job, free, max_rate, slots, blocked)
    load = tuple(c - f for c, f in zip(capacity, free, strict=True))
    return Placement(slots=slots, blocked=blocked, load=load, capacity=tuple(capacity))


def _place_one(
    job: Job, free: list[float], max_rate: float, slots: dict[str, Slot], blocked: dict[str, Blocked]
) -> None:
    unplaced = next((p for p in job.after if p not in slots), None)
    if unplaced is not None:
        blocked[job.id] = Blocked(prerequisite=unplaced, ready=job.earliest)
        return
    ends = [(slots[p].end, p) for p in job.after]
    last_end, waited_for = max(ends, default=(0, None))
    ready = max(job.earliest, last_end)
    fit = _first_fit(job, free, ready, max_rate)
    if fit is None:
        blocked[job.id] = Blocked(prerequisite=None, ready=ready)
    else:
        slots[job.id] = _book(free, *fit, job.effort, ready, waited_for if last_end > job.earliest else None)


def _first_fit(job: Job, free: Sequence[float], ready: int, max_rate: float) -> tuple[int, int] | None:
    """The start and duration that end soonest (then start soonest) with an even rate that fits."""
    best: tuple[int, int] | None = None
    for start in range(ready, MONTHS):
        if best is not None and start >= best[0] + best[1]:
            break
        duration = _shortest_duration(job, free, start, max_rate)
        if duration is not None and (best is None or start + duration < best[0] + best[1]):
            best = (start, duration)
    return best


def _shortest_duration(job: Job, free: Sequence[float], start: int, max_rate: float) -> int | None:
    shortest = job.duration or max(1, math.ceil(job.effort / max_rate - EPSILON))
    lowest = math.inf
    for duration in range(1, MONTHS - start + 1):
        lowest = min(lowest, free[start + duration - 1])
        if duration >= shortest and lowest + EPSILON >= job.effort / duration:
            return duration
        if job.duration is not None and duration >= job.duration:
            return None
    return None


def _book(
    free: list[float], start: int, duration: int, effort: float, ready: int, waited: str | None
) -> Slot:
    rate = effort / duration
    for month in range(start, start + duration):
        free[month] -= rate
    return Slot(start=start, end=start + duration, rate=rate, ready=ready, waited_for=waited)
