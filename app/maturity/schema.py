"""The shape of a maturity model file, validated into frozen pydantic models.

A model is data: dimensions → capabilities → questions → choices, every text in English and
Japanese, stable slug ids, a version and a scoring strategy. Cross-references (ids unique in the
model, prerequisites naming real capabilities, points under the ML Test Score) are checked here
too, so invalid data is refused whole; the loader defers them to `checks` to list them all at once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from app.kit.datafile.findings import refuse, whole_number_in
from app.maturity.checks import choice_findings, reference_findings

MIN_LEVEL = 0
MAX_LEVEL = 4

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


_LEVEL = whole_number_in(
    "unknown_level", "unknown level {level} (levels run from {min} to {max})", "level", MIN_LEVEL, MAX_LEVEL
)
Level = Annotated[int, _LEVEL[0], _LEVEL[1]]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Text(Frozen):
    """A user-visible text in both languages; a missing translation is an error."""

    en: NonEmpty
    """English text."""
    ja: NonEmpty
    """Japanese text."""

    def get(self, locale: str) -> str:
        return self.ja if locale == "ja" else self.en


class ScoringStrategy(StrEnum):
    MEAN = "mean"  # weighted mean of levels
    WEAKEST_LINK = "weakest_link"  # the minimum level decides
    ML_TEST_SCORE = "ml_test_score"  # points per test, section sums, final = lowest section


class Choice(Frozen):
    """One answer a manager can pick; it stands for a maturity level."""

    id: Slug
    label: Text
    """What the team does, described concretely enough to recognise."""
    level: Level | None = None
    """The level 0–4 this answer means; leave it out for "not applicable"."""
    points: float | None = Field(default=None, ge=0, le=1)
    """ML Test Score points: 0 not done, 0.5 manual and shared, 1 automated."""


class Question(Frozen):
    """A question with its answer choices; ids are unique across the model."""

    id: Slug
    text: Text
    help: Text | None = None
    allow_na: bool = True
    """Whether the questionnaire offers "not applicable" for this question."""
    choices: tuple[Choice, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_choices(self, info: ValidationInfo) -> Question:
        refuse(info, lambda: choice_findings(self.model_dump()))
        return self


class Capability(Frozen):
    """Something a team can do more or less maturely, assessed by its questions."""

    id: Slug
    name: Text
    description: Text | None = None
    weight: float = Field(default=1.0, gt=0)
    levels: dict[Level, Text] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": {"pattern": "^[0-4]$"}}
    )
    """What the capability looks like at each level 0–4."""
    prerequisites: tuple[Slug, ...] = ()
    """Ids of capabilities that must be in place first."""
    questions: tuple[Question, ...] = Field(min_length=1)


class Dimension(Frozen):
    """A group of capabilities shown and scored together."""

    id: Slug
    name: Text
    description: Text | None = None
    weight: float = Field(default=1.0, gt=0)
    capabilities: tuple[Capability, ...] = Field(min_length=1)


class LevelName(Frozen):
    """The name of one step of the model's generic level scale."""

    level: Level
    name: Text
    description: Text | None = None


class Band(Frozen):
    """An interpretation band: applies when the final score is at least `min_score`."""

    min_score: float = Field(ge=0)
    label: Text
    description: Text | None = None


class Scoring(Frozen):
    strategy: ScoringStrategy = ScoringStrategy.MEAN
    bands: tuple[Band, ...] = ()
    """Interpretation bands by increasing min_score."""

    def band(self, score: float) -> Band | None:
        """The band a final score falls in: the last one whose min_score it reaches."""
        return next((b for b in reversed(self.bands) if score >= b.min_score), None)


class MaturityModel(Frozen):
    """A versioned maturity model: dimensions → capabilities → questions → choices."""

    id: Slug
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){0,2}$")]
    name: Text
    description: Text | None = None
    scoring: Scoring = Scoring()
    levels: tuple[LevelName, ...] = ()
    dimensions: tuple[Dimension, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> MaturityModel:
        refuse(info, lambda: reference_findings(self.model_dump()))
        return self

    def capabilities(self) -> list[Capability]:
        return [c for d in self.dimensions for c in d.capabilities]

    def questions(self) -> list[Question]:
        return [q for c in self.capabilities() for q in c.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)
