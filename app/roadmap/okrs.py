"""Suggested OKRs: the catalogue's objectives that the plan works on, with the items' key results.

A key result is due when the item that brings it ends, so the suggestions follow the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.roadmap.catalogue_schema import Catalogue, Objective
from app.roadmap.plan import Item, SuggestedKeyResult, SuggestedObjective

MAX_KEY_RESULTS = 4


def suggest(items: Sequence[Item], catalogue: Catalogue) -> tuple[SuggestedObjective, ...]:
    """One objective per catalogue objective the plan touches, with its earliest-due key results."""
    suggested = [_objective(o, items) for o in catalogue.objectives]
    found = [s for s in suggested if s.key_results]
    return tuple(sorted(found, key=lambda s: (s.key_results[0].due, s.id)))


def _objective(objective: Objective, items: Sequence[Item]) -> SuggestedObjective:
    wanted = set(objective.capabilities)
    serving = sorted((i for i in items if i.capability_id in wanted), key=lambda i: (i.end_month, i.id))
    key_results = [
        SuggestedKeyResult(kr, item.id, item.end) for item in serving for kr in item.key_results[:1]
    ]
    return SuggestedObjective(objective.id, objective.text, tuple(key_results[:MAX_KEY_RESULTS]))
