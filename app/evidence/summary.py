"""What the evidence says about a whole assessment, for the results page, the PDF and the roadmap.

Read-only: per capability of the assessment's model that has evidence rules, the evidence, the answers
that came from it and the open disagreements; and what the evidence rests on (which sources, synced
when). Several assessments (of any teams) are read in three queries, however many.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.loader import builtin_catalogue
from app.evidence.rules import CapabilityEvidence, Observation
from app.evidence.service import (
    QuestionEvidence,
    TeamEvidence,
    question_evidence,
    read_evidence,
    teams_observations,
)
from app.maturity.schema import MaturityModel
from app.models import Answer, EvidenceReview


@dataclass(frozen=True)
class CapabilitySummary:
    """One capability's evidence beside the assessment's answers to its questions."""

    capability_id: str
    evidence: CapabilityEvidence
    questions: tuple[QuestionEvidence, ...]

    @property
    def from_evidence(self) -> tuple[QuestionEvidence, ...]:
        """The questions whose answer was set by accepting the evidence."""
        return tuple(q for q in self.questions if q.from_evidence)

    @property
    def open(self) -> tuple[QuestionEvidence, ...]:
        """The questions whose answer the evidence contradicts, not dismissed."""
        return tuple(q for q in self.questions if q.disagreement is not None)

    @property
    def dismissed(self) -> tuple[QuestionEvidence, ...]:
        return tuple(q for q in self.questions if q.dismissed is not None)

    @property
    def rests_on(self) -> tuple[Observation, ...]:
        """The observations the findings rest on, else every observation the rules read."""
        found = [o for f in self.evidence.findings for o in f.observations] or self.evidence.observations
        unique = {(o.key, o.source_id): o for o in found}  # observations hold a dict: not hashable
        return tuple(unique.values())

    @property
    def sources(self) -> tuple[str, ...]:
        """The names of the sources the evidence rests on, in order of first mention."""
        return tuple(dict.fromkeys(o.source_name for o in self.rests_on))

    @property
    def synced_at(self) -> datetime | None:
        """When the oldest observation it rests on was made: how fresh the evidence is."""
        return min((o.observed_at for o in self.rests_on), default=None)


@dataclass(frozen=True)
class AssessmentEvidence:
    """The evidence beside a whole assessment; `sources` counts the team's enabled sources."""

    sources: int = 0
    capabilities: dict[str, CapabilitySummary] = field(default_factory=dict)
    source_names: tuple[str, ...] = ()
    synced_at: datetime | None = None
    """The newest observation of any signal the rules read: when the team's evidence was last synced."""
    reviewed_at: datetime | None = None
    """The newest review of this assessment's evidence."""

    def of(self, capability_id: str) -> CapabilitySummary | None:
        return self.capabilities.get(capability_id)

    @property
    def open(self) -> tuple[tuple[CapabilitySummary, QuestionEvidence], ...]:
        """Every open disagreement, in model order."""
        return tuple((c, q) for c in self.capabilities.values() for q in c.open)

    @property
    def question_ids_from_evidence(self) -> frozenset[str]:
        return frozenset(q.question_id for c in self.capabilities.values() for q in c.from_evidence)


def summarise(
    model: MaturityModel,
    answers: Sequence[Answer],
    team: TeamEvidence,
    reviews: dict[str, list[EvidenceReview]],
) -> AssessmentEvidence:
    """The evidence beside every question of `model`, grouped by capability in model order."""
    found = question_evidence(model, answers, team, reviews)
    capabilities = {}
    for capability in model.capabilities():
        evidence = team.for_capability(capability.id)
        if evidence is None:
            continue
        questions = tuple(found[q.id] for q in capability.questions if q.id in found)
        capabilities[capability.id] = CapabilitySummary(capability.id, evidence, questions)
    observations = [o for c in capabilities.values() for o in c.evidence.observations]
    moments = [r.created_at for rows in reviews.values() for r in rows if r.created_at is not None]
    return AssessmentEvidence(
        sources=team.sources,
        capabilities=capabilities,
        source_names=tuple(sorted({o.source_name for o in observations})),
        synced_at=max((o.observed_at for o in observations), default=None),
        reviewed_at=max(moments, default=None),
    )


def teams_evidence(session: Session, *, team_ids: Sequence[int]) -> dict[int, TeamEvidence]:
    """`service.team_evidence` of several teams at once, in two queries."""
    catalogue = builtin_catalogue()
    return {
        team_id: TeamEvidence(count, read_evidence(catalogue, observed))
        for team_id, (count, observed) in teams_observations(session, team_ids=team_ids).items()
    }


def reviews_of_many(
    session: Session, *, assessment_ids: Sequence[int]
) -> dict[int, dict[str, list[EvidenceReview]]]:
    """Each assessment's reviews by question, newest first (one query)."""
    found: dict[int, dict[str, list[EvidenceReview]]] = {i: defaultdict(list) for i in assessment_ids}
    query = (
        select(EvidenceReview)
        .where(EvidenceReview.assessment_id.in_(list(assessment_ids)))
        .order_by(EvidenceReview.id.desc())
    )
    for review in session.scalars(query):
        found[review.assessment_id][review.question_id].append(review)
    return {i: dict(rows) for i, rows in found.items()}


@dataclass(frozen=True)
class Assessed:
    """What `for_assessments` needs of one assessment: ids, parsed model and answers."""

    assessment_id: int
    team_id: int
    model: MaturityModel
    answers: Sequence[Answer]


def for_assessments(session: Session, *, assessed: Sequence[Assessed]) -> dict[int, AssessmentEvidence]:
    """The evidence beside each assessment (three queries, however many assessments and teams)."""
    if not assessed:
        return {}
    teams = teams_evidence(session, team_ids=[a.team_id for a in assessed])
    reviews = reviews_of_many(session, assessment_ids=[a.assessment_id for a in assessed])
    return {
        a.assessment_id: summarise(a.model, a.answers, teams[a.team_id], reviews[a.assessment_id])
        for a in assessed
    }
