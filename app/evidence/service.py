"""A team's evidence: its sources' latest signals read through the catalogue's rules.

Pages only read stored signals (a slow or dead source never slows a page): two queries, whatever the
number of capabilities. Reviews of the evidence (accept, dismiss) live beside the answers they touch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Catalogue
from app.evidence.rules import CapabilityEvidence, Disagreement, Observation, evaluate
from app.maturity.schema import MaturityModel, Question
from app.models import Answer, EvidenceReview, Source, Verdict
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


@dataclass(frozen=True)
class QuestionEvidence:
    """What the evidence says beside one question of an assessment, and where the answer stands."""

    question_id: str
    evidence: CapabilityEvidence
    answered: int | None
    """The level of the chosen answer; None when unanswered, not applicable or a choice without a level."""
    from_evidence: bool
    """The answer was set by accepting the evidence (and not changed by a person since)."""
    disagreement: Disagreement | None
    """The answer contradicts the evidence and no one has dismissed this disagreement."""
    dismissed: EvidenceReview | None
    """The dismissal (with its reason) that closed the answer's current disagreement, if any."""
    accept_choice: str | None
    """The choice accepting the evidence would set; None when it is already the answer or none fits."""

    @property
    def flagged(self) -> bool:
        return self.disagreement is not None


def choice_for_level(question: Question, level: int) -> str | None:
    """The id of the question's choice for `level`, else the closest level's (the lower on a tie)."""
    levelled = [c for c in question.choices if c.level is not None]
    if not levelled:
        return None
    best = min(levelled, key=lambda c: (abs((c.level or 0) - level), c.level))
    return best.id


def answered_level(question: Question, answer: Answer | None) -> int | None:
    """The level an answer gives its question (None: unanswered, not applicable or no level)."""
    if answer is None or answer.not_applicable or answer.choice_id is None:
        return None
    choice = next((c for c in question.choices if c.id == answer.choice_id), None)
    return choice.level if choice is not None else None


def reviews_of(session: Session, *, assessment_id: int) -> dict[str, list[EvidenceReview]]:
    """Each question's reviews, newest first."""
    found: dict[str, list[EvidenceReview]] = defaultdict(list)
    query = (
        select(EvidenceReview)
        .where(EvidenceReview.assessment_id == assessment_id)
        .order_by(EvidenceReview.id.desc())
    )
    for review in session.scalars(query):
        found[review.question_id].append(review)
    return dict(found)


def question_evidence(
    model: MaturityModel,
    answers: Sequence[Answer],
    team: TeamEvidence,
    reviews: Mapping[str, Sequence[EvidenceReview]],
) -> dict[str, QuestionEvidence]:
    """Per question id of `model` whose capability has evidence rules: what the evidence says."""
    by_question = {answer.question_id: answer for answer in answers}
    found: dict[str, QuestionEvidence] = {}
    for capability in model.capabilities():
        evidence = team.for_capability(capability.id)
        if evidence is None:
            continue
        for question in capability.questions:
            answer = by_question.get(question.id)
            level = answered_level(question, answer)
            disagreement = evidence.disagreement(level)
            dismissed = _dismissal(reviews.get(question.id, ()), disagreement)
            target = evidence.level_for(level)
            choice = choice_for_level(question, target) if target is not None else None
            found[question.id] = QuestionEvidence(
                question_id=question.id,
                evidence=evidence,
                answered=level,
                from_evidence=bool(answer and answer.from_evidence),
                disagreement=None if dismissed else disagreement,
                dismissed=dismissed,
                accept_choice=None if answer is not None and choice == answer.choice_id else choice,
            )
    return found


def assessment_evidence(
    session: Session, *, assessment_id: int, team_id: int, model: MaturityModel, answers: Sequence[Answer]
) -> dict[str, QuestionEvidence]:
    """What the team's evidence says beside each question of an assessment (three queries)."""
    team = team_evidence(session, team_id=team_id)
    return question_evidence(model, answers, team, reviews_of(session, assessment_id=assessment_id))


def _dismissal(reviews: Sequence[EvidenceReview], disagreement: Disagreement | None) -> EvidenceReview | None:
    """The newest dismissal of this same disagreement (same answer, same suggested level), if any.

    A dismissal closes one disagreement: when the answer or the evidence changes, a new one is flagged.
    """
    if disagreement is None:
        return None
    for review in reviews:
        if review.verdict != Verdict.DISMISSED:
            continue
        if (review.answered_level, review.suggested_level) == (disagreement.answered, disagreement.suggested):
            return review
    return None
