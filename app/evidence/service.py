"""A team's evidence: its sources' latest signals read through the catalogue's rules.

Pages only read stored signals (a slow or dead source never slows a page): two queries, whatever the
number of capabilities. Reviews of the evidence (accept, dismiss) live beside the answers they touch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Catalogue
from app.evidence.rules import CapabilityEvidence, Observation, evaluate
from app.models import Source
from app.signals.service import latest_signals


@dataclass(frozen=True)
class TeamEvidence:
    """Per capability id, what the evidence says; `sources` is how many enabled sources the team has."""

    sources: int
    capabilities: dict[str, CapabilityEvidence] = field(default_factory=dict)

    def for_capability(self, capability_id: str) -> CapabilityEvidence | None:
        return self.capabilities.get(capability_id)


def team_observations(session: Session, *, team_id: int) -> tuple[int, dict[str, list[Observation]]]:
    """How many enabled sources the team has, and their latest good signals by key."""
    sources = {
        s.id: s
        for s in session.scalars(select(Source).where(Source.team_id == team_id, Source.enabled.is_(True)))
    }
    observed: dict[str, list[Observation]] = defaultdict(list)
    for source_id, signals in latest_signals(session, source_ids=list(sources)).items():
        name = sources[source_id].name
        for signal in signals:
            observed[signal.key].append(
                Observation(
                    key=signal.key,
                    value=signal.value,
                    unit=signal.unit,
                    source_id=source_id,
                    source_name=name,
                    observed_at=signal.observed_at,
                    url=signal.url,
                    detail=signal.detail or {},
                )
            )
    return len(sources), dict(observed)


def read_evidence(
    catalogue: Catalogue, observed: dict[str, list[Observation]]
) -> dict[str, CapabilityEvidence]:
    """Every capability with evidence rules, evaluated on `observed`."""
    return {
        capability.id: evaluate(capability.id, capability.evidence, observed)
        for capability in catalogue.capabilities
        if capability.evidence is not None
    }


def team_evidence(session: Session, *, team_id: int, catalogue: Catalogue | None = None) -> TeamEvidence:
    """What the team's latest signals say about each capability of the (built-in) catalogue."""
    count, observed = team_observations(session, team_id=team_id)
    return TeamEvidence(sources=count, capabilities=read_evidence(catalogue or builtin_catalogue(), observed))
