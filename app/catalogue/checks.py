"""Cross-reference checks on raw catalogue data, collecting every finding instead of stopping at one.

They read plain dicts and lists (parsed YAML, or a catalogue's `model_dump()`) and skip whatever is
malformed, so the loader reports them next to pydantic's field errors in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from app.i18n import N_
from app.kit.datafile.findings import Finding, Loc, cycles, duplicates, entities, unknown
from app.kit.datafile.messages import say

LEVELS = range(0, 5)
STEPS = range(1, 5)
DUPLICATES = {
    "roles": N_("duplicate role id '%(value)s'"),
    "tools": N_("duplicate tool id '%(value)s'"),
    "dimensions": N_("duplicate dimension id '%(value)s'"),
    "capabilities": N_("duplicate capability id '%(value)s'"),
    "risks": N_("duplicate risk id '%(value)s'"),
    "objectives": N_("duplicate objective id '%(value)s'"),
}


def catalogue_findings(data: object) -> list[Finding]:
    """Every duplicate id, dangling reference, prerequisite cycle and RACI problem in `data`."""
    findings = [
        finding for key, msgid in DUPLICATES.items() for finding in duplicates(msgid, entities(data, key))
    ]
    known = {kind: _ids(data, kind) for kind in ("roles", "tools", "dimensions", "capabilities")}
    findings += duplicates(N_("duplicate signal key '%(value)s'"), entities(data, "signals"), key="key")
    known["signals"] = {str(s["key"]) for _, s in entities(data, "signals") if "key" in s}
    for loc, capability in entities(data, "capabilities"):
        findings += _capability_findings(loc, capability, known)
    graph = {str(c["id"]): prerequisite_ids(c) for _, c in entities(data, "capabilities") if "id" in c}
    starts = [((*loc, "prerequisites"), c.get("id")) for loc, c in entities(data, "capabilities")]
    findings += cycles(N_("prerequisites form a cycle: %(path)s"), graph, starts)
    for loc, objective in entities(data, "objectives"):
        findings += unknown(N_("capability"), _listed(objective, "capabilities", loc), known["capabilities"])
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
    checklist_roles = [((*at, "role"), c.get("role")) for at, c in entities(capability, "checklist", loc)]
    roles = [((*loc, "raci", r), r) for r in _mapping(capability, "raci")]
    return [
        *unknown(N_("dimension"), [((*loc, "dimension"), capability.get("dimension"))], known["dimensions"]),
        *unknown(N_("prerequisite"), prerequisites, known["capabilities"]),
        *unknown(N_("tool"), _listed(capability, "tools", loc), known["tools"]),
        *unknown(N_("role"), roles + [(at, r) for at, r in checklist_roles if r is not None], known["roles"]),
        *_raci_findings(loc, capability),
        *_missing_keys(loc, capability, "levels", LEVELS, N_("missing description of level %(level)s")),
        *_missing_keys(
            loc, capability, "effort", STEPS, N_("missing effort for the step to level %(level)s")
        ),
        *duplicates(N_("duplicate key result id '%(value)s'"), entities(capability, "key_results", loc)),
        *duplicates(N_("duplicate checklist item id '%(value)s'"), entities(capability, "checklist", loc)),
        *unknown(N_("signal"), _signals_named(loc, capability), known["signals"]),
    ]


def _signals_named(loc: Loc, capability: Mapping[str, Any]) -> list[tuple[Loc, object]]:
    """Every signal key an evidence rule (its `also` conditions too), a key result or a checklist proof
    of `capability` names."""
    evidence = capability.get("evidence")
    rules = list(entities(evidence, "rules", (*loc, "evidence"))) if isinstance(evidence, Mapping) else []
    rules += [also for at, rule in rules for also in entities(rule, "also", at)]
    results = [(at, k) for at, k in entities(capability, "key_results", loc) if k.get("signal") is not None]
    proofs = [
        ((*at, "proof"), c["proof"])
        for at, c in entities(capability, "checklist", loc)
        if isinstance(c.get("proof"), Mapping)
    ]
    return [((*at, "signal"), entry.get("signal")) for at, entry in [*rules, *results, *proofs]]


def _raci_findings(loc: Loc, capability: Mapping[str, Any]) -> Iterator[Finding]:
    raci = _mapping(capability, "raci")
    if not raci:
        return
    accountable = [str(role) for role, value in raci.items() if value == "A"]
    if not accountable:
        yield Finding((*loc, "raci"), say(N_("no role is Accountable: exactly one must be")))
    elif len(accountable) > 1:
        msgid = N_("%(count)s roles are Accountable (%(names)s): exactly one must be")
        yield Finding((*loc, "raci"), say(msgid, count=len(accountable), names=", ".join(accountable)))
    if "R" not in raci.values():
        yield Finding((*loc, "raci"), say(N_("no role is Responsible: at least one must be")))


def _missing_keys(
    loc: Loc, parent: Mapping[str, Any], key: str, wanted: range, msgid: str
) -> Iterator[Finding]:
    given = parent.get(key)
    if not isinstance(given, Mapping):
        return
    for level in wanted:
        if level not in given and str(level) not in given:
            yield Finding((*loc, key), say(msgid, level=level))


def _listed(parent: Mapping[str, Any], key: str, loc: Loc) -> list[tuple[Loc, object]]:
    items = parent.get(key)
    return [((*loc, key, i), item) for i, item in enumerate(items)] if isinstance(items, list | tuple) else []


def _mapping(parent: Mapping[str, Any], key: str) -> Mapping[str, object]:
    value = parent.get(key)
    return value if isinstance(value, Mapping) else {}


def _ids(data: object, key: str) -> set[str]:
    return {str(entity["id"]) for _, entity in entities(data, key) if "id" in entity}
