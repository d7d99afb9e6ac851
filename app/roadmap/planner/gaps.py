"""From a scored assessment to the planner's gaps: current level vs target for each catalogue capability.

A capability's scored level (an average, e.g. 2.5) is rounded DOWN: a capability is only at level 3
when it is there for every question, so the plan never skips work that is half done. The target is
the dimension's target of the assessed model. Capabilities the assessment did not cover (another
model) or left unanswered are left out of the plan and named on the page, rather than guessed at 0.
Capabilities marked not applicable have no gap either: the plan has them only if other work needs
them first, and the page says which.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.assessments.scoring import Results
from app.catalogue.schema import Catalogue
from app.maturity.schema import MAX_LEVEL, MIN_LEVEL


@dataclass(frozen=True)
class GapInput:
    gaps: dict[str, tuple[int, int]]
    unanswered: tuple[str, ...]  # in the model, but without a level
    not_assessed: tuple[str, ...]  # catalogue capabilities the model does not have
    not_applicable: tuple[str, ...] = ()  # every question marked not applicable


def gaps_from(
    results: Results, catalogue: Catalogue, targets: Mapping[str, int], default_target: int
) -> GapInput:
    """Gaps for the capabilities both the assessment and the catalogue know."""
    scored = {c.id: c for c in results.capabilities}
    gaps: dict[str, tuple[int, int]] = {}
    unanswered, missing, skipped = [], [], []
    for capability in catalogue.capabilities:
        score = scored.get(capability.id)
        if score is None:
            missing.append(capability.id)
        elif score.is_not_applicable:
            skipped.append(capability.id)
        elif score.level is None:
            unanswered.append(capability.id)
        else:
            current = max(MIN_LEVEL, min(MAX_LEVEL, math.floor(score.level + 1e-9)))
            target = targets.get(score.dimension_id, default_target)
            gaps[capability.id] = (current, max(MIN_LEVEL, min(MAX_LEVEL, target)))
    return GapInput(gaps, tuple(unanswered), tuple(missing), tuple(skipped))


def latest_per_capability(found: Sequence[GapInput], catalogue: Catalogue) -> tuple[GapInput, dict[str, int]]:
    """Gaps of several assessments, newest first, merged: each capability's gap comes from the newest
    assessment that gives it a level or marks it not applicable (capability ids are shared between
    models). Also returns, per such capability, the index in `found` of the assessment it came from."""
    origin: dict[str, int] = {}
    for index, one in enumerate(found):
        for capability_id in (*one.gaps, *one.not_applicable):
            origin.setdefault(capability_id, index)
    included = {c for one in found for c in (*one.gaps, *one.unanswered, *one.not_applicable)}
    gaps, unanswered, missing, skipped = {}, [], [], []
    for capability in catalogue.capabilities:
        if capability.id in origin:
            source = found[origin[capability.id]]
            if capability.id in source.gaps:
                gaps[capability.id] = source.gaps[capability.id]
            else:
                skipped.append(capability.id)
        elif capability.id in included:
            unanswered.append(capability.id)
        else:
            missing.append(capability.id)
    return GapInput(gaps, tuple(unanswered), tuple(missing), tuple(skipped)), origin
