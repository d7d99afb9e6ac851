"""Findings on raw data-file data (parsed YAML): where a problem is and what it is, before it has a line.

Cross-reference checks read plain dicts and lists and skip whatever is malformed, so a loader lists
them next to the schema's field errors in one pass. The helpers here are the ones every data file's
checks share: walking lists of mappings, duplicate ids, unknown references with a hint, one cycle finder.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import AfterValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.i18n import N_
from app.kit.datafile.messages import Message, say

Loc = tuple[str | int, ...]
Entity = tuple[Loc, Mapping[str, Any]]
# Pass this key as validation context to skip a schema's cross-reference checks (the loader runs them).
DEFER_REFERENCE_CHECKS = "defer_reference_checks"


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


def refuse(info: ValidationInfo, check: Callable[[], Iterable[Finding]]) -> None:
    """In a schema's validator: raise on what `check` finds, unless the loader defers it to list it all."""
    if isinstance(info.context, dict) and info.context.get(DEFER_REFERENCE_CHECKS):
        return
    found = list(check())
    if found:
        raise ValueError("; ".join(str(finding) for finding in found))


def whole_number_in(kind: str, template: str, name: str, low: int, high: int) -> tuple[Any, Any]:
    """A validator and JSON Schema for a whole number from `low` to `high`, refused as error `kind`.

    `template` (pydantic's {placeholders}) names the value as {`name`} and the range as {min} and {max}.
    """

    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(kind, template, {name: value, "min": low, "max": high})
        return value

    return AfterValidator(check), WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})


def entities(parent: object, key: str, loc: Loc = ()) -> Iterator[Entity]:
    """The mappings listed under `key` of `parent`, each with its location."""
    items = parent.get(key) if isinstance(parent, Mapping) else None
    if isinstance(items, list | tuple):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield (*loc, key, index), item


def duplicates(msgid: str, found: Iterable[Entity], key: str = "id") -> Iterator[Finding]:
    """A finding (msgid with %(value)s) for every entity whose `key` repeats an earlier one's."""
    first: dict[object, Loc] = {}
    for loc, entity in found:
        value = entity.get(key)
        if not isinstance(value, str | int):
            continue
        if value in first:
            yield Finding((*loc, key), say(msgid, value=value), first=first[value])
        else:
            first[value] = (*loc, key)


def unknown(kind: str, refs: Iterable[tuple[Loc, object]], known: Iterable[str]) -> Iterator[Finding]:
    """A finding for every reference to an id that is not `known`, suggesting the closest one.

    `kind` is an N_ msgid naming what is referred to ("prerequisite", "role").
    """
    names = list(known)
    for loc, ref in refs:
        if isinstance(ref, str) and ref not in names:
            close = difflib.get_close_matches(ref, names, n=1)
            if close:
                msgid = N_("unknown %(kind)s '%(id)s': did you mean %(suggestion)s?")
                yield Finding(loc, say(msgid, kind=say(kind), id=ref, suggestion=close[0]))
            else:
                yield Finding(loc, say(N_("unknown %(kind)s '%(id)s'"), kind=say(kind), id=ref))


def cycles(
    msgid: str, graph: Mapping[str, Iterable[object]], starts: Iterable[tuple[Loc, object]]
) -> Iterator[Finding]:
    """A finding (msgid with %(path)s) at each start for every cycle through it, each cycle reported once."""
    reported: set[frozenset[str]] = set()
    for loc, start in starts:
        cycle = find_cycle(start, graph) if isinstance(start, str) else None
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            yield Finding(loc, say(msgid, path=" → ".join(cycle)))


def find_cycle(start: str, graph: Mapping[str, Iterable[object]]) -> list[str] | None:
    """The shortest path from `start` back to itself (breadth first), if there is one."""
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for nxt in graph.get(path[-1], ()):
            if nxt == start:
                return [*path, start]
            if isinstance(nxt, str) and nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    return None
