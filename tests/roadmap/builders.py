"""Small catalogues built in code: a capability per spec, every required field filled in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.catalogue.schema import Catalogue

ROLES = ("mlops_engineer", "data_engineer", "ml_engineer", "data_scientist", "product_owner")


@dataclass
class Spec:
    id: str
    prerequisites: Sequence[Any] = ()
    phase: str = "foundation"
    effort: Sequence[float] = (1.0, 1.0, 1.0, 1.0)  # person-weeks for the steps to levels 1-4
    dimension: str = "data"
    raci: dict[str, str] = field(default_factory=lambda: {"mlops_engineer": "A", "ml_engineer": "R"})
    tools: Sequence[str] = ()
    weight: float = 1.0
    phase_by_target: dict[int, str] = field(default_factory=dict)
    checklist_roles: Sequence[str | None] = (None, None, None)  # one checklist entry per role


def text(en: str) -> dict[str, str]:
    """A text with a Japanese translation that is obviously derived from the English."""
    return {"en": en, "ja": f"{en}（日本語）"}


def capability_data(spec: Spec) -> dict[str, Any]:
    """The raw data of one capability."""
    return {
        "id": spec.id,
        "dimension": spec.dimension,
        "name": text(spec.id.replace("-", " ").capitalize()),
        "weight": spec.weight,
        "levels": {level: text(f"{spec.id} at level {level}") for level in range(5)},
        "phase": spec.phase,
        "phase_by_target": spec.phase_by_target,
        "prerequisites": list(spec.prerequisites),
        "effort": {step: {"low": pw, "high": pw} for step, pw in enumerate(spec.effort, start=1)},
        "raci": spec.raci,
        "tools": list(spec.tools),
        "key_results": [{"id": "done", "text": text(f"{spec.id} done"), "metric": "milestone"}],
        "checklist": [
            {"id": f"step-{n}", "text": text(f"{spec.id} step {n}"), **({"role": role} if role else {})}
            for n, role in enumerate(spec.checklist_roles)
        ],
    }


def catalogue_data(specs: Sequence[Spec], **extra: Any) -> dict[str, Any]:
    """The raw data of a catalogue holding `specs`."""
    tools = sorted({t for s in specs for t in s.tools})
    return {
        "id": "test",
        "version": "1.0",
        "name": text("Test catalogue"),
        "roles": [{"id": r, "name": text(r.replace("_", " ").capitalize())} for r in ROLES],
        "tools": [{"id": t, "name": t.title(), "description": text(t)} for t in tools],
        "dimensions": [{"id": d, "name": text(d)} for d in ("data", "monitoring")],
        "capabilities": [capability_data(s) for s in specs],
        **extra,
    }


def catalogue(*specs: Spec, **extra: Any) -> Catalogue:
    """A validated catalogue of `specs`."""
    return Catalogue.model_validate(catalogue_data(specs, **extra))


RISKS = [
    {"id": kind, "name": text(kind), "mitigation": text(f"mitigate {kind}")}
    for kind in ("over-complexity", "tool-dependency", "data-scientist-resistance", "late-monitoring")
]
