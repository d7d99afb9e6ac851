"""Names and numbers as the review page and the reports show them, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from app.catalogue.loader import builtin_catalogue
from app.maturity.schema import MaturityModel
from app.roadmap.planner.reasons import PHASE_NAMES


@dataclass(frozen=True)
class Labels:
    locale: str

    def area(self, model: MaturityModel, kind: str, id_: str) -> str:
        """A dimension's or a capability's name in the model ("overall" has none: the caller says it)."""
        for dimension in model.dimensions:
            if kind == "dimension" and dimension.id == id_:
                return dimension.name.get(self.locale)
            for capability in dimension.capabilities:
                if kind == "capability" and capability.id == id_:
                    return capability.name.get(self.locale)
        return id_

    def phase(self, phase: str) -> str:
        return next(t.get(self.locale) for p, t in PHASE_NAMES.items() if p.value == phase)

    def pattern(self, pattern_id: str) -> str:
        """A failure pattern's name, as the risk register shows it."""
        found = next((r for r in builtin_catalogue().risks if r.id == pattern_id), None)
        return found.name.get(self.locale) if found else pattern_id

    def patterns(self, ids: list[str]) -> list[str]:
        return [self.pattern(i) for i in ids]


def level(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def delta(value: float | None) -> str:
    """A change of level with its sign, "±0.0" when it is too small to show."""
    if value is None:
        return "–"
    return "±0.0" if abs(value) < 0.05 else f"{value:+.1f}"
