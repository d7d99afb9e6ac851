"""Cross-reference checks on raw model data, collecting every finding instead of stopping at one.

They read plain dicts and lists (parsed YAML, or a model's `model_dump()`) and skip whatever is
malformed, so the loader can report them next to pydantic's field errors in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.i18n import N_
from app.maturity.messages import Message, say

Loc = tuple[str | int, ...]
Entity = tuple[Loc, Mapping[str, Any]]

ML_TEST_SCORE_POINTS = (0, 0.5, 1)


@dataclass(frozen=True)
class Finding:
    """A problem at a location in the data, before it is tied to a file and a line."""

    loc: Loc
    message: str | Message
    first: Loc | None = None  # for duplicates: where the value was first used

    def __str__(self) -> str:
        text = f"{format_path(self.loc)}: {self.message}"
        return f"{text} (first used at {format_path(self.first)})" if self.first is not None else text


def format_path(loc: Loc) -> str:
    """Render a location as `dimensions[1].capabilities[0].id`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":  # pydantic's marker for a dict key; the key itself is already in loc
            path += f".{part}" if path else part
    return path


def reference_findings(data: object) -> list[Finding]:
    """Every duplicate id, dangling or cyclic prerequisite and scoring inconsistency in `data`."""
    findings = [
        *_duplicates(N_("duplicate dimension id '%(value)s'"), _entities(data, "dimensions")),
        *_duplicates(N_("duplicate capability id '%(value)s'"), capabilities(data)),
        *_duplicates(N_("duplicate question id '%(value)s'"), questions(data)),
        *_duplicates(N_("duplicate level %(value)s"), _entities(data, "levels"), key="level"),
    ]
    for loc, question in questions(data):
        findings += choice_findings(question, loc)
    findings += [*_prerequisite_findings(data), *_cycle_findings(data)]
    return [*findings, *_points_findings(data), *_band_order_findings(data)]


def choice_findings(question: Mapping[str, Any], loc: Loc = ()) -> list[Finding]:
    """Choices of one question that repeat an id."""
    return list(_duplicates(N_("duplicate choice id '%(value)s'"), _entities(question, "choices", loc)))


def capabilities(data: object) -> Iterator[Entity]:
    """Every capability mapping in the model, with its location."""
    for loc, dimension in _entities(data, "dimensions"):
        yield from _entities(dimension, "capabilities", loc)


def questions(data: object) -> Iterator[Entity]:
    """Every question mapping in the model, with its location."""
    for loc, capability in capabilities(data):
        yield from _entities(capability, "questions", loc)


def _entities(parent: object, key: str, loc: Loc = ()) -> Iterator[Entity]:
    items = parent.get(key) if isinstance(parent, Mapping) else None
    if isinstance(items, list | tuple):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield (*loc, key, index), item


def _duplicates(msgid: str, entities: Iterable[Entity], key: str = "id") -> Iterator[Finding]:
    first: dict[object, Loc] = {}
    for loc, entity in entities:
        value = entity.get(key)
        if not isinstance(value, str | int):
            continue
        if value in first:
            yield Finding((*loc, key), say(msgid, value=value), first=first[value])
        else:
            first[value] = (*loc, key)


def _prerequisites(capability: Mapping[str, Any]) -> list[object]:
    value = capability.get("prerequisites")
    return list(value) if isinstance(value, list | tuple) else []


def _prerequisite_graph(data: object) -> dict[str, list[object]]:
    return {c["id"]: _prerequisites(c) for _, c in capabilities(data) if isinstance(c.get("id"), str)}


def _prerequisite_findings(data: object) -> Iterator[Finding]:
    known = _prerequisite_graph(data)
    for loc, capability in capabilities(data):
        for index, slug in enumerate(_prerequisites(capability)):
            if isinstance(slug, str) and slug not in known:
                yield Finding((*loc, "prerequisites", index), _unknown_prerequisite(slug, list(known)))


def _unknown_prerequisite(slug: str, known: list[str]) -> Message:
    close = difflib.get_close_matches(slug, known, n=1)
    if close:
        msgid = N_("unknown prerequisite '%(id)s': did you mean %(suggestion)s?")
        return say(msgid, id=slug, suggestion=close[0])
    return say(N_("unknown prerequisite '%(id)s'"), id=slug)


def _cycle_findings(data: object) -> Iterator[Finding]:
    graph = _prerequisite_graph(data)
    reported: set[frozenset[str]] = set()
    for loc, capability in capabilities(data):
        ident = capability.get("id")
        cycle = _cycle_through(ident, graph) if isinstance(ident, str) else None
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            path = " → ".join(cycle)
            yield Finding((*loc, "prerequisites"), say(N_("prerequisites form a cycle: %(path)s"), path=path))


def _cycle_through(start: str, graph: Mapping[str, list[object]]) -> list[str] | None:
    stack: list[list[str]] = [[start]]
    seen: set[str] = set()
    while stack:
        path = stack.pop()
        for nxt in graph.get(path[-1], []):
            if nxt == start:
                return [*path, start]
            if isinstance(nxt, str) and nxt not in seen:
                seen.add(nxt)
                stack.append([*path, nxt])
    return None


def _points_findings(data: object) -> Iterator[Finding]:
    scoring = data.get("scoring") if isinstance(data, Mapping) else None
    if not isinstance(scoring, Mapping) or scoring.get("strategy") != "ml_test_score":
        return
    for question_loc, question in questions(data):
        for loc, choice in _entities(question, "choices", question_loc):
            points = choice.get("points")
            if choice.get("level") is not None and points not in ML_TEST_SCORE_POINTS:
                yield Finding((*loc, "points"), say(N_("ml_test_score choices need points: 0, 0.5 or 1")))


def _band_order_findings(data: object) -> Iterator[Finding]:
    scoring = data.get("scoring") if isinstance(data, Mapping) else None
    previous: float | None = None
    for loc, band in _entities(scoring, "bands", ("scoring",)):
        score = band.get("min_score")
        if not isinstance(score, int | float):
            continue
        if previous is not None and score <= previous:
            yield Finding((*loc, "min_score"), say(N_("bands must be listed by increasing min_score")))
        previous = score
