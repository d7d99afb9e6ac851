"""Cross-reference checks on raw model data, collecting every finding instead of stopping at one.

They read plain dicts and lists (parsed YAML, or a model's `model_dump()`) and skip whatever is
malformed, so the loader can report them next to pydantic's field errors in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from app.i18n import N_
from app.kit.datafile.findings import Entity, Finding, Loc, cycles, duplicates, entities, unknown
from app.kit.datafile.messages import say

ML_TEST_SCORE_POINTS = (0, 0.5, 1)


def reference_findings(data: object) -> list[Finding]:
    """Every duplicate id, dangling or cyclic prerequisite and scoring inconsistency in `data`."""
    findings = [
        *duplicates(N_("duplicate dimension id '%(value)s'"), entities(data, "dimensions")),
        *duplicates(N_("duplicate capability id '%(value)s'"), capabilities(data)),
        *duplicates(N_("duplicate question id '%(value)s'"), questions(data)),
        *duplicates(N_("duplicate level %(value)s"), entities(data, "levels"), key="level"),
    ]
    for loc, question in questions(data):
        findings += choice_findings(question, loc)
    graph = _prerequisite_graph(data)
    for loc, capability in capabilities(data):
        refs = [((*loc, "prerequisites", i), slug) for i, slug in enumerate(_prerequisites(capability))]
        findings += unknown(N_("prerequisite"), refs, graph)
    starts = [((*loc, "prerequisites"), c.get("id")) for loc, c in capabilities(data)]
    findings += cycles(N_("prerequisites form a cycle: %(path)s"), graph, starts)
    return [*findings, *_points_findings(data), *_band_order_findings(data)]


def choice_findings(question: Mapping[str, Any], loc: Loc = ()) -> list[Finding]:
    """Choices of one question that repeat an id."""
    return list(duplicates(N_("duplicate choice id '%(value)s'"), entities(question, "choices", loc)))


def capabilities(data: object) -> Iterator[Entity]:
    """Every capability mapping in the model, with its location."""
    for loc, dimension in entities(data, "dimensions"):
        yield from entities(dimension, "capabilities", loc)


def questions(data: object) -> Iterator[Entity]:
    """Every question mapping in the model, with its location."""
    for loc, capability in capabilities(data):
        yield from entities(capability, "questions", loc)


def _prerequisites(capability: Mapping[str, Any]) -> list[object]:
    value = capability.get("prerequisites")
    return list(value) if isinstance(value, list | tuple) else []


def _prerequisite_graph(data: object) -> dict[str, list[object]]:
    return {c["id"]: _prerequisites(c) for _, c in capabilities(data) if isinstance(c.get("id"), str)}


def _points_findings(data: object) -> Iterator[Finding]:
    scoring = data.get("scoring") if isinstance(data, Mapping) else None
    if not isinstance(scoring, Mapping) or scoring.get("strategy") != "ml_test_score":
        return
    for question_loc, question in questions(data):
        for loc, choice in entities(question, "choices", question_loc):
            points = choice.get("points")
            if choice.get("level") is not None and points not in ML_TEST_SCORE_POINTS:
                yield Finding((*loc, "points"), say(N_("ml_test_score choices need points: 0, 0.5 or 1")))


def _band_order_findings(data: object) -> Iterator[Finding]:
    scoring = data.get("scoring") if isinstance(data, Mapping) else None
    previous: float | None = None
    for loc, band in entities(scoring, "bands", ("scoring",)):
        score = band.get("min_score")
        if not isinstance(score, int | float):
            continue
        if previous is not None and score <= previous:
            yield Finding((*loc, "min_score"), say(N_("bands must be listed by increasing min_score")))
        previous = score
