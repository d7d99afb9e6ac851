"""What a team's signals say about a capability's level: the catalogue's evidence rules, applied.

Pure: no database, no clock. A rule holds on the team's latest observations of its signal. A team may
have several sources reporting the same signal (two repositories): the evidence is read in the team's
favour — a floor or a suggestion holds when any source shows it, a ceiling only when every source does
("no CI" must be true of every repository before it caps the level). A rule with `also` conditions
holds when each of its conditions holds in that way (each may rest on another source). When a floor and
a ceiling contradict each other the ceiling wins: what is missing is the stronger evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.catalogue.schema import Condition, Evidence, EvidenceRule


@dataclass(frozen=True)
class Observation:
    """One source's latest value of one signal."""

    key: str
    value: float
    unit: str
    source_id: int
    source_name: str
    observed_at: datetime
    url: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A rule that holds, with the observations that made it hold."""

    rule: EvidenceRule
    observations: tuple[Observation, ...]


@dataclass(frozen=True)
class Disagreement:
    """An answer the evidence does not bear out: the level answered, the level to accept, and why."""

    answered: int
    suggested: int
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class CapabilityEvidence:
    """What the evidence says about one capability."""

    capability_id: str
    floor: int | None
    ceiling: int | None
    suggested: int | None
    """The level `suggests` rules point to (the highest that holds), within floor and ceiling."""
    tolerance: int
    findings: tuple[Finding, ...]
    """The rules that hold, in catalogue order."""
    observations: tuple[Observation, ...]
    """Every observation the rules read, whether or not a rule held (what to show beside a question)."""
    missing: tuple[str, ...]
    """Signal keys the rules read that no source reports."""

    @property
    def speaks(self) -> bool:
        """Whether the evidence says anything about the level (some rule holds)."""
        return bool(self.findings)

    @property
    def oldest(self) -> datetime | None:
        """When the oldest observation the findings rest on was made: how fresh the evidence is."""
        moments = [o.observed_at for f in self.findings for o in f.observations]
        return min(moments, default=None)

    def level_for(self, answered: int | None) -> int | None:
        """The level accepting the evidence gives: the suggestion, else the answer moved within bounds."""
        if self.suggested is not None:
            return self.suggested
        if answered is None:
            return self.floor
        return _clamp(answered, self.floor, self.ceiling)

    def disagreement(self, answered: int | None) -> Disagreement | None:
        """How the answered level contradicts the evidence, or None (unanswered and N/A never do)."""
        if answered is None or not self.findings:
            return None
        why: list[Finding] = []
        # the bound that decides: "no CI" (at most 1), not also "CI runs no tests" (at most 2)
        floor, ceiling = self.floor, self.ceiling
        bound = None
        if floor is not None and answered < floor:
            why += [f for f in self.findings if f.rule.floor is not None and f.rule.floor >= floor]
            bound = floor
        if ceiling is not None and answered > ceiling:
            why += [f for f in self.findings if f.rule.ceiling is not None and f.rule.ceiling <= ceiling]
            bound = ceiling
        # a suggestion that only repeats the broken bound ("at most 2", "about 2") reads as support, not as
        # a reason: the bound says it
        if (
            self.suggested is not None
            and abs(answered - self.suggested) > self.tolerance
            and self.suggested != bound
        ):
            why += [f for f in self.findings if f.rule.suggests is not None]
        suggested = self.level_for(answered)
        if not why or suggested is None:
            return None
        return Disagreement(answered=answered, suggested=suggested, findings=tuple(why))


def evaluate(
    capability_id: str, evidence: Evidence, observed: Mapping[str, Sequence[Observation]]
) -> CapabilityEvidence:
    """Apply `evidence`'s rules to the team's observations, by signal key."""
    findings: list[Finding] = []
    read: dict[tuple[str, int], Observation] = {}
    missing: list[str] = []
    for rule in evidence.rules:
        holds = True
        because: dict[tuple[str, int], Observation] = {}
        for condition in (rule, *rule.also):
            seen = tuple(observed.get(condition.signal, ()))
            if not seen and condition.signal not in missing:
                missing.append(condition.signal)
            read |= {(o.key, o.source_id): o for o in seen}
            shown = _shown(condition, seen, every=rule.ceiling is not None)
            holds = holds and bool(shown)
            because |= {(o.key, o.source_id): o for o in shown}
        if holds:
            findings.append(Finding(rule, tuple(because.values())))
    ceiling = min((f.rule.ceiling for f in findings if f.rule.ceiling is not None), default=None)
    floor = max((f.rule.floor for f in findings if f.rule.floor is not None), default=None)
    if floor is not None and ceiling is not None and floor > ceiling:
        floor = ceiling
    suggests = max((f.rule.suggests for f in findings if f.rule.suggests is not None), default=None)
    return CapabilityEvidence(
        capability_id=capability_id,
        floor=floor,
        ceiling=ceiling,
        suggested=None if suggests is None else _clamp(suggests, floor, ceiling),
        tolerance=evidence.tolerance,
        findings=tuple(findings),
        observations=tuple(read.values()),
        missing=tuple(missing),
    )


def _shown(condition: Condition, seen: Sequence[Observation], *, every: bool) -> tuple[Observation, ...]:
    """The observations showing `condition`; none unless every source does (`every`) or any does."""
    holding = tuple(o for o in seen if condition.holds(o.value))
    if every and len(holding) < len(seen):
        return ()
    return holding


def _clamp(level: int, floor: int | None, ceiling: int | None) -> int:
    if floor is not None:
        level = max(level, floor)
    if ceiling is not None:
        level = min(level, ceiling)
    return level
