"""JSON shapes of the evidence beside an assessment's questions, and of accepting and dismissing it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.assessments.schemas import AnswerOut, LocalisedText, Strict
from app.evidence.labels import signal_name
from app.evidence.rules import Finding, Observation
from app.evidence.service import QuestionEvidence, QuestionnaireEvidence
from app.kit import limits
from app.models import EvidenceReview


class ObservationOut(BaseModel):
    key: str = Field(description="The signal's stable key, e.g. git.ci.configured")
    name: str = Field(description="The signal's name in the request's language")
    value: float
    unit: str = Field(description="count, ratio (0–1), bool (1 = yes), per_week, per_month, hours, days")
    source_id: int
    source: str = Field(description="The source's name")
    observed_at: datetime = Field(description="When the sync that measured it ran")
    url: str | None = Field(description="Where to see it at the source, when the adapter knows")

    @classmethod
    def of(cls, o: Observation, locale: str) -> ObservationOut:
        return cls(
            key=o.key,
            name=signal_name(o.key, locale),
            value=o.value,
            unit=o.unit,
            source_id=o.source_id,
            source=o.source_name,
            observed_at=o.observed_at,
            url=o.url,
        )


class FindingOut(BaseModel):
    says: LocalisedText
    signal: str
    effect: str = Field(description="floor, ceiling or suggests")
    level: int
    observations: list[ObservationOut]

    @classmethod
    def of(cls, f: Finding, locale: str) -> FindingOut:
        rule = f.rule
        effect, level = next(
            (n, v) for n in ("floor", "ceiling", "suggests") if (v := getattr(rule, n)) is not None
        )
        return cls(
            says=LocalisedText(en=rule.says.en, ja=rule.says.ja),
            signal=rule.signal,
            effect=effect,
            level=level,
            observations=[ObservationOut.of(o, locale) for o in f.observations],
        )


class DisagreementOut(BaseModel):
    answered_level: int
    suggested_level: int = Field(description="The level accepting the evidence gives")
    findings: list[FindingOut] = Field(description="The rules the answer contradicts")


class ReviewOut(BaseModel):
    id: int
    verdict: str = Field(description="accepted or dismissed")
    reason: str
    answered_level: int | None
    suggested_level: int | None
    user_id: int | None
    user: str | None = Field(default=None, description="The reviewer's name")
    created_at: datetime

    @classmethod
    def of(cls, review: EvidenceReview, user: str | None = None) -> ReviewOut:
        return cls(
            id=review.id,
            verdict=review.verdict,
            reason=review.reason,
            answered_level=review.answered_level,
            suggested_level=review.suggested_level,
            user_id=review.user_id,
            user=user,
            created_at=review.created_at,
        )


class QuestionEvidenceOut(BaseModel):
    question_id: str
    capability_id: str
    floor: int | None
    ceiling: int | None
    suggested: int | None
    tolerance: int
    findings: list[FindingOut] = Field(description="The evidence rules that hold")
    observations: list[ObservationOut] = Field(description="Every value the rules read")
    missing: list[str] = Field(description="Signal keys the rules read that no source reports")
    answered_level: int | None
    from_evidence: bool = Field(description="The answer was set by accepting the evidence")
    disagreement: DisagreementOut | None = Field(description="Open: the answer contradicts the evidence")
    dismissal: ReviewOut | None = Field(description="The dismissal that closed the answer's disagreement")
    accept_choice_id: str | None = Field(
        description="The choice accepting would set (None: nothing to accept)"
    )

    @classmethod
    def of(cls, seen: QuestionEvidence, locale: str, names: dict[int, str]) -> QuestionEvidenceOut:
        e, d = seen.evidence, seen.disagreement
        return cls(
            question_id=seen.question_id,
            capability_id=e.capability_id,
            floor=e.floor,
            ceiling=e.ceiling,
            suggested=e.suggested,
            tolerance=e.tolerance,
            findings=[FindingOut.of(f, locale) for f in e.findings],
            observations=[ObservationOut.of(o, locale) for o in e.observations],
            missing=list(e.missing),
            answered_level=seen.answered,
            from_evidence=seen.from_evidence,
            disagreement=None
            if d is None
            else DisagreementOut(
                answered_level=d.answered,
                suggested_level=d.suggested,
                findings=[FindingOut.of(f, locale) for f in d.findings],
            ),
            dismissal=None
            if seen.dismissed is None
            else ReviewOut.of(seen.dismissed, names.get(seen.dismissed.user_id or 0)),
            accept_choice_id=seen.accept_choice,
        )


class AssessmentEvidenceOut(BaseModel):
    assessment_id: int
    sources: int = Field(description="The team's enabled sources; 0: nothing is checked")
    flagged: list[str] = Field(description="Questions whose answer the evidence contradicts")
    questions: list[QuestionEvidenceOut] = Field(description="Questions whose capability has evidence rules")

    @classmethod
    def of(cls, assessment_id: int, loaded: QuestionnaireEvidence, locale: str) -> AssessmentEvidenceOut:
        return cls(
            assessment_id=assessment_id,
            sources=loaded.sources,
            flagged=loaded.flagged,
            questions=[
                QuestionEvidenceOut.of(s, locale, loaded.reviewers) for s in loaded.questions.values()
            ],
        )


class AcceptIn(Strict):
    version: int = Field(ge=0, description="The answer version you last read; 0 when there was none")
    choice_id: limits.Slug | None = Field(
        default=None,
        description="The choice you expect to accept; 409 when the evidence now suggests another",
    )


class DismissIn(Strict):
    reason: limits.Reason = Field(description="Why the answer stands despite the evidence (required)")
    version: int | None = Field(
        default=None, ge=0, description="The answer version you looked at; 409 when the answer changed since"
    )


class Reviewed(BaseModel):
    review: ReviewOut
    answer: AnswerOut | None = Field(description="The answer after accepting (None for a dismissal)")
