"""Reasons that cite the team's evidence where it decided a capability's current level: an answer set by
accepting the evidence, or an answer the evidence contradicts and nobody has reviewed yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from app.maturity.schema import Text
from app.roadmap.planner.plan import EvidenceFact, Reason, ReasonCode
from app.roadmap.planner.reasons import Names, explain
from app.roadmap.planner.work import Work


def says(evidence: Mapping[str, EvidenceFact]) -> dict[str, Text]:
    """What each capability's evidence says, for `Names`."""
    return {capability: fact.says for capability, fact in evidence.items()}


def reasons(capability_id: str, level: int, fact: EvidenceFact | None, names: Names) -> list[Reason]:
    """The evidence's reasons for a capability assessed at `level`."""
    if fact is None:
        return []
    where = {"evidence": capability_id, "sources": fact.sources, "synced": fact.synced}
    found = []
    if fact.from_evidence:
        found.append(explain(ReasonCode.FROM_EVIDENCE, names, level=level, **where))
    if fact.answered is not None and fact.suggested is not None:
        found.append(
            explain(
                ReasonCode.EVIDENCE_DISAGREES, names, level=fact.answered, suggested=fact.suggested, **where
            )
        )
    return found


def with_evidence(work: Work, fact: EvidenceFact | None, names: Names) -> Work:
    """The work with the evidence's reasons right after the gap it closes."""
    cited = reasons(work.id, work.from_level, fact, names)
    if not cited:
        return work
    at = 1 if work.reasons and work.reasons[0].code is ReasonCode.CLOSES_GAP else 0
    return replace(work, reasons=(*work.reasons[:at], *cited, *work.reasons[at:]))
