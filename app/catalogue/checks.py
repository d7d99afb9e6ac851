"""Cross-reference checks on raw catalogue data, collecting every finding instead of stopping at one.

They read plain dicts and lists (parsed YAML, or a catalogue's `model_dump()`) and skip whatever is
malformed, so the loader reports them next to pydantic's field errors in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from app.maturity.checks import Finding, Loc

Entity = tuple[Loc, Mapping[str, Any]]
LEVELS = range(0, 5)
STEPS = range(1, 5)


def catalogue_findings(data: object) -> list[Finding]:
    """Every duplicate id, dangling reference, prerequisite cycle and RACI problem in `data`."""
    findings = [
        *_duplicates("role id", _entities(data, "roles")),
        *_duplicates("tool id", _entities(data, "tools")),
        *_duplicates("dimension id", _entities(data, "dimensions")),
        *_duplicates("capability id", _entities(data, "capabilities")),
        *_duplicates("risk id", _entities(data, "risks")),
        *_duplicates("objective id", _entities(data, "objectives")),
    ]
    known = {kind: _ids(data, kind) for kind in ("roles", "tools", "dimensions", "capabilities")}
    for loc, capability in _entities(data, "capabilities"):
        findings += _capability_findings(loc, capability, known)
    findings += _cycle_findings(data)
    for loc, objective in _entities(data, "objectives"):
        findings += _unknown("capability", _listed(objective, "capabilities", loc), known["capabilities"])
    return findings


def prerequisite_ids(capability: Mapping[str, Any]) -> list[object]:
    """The capability ids a capability's prerequisites name (short or long form)."""
    items = capability.get("prerequisites")
    if not isinstance(items, list | tuple):
        return []
    return [item.get("capability") if isinstance(item, Mapping) else item for item in items]


def _capability_findings(
    loc: Loc, capability: Mapping[str, Any], known: Mapping[str, set[str]]
) -> list[Finding]:
    prerequisites = [((*loc, "prerequisites", i), p) for i, p in enumerate(prerequisite_ids(capability))]
    checklist_roles = [((*at, "role"), c.get("role")) for at, c in _entities(capability, "checklist", loc)]
    return [
        *_unknown("dimension", [((*loc, "dimension"), capability.get("dimension"))], known["dimensions"]),
        *_unknown("prerequisite", prerequisites, known["capabilities"]),
        *_unknown("tool", _listed(capability, "tools", loc), known["tools"]),
        *_unknown("role", [((*loc, "raci", r), r) for r in _mapping(capability, "raci")], known["roles"]),
        *_unknown("role", [(at, r) for at, r in checklist_roles if r is not None], known["roles"]),
        *_raci_findings(loc, capability),
        *_missing_keys(loc, capability, "levels", LEVELS, "description of level"),
        *_missing_keys(loc, capability, "effort", STEPS, "effort for the step to level"),
        *_duplicates("key result id", _entities(capability, "key_results", loc)),
        *_duplicates("checklist item id", _entities(capability, "checklist", loc)),
    ]


def _raci_findings(loc: Loc, capability: Mapping[str, Any]) -> Iterator[Finding]:
    raci = _mapping(capability, "raci")
    if not raci:
        return
    accountable = [role for role, value in raci.items() if value == "A"]
    if len(accountable) != 1:
        names = f" ({', '.join(map(str, accountable))})" if accountable else ""
        yield Finding((*loc, "raci"), f"{len(accountable)} roles are Accountable{names}: exactly one must be")
    if "R" not in raci.values():
        yield Finding((*loc, "raci"), "no role is Responsible: at least one must be")


def _missing_keys(
    loc: Loc, parent: Mapping[str, Any], key: str, wanted: range, what: str
) -> Iterator[Finding]:
    given = parent.get(key)
    if not isinstance(given, Mapping):
        return
    for level in wanted:
        if level not in given and str(level) not in given:
            yield Finding((*loc, key), f"missing {what} {level}")


def _cycle_findings(data: object) -> Iterator[Finding]:
    graph = {str(c["id"]): prerequisite_ids(c) for _, c in _entities(data, "capabilities") if "id" in c}
    reported: set[frozenset[str]] = set()
    for loc, capability in _entities(data, "capabilities"):
        cycle = _cycle_through(str(capability.get("id")), graph)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            yield Finding((*loc, "prerequisites"), f"prerequisite cycle: {' → '.join(cycle)}")


def _cycle_through(start: str, graph: Mapping[str, list[object]]) -> list[str] | None:
    """The shortest prerequisite path from `start` back to itself, if there is one."""
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for nxt in graph.get(path[-1], []):
            if nxt == start:
                return [*path, start]
            if isinstance(nxt, str) and nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    return None


def _unknown(kind: str, refs: Iterable[tuple[Loc, object]], known: set[str]) -> Iterator[Finding]:
    for loc, ref in refs:
        if isinstance(ref, str) and ref not in known:
            yield Finding(loc, f"unknown {kind} {ref!r}")


def _listed(parent: Mapping[str, Any], key: str, loc: Loc) -> list[tuple[Loc, object]]:
    items = parent.get(key)
    return [((*loc, key, i), item) for i, item in enumerate(items)] if isinstance(items, list | tuple) else []


def _mapping(parent: Mapping[str, Any], key: str) -> Mapping[str, object]:
    value = parent.get(key)
    return value if isinstance(value, Mapping) else {}


def _ids(data: object, key: str) -> set[str]:
    return {str(entity["id"]) for _, entity in _entities(data, key) if "id" in entity}


def _entities(parent: object, key: str, loc: Loc = ()) -> Iterator[Entity]:
    items = parent.get(key) if isinstance(parent, Mapping) else None
    if isinstance(items, list | tuple):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield (*loc, key, index), item


def _duplicates(kind: str, entities: Iterable[Entity]) -> Iterator[Finding]:
    first: dict[object, Loc] = {}
    for loc, entity in entities:
        value = entity.get("id")
        if not isinstance(value, str):
            continue
        if value in first:
            yield Finding((*loc, "id"), f"duplicate {kind} {value!r}", first=first[value])
        else:
            first[value] = (*loc, "id")
