"""JSON shapes of the assessments API. Strict types: a bool is not a number and a number is not a string."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.assessments.scoring import Results
from app.kit import limits
from app.models import Answer, Assessment, MaturityModelVersion


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class LocalisedText(BaseModel):
    en: str
    ja: str


class ModelSummary(BaseModel):
    slug: str
    version: str
    name: LocalisedText
    builtin: bool

    @classmethod
    def of(cls, row: MaturityModelVersion) -> ModelSummary:
        return cls(
            slug=row.slug,
            version=row.version,
            name=LocalisedText(en=row.name_en, ja=row.name_ja),
            builtin=row.is_builtin,
        )


class ModelDetail(ModelSummary):
    content: dict[str, Any] = Field(
        description="The whole model: dimensions, capabilities, questions, choices"
    )


class AssessmentCreate(Strict):
    team_id: int = Field(ge=1, le=limits.MAX_ID)
    model: limits.Slug = Field(min_length=1, description="Model slug; its latest version is used")
    period: limits.Period = Field(examples=["2026-Q4"], description="Year (2000–2100) and quarter")
    copy_last: bool = False


class AssessmentOut(BaseModel):
    id: int
    team_id: int
    model: ModelSummary
    period: str
    status: str
    created_at: datetime
    submitted_at: datetime | None
    copied_from_id: int | None
    answered: int
    total: int

    @classmethod
    def of(cls, assessment: Assessment, *, answered: int, total: int) -> AssessmentOut:
        return cls(
            id=assessment.id,
            team_id=assessment.team_id,
            model=ModelSummary.of(assessment.model),
            period=assessment.period,
            status=assessment.status,
            created_at=assessment.created_at,
            submitted_at=assessment.submitted_at,
            copied_from_id=assessment.copied_from_id,
            answered=answered,
            total=total,
        )


class AnswerIn(Strict):
    choice_id: limits.Slug | None = None
    not_applicable: bool = False
    na_reason: limits.Reason = ""
    note: limits.Note = ""
    evidence_links: list[limits.Url] = Field(default_factory=list, max_length=limits.EVIDENCE_LINKS)
    version: int = Field(
        default=0, ge=0, description="The answer version you last read; 0 when there was none"
    )


class AnswerOut(BaseModel):
    question_id: str
    choice_id: str | None
    not_applicable: bool
    na_reason: str
    note: str
    evidence_links: list[str]
    carried_over: bool
    from_evidence: bool = Field(description="Set by accepting the evidence, not changed by a person since")
    answered_by_id: int | None
    answered_at: datetime | None
    version: int

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        return cls(
            question_id=answer.question_id,
            choice_id=answer.choice_id,
            not_applicable=answer.not_applicable,
            na_reason=answer.na_reason,
            note=answer.note,
            evidence_links=list(answer.evidence_links or []),
            carried_over=answer.carried_over,
            from_evidence=bool(answer.from_evidence),
            answered_by_id=answer.answered_by_id,
            answered_at=answer.answered_at,
            version=answer.version_id,
        )


class Conflict(BaseModel):
    detail: str
    field: str | None = None
    # absent when the conflict is not about one answer (the assessment is locked)
    current: AnswerOut | None = Field(default=None, description="The answer as it is stored now")


class ScoreOut(BaseModel):
    id: str
    level: float | None
    not_applicable: bool = Field(default=False, description="Marked not applicable: no level and no gap")


class DimensionOut(ScoreOut):
    floor: float | None
    target: int
    gap: float


class ResultsOut(BaseModel):
    assessment_id: int
    overall: float | None
    dimensions: list[DimensionOut]
    capabilities: list[ScoreOut]
    unanswered: list[str]
    answered: int
    total: int
    ml_test_score: dict[str, Any] | None = Field(
        description="ML Test Score models only: final score, band_index and band_label (in the "
        "request's language), sections"
    )
    previous_assessment_id: int | None
    overall_change: float | None

    @classmethod
    def of(
        cls,
        assessment_id: int,
        results: Results,
        targets: dict[str, int],
        previous_id: int | None,
        change: float | None,
        band_label: str | None = None,
    ) -> ResultsOut:
        dimensions = [
            DimensionOut(
                id=d.id,
                level=d.level,
                floor=d.floor,
                target=targets[d.id],
                gap=0.0 if d.is_not_applicable else max(0.0, targets[d.id] - (d.level or 0.0)),
                not_applicable=d.is_not_applicable,
            )
            for d in results.dimensions
        ]
        mts = results.ml_test_score
        return cls(
            assessment_id=assessment_id,
            overall=results.overall,
            dimensions=dimensions,
            capabilities=[
                ScoreOut(id=c.id, level=c.level, not_applicable=c.is_not_applicable)
                for c in results.capabilities
            ],
            unanswered=list(results.unanswered),
            answered=results.answered,
            total=results.total,
            ml_test_score=None
            if mts is None
            else {
                "final": mts.final,
                "band_index": mts.band_index,
                "band_label": band_label,
                "sections": [
                    {"id": s.id, "points": s.points, "max_points": s.max_points} for s in mts.sections
                ],
            },
            previous_assessment_id=previous_id,
            overall_change=change,
        )
