"""Suggested OKRs: the catalogue's objectives that the plan works on, with the items' key results.

A key result is due on the last day of the item that brings it, so the suggestions follow the plan.
An item's key result is suggested under one objective only: the first in catalogue order that lists
the item's capability and still has room (the catalogue may list a capability under two objectives).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.catalogue.schema import Catalogue, Objective
from app.roadmap.planner.plan import Item, SuggestedKeyResult, SuggestedObjective

MAX_KEY_RESULTS = 4


def suggest(items: Sequence[Item], catalogue: Catalogue) -> tuple[SuggestedObjective, ...]:
    """One objective per catalogue objective the plan touches, with its earliest-due key results."""
    taken: set[str] = set()
    suggested = []
    for objective in catalogue.objectives:
        one = _objective(objective, [i for i in items if i.id not in taken])
        taken.update(kr.item_id for kr in one.key_results)
        if one.key_results:
            suggested.append(one)
    return tuple(sorted(suggested, key=lambda s: (s.key_results[0].due, s.id)))


def _objective(objective: Objective, items: Sequence[Item]) -> SuggestedObjective:
    wanted = set(objective.capabilities)
    serving = sorted((i for i in items if i.capability_id in wanted), key=lambda i: (i.end_month, i.id))
    key_results = [
        SuggestedKeyResult(kr, item.id, item.last_day) for item in serving for kr in item.key_results[:1]
    ]
    return SuggestedObjective(objective.id, objective.text, tuple(key_results[:MAX_KEY_RESULTS]))
