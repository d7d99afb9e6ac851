"""Score an assessment: levels per capability and dimension, the overall level, the ML Test Score.

Pure functions over a maturity model and the answers given for it. The service validates and loads;
this module only computes, so it is tested without a database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from app.maturity.schema import (
    MAX_LEVEL,
    MIN_LEVEL,
    Band,
    Capability,
    Dimension,
    MaturityModel,
    Question,
    ScoringStrategy,
)

ChangeKind = Literal["overall", "dimension", "capability"]


@dataclass(frozen=True)
class AnswerValue:
    """One question's answer: a choice, "not applicable", or nothing yet (choice_id None)."""

    choice_id: str | None
    not_applicable: bool = False


@dataclass(frozen=True)
class CapabilityScore:
    id: str
    dimension_id: str
    level: float | None
    answered: int  # questions with a choice or marked not applicable
    total: int
    not_applicable: int

    @property
    def is_not_applicable(self) -> bool:
        """Every question was marked not applicable: no level, and no gap either."""
        return 0 < self.total == self.not_applicable


@dataclass(frozen=True)
class DimensionScore:
    id: str
    level: float | None
    floor: float | None  # the lowest capability level: one weak capability stays visible
    is_not_applicable: bool = False  # every capability is not applicable: no level, no gap


@dataclass(frozen=True)
class SectionScore:
    id: str  # the dimension id: in an ML Test Score model each dimension is a section
    points: float
    max_points: int


@dataclass(frozen=True)
class MlTestScore:
    sections: tuple[SectionScore, ...]
    final: float
    band_index: int | None  # index into model.scoring.bands


@dataclass(frozen=True)
class Results:
    overall: float | None
    dimensions: tuple[DimensionScore, ...]
    capabilities: tuple[CapabilityScore, ...]
    unanswered: tuple[str, ...]
    answered: int
    total: int
    ml_test_score: MlTestScore | None


@dataclass(frozen=True)
class Gap:
    dimension_id: str
    current: float | None
    target: int
    gap: float


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    id: str
    before: float | None
    after: float | None
    delta: float | None


@dataclass(frozen=True)
class _Mark:
    """A question's answer resolved against the model."""

    answered: bool
    level: int | None  # None when unanswered or not applicable
    points: float

    @property
    def not_applicable(self) -> bool:
        return self.answered and self.level is None


_UNANSWERED = _Mark(answered=False, level=None, points=0.0)
_NOT_APPLICABLE = _Mark(answered=True, level=None, points=0.0)


def score_assessment(model: MaturityModel, answers: Mapping[str, AnswerValue]) -> Results:
    """Score answers, keyed by question id, against the model they were given for."""
    marks = _resolve(model, answers)
    weakest = model.scoring.strategy is ScoringStrategy.WEAKEST_LINK
    capabilities = tuple(
        _score_capability(c, d.id, marks, weakest) for d in model.dimensions for c in d.capabilities
    )
    by_id = {c.id: c for c in capabilities}
    dimensions = tuple(_score_dimension(d, by_id, weakest) for d in model.dimensions)
    weighted = zip((d.weight for d in model.dimensions), (d.level for d in dimensions), strict=True)
    return Results(
        overall=_combine(weighted, weakest),
        dimensions=dimensions,
        capabilities=capabilities,
        unanswered=tuple(question_id for question_id, mark in marks.items() if not mark.answered),
        answered=sum(c.answered for c in capabilities),
        total=len(marks),
        ml_test_score=_ml_test_score(model, marks),
    )


def _resolve(model: MaturityModel, answers: Mapping[str, AnswerValue]) -> dict[str, _Mark]:
    """Every question of the model, in model order, with its answer resolved."""
    questions = {q.id: q for q in model.questions()}
    unknown = sorted(set(answers) - questions.keys())
    if unknown:
        raise ValueError(f"unknown question ids: {', '.join(unknown)}")
    return {q.id: _mark(q, answers.get(q.id)) for q in questions.values()}


def _mark(question: Question, answer: AnswerValue | None) -> _Mark:
    if answer is None or (answer.choice_id is None and not answer.not_applicable):
        return _UNANSWERED
    choice = None
    if answer.choice_id is not None:
        choice = next((c for c in question.choices if c.id == answer.choice_id), None)
        if choice is None:
            raise ValueError(f"question {question.id!r}: unknown choice id {answer.choice_id!r}")
    if answer.not_applicable or choice is None or choice.level is None:
        return _NOT_APPLICABLE
    return _Mark(answered=True, level=choice.level, points=choice.points or 0.0)


def _combine(values: Iterable[tuple[float, float | None]], weakest: bool) -> float | None:
    """Weighted mean (or minimum) of the (weight, level) pairs that have a level; None if none do."""
    scored = [(weight, level) for weight, level in values if level is not None]
    if not scored:
        return None
    if weakest:
        return float(min(level for _, level in scored))
    # fsum is correctly rounded, so raising one level can never lower the mean by rounding
    return math.fsum(w * level for w, level in scored) / math.fsum(w for w, _ in scored)


def _score_capability(
    capability: Capability, dimension_id: str, marks: Mapping[str, _Mark], weakest: bool
) -> CapabilityScore:
    own = [marks[q.id] for q in capability.questions]
    return CapabilityScore(
        id=capability.id,
        dimension_id=dimension_id,
        level=_combine(((1.0, m.level) for m in own), weakest),
        answered=sum(m.answered for m in own),
        total=len(own),
        not_applicable=sum(m.not_applicable for m in own),
    )


def _score_dimension(
    dimension: Dimension, by_id: Mapping[str, CapabilityScore], weakest: bool
) -> DimensionScore:
    weighted = [(c.weight, by_id[c.id].level) for c in dimension.capabilities]
    levels = [level for _, level in weighted if level is not None]
    return DimensionScore(
        id=dimension.id,
        level=_combine(weighted, weakest),
        floor=min(levels, default=None),
        is_not_applicable=bool(dimension.capabilities)
        and all(by_id[c.id].is_not_applicable for c in dimension.capabilities),
    )


def _ml_test_score(model: MaturityModel, marks: Mapping[str, _Mark]) -> MlTestScore | None:
    if model.scoring.strategy is not ScoringStrategy.ML_TEST_SCORE:
        return None
    sections = tuple(_section(d, marks) for d in model.dimensions)
    final = min(s.points for s in sections)
    return MlTestScore(sections=sections, final=final, band_index=_band_index(model.scoring.bands, final))


def _section(dimension: Dimension, marks: Mapping[str, _Mark]) -> SectionScore:
    questions = [q for c in dimension.capabilities for q in c.questions]
    points = math.fsum(marks[q.id].points for q in questions)
    return SectionScore(id=dimension.id, points=points, max_points=len(questions))


def _band_index(bands: tuple[Band, ...], final: float) -> int | None:
    """The band with the highest min_score that the final score reaches (later wins a tie)."""
    reached = [(band.min_score, index) for index, band in enumerate(bands) if band.min_score <= final]
    return max(reached)[1] if reached else None


def strongest_and_weakest(
    results: Results, n: int = 3
) -> tuple[tuple[CapabilityScore, ...], tuple[CapabilityScore, ...]]:
    """Up to n highest and n lowest scored capabilities, never the same one twice; ties in model order."""
    scored = [(c.level, index, c) for index, c in enumerate(results.capabilities) if c.level is not None]
    count = min(n, len(scored) // 2)
    strongest = sorted(scored, key=lambda item: (-item[0], item[1]))[:count]
    taken = {index for _, index, _ in strongest}
    rest = [item for item in scored if item[1] not in taken]
    weakest = sorted(rest, key=lambda item: (item[0], item[1]))[:count]
    return tuple(c for _, _, c in strongest), tuple(c for _, _, c in weakest)


def gaps(results: Results, targets: Mapping[str, int]) -> tuple[Gap, ...]:
    """How far each dimension with a target falls short of it, in model order.

    A dimension that is not applicable has no gap; one merely unanswered counts as level 0."""
    unknown = sorted(set(targets) - {d.id for d in results.dimensions})
    if unknown:
        raise ValueError(f"targets for unknown dimension ids: {', '.join(unknown)}")
    out_of_range = sorted(k for k, v in targets.items() if not MIN_LEVEL <= v <= MAX_LEVEL)
    if out_of_range:
        raise ValueError(f"targets outside {MIN_LEVEL}-{MAX_LEVEL}: {', '.join(out_of_range)}")
    return tuple(
        _gap(d, targets[d.id]) for d in results.dimensions if d.id in targets and not d.is_not_applicable
    )


def _gap(dimension: DimensionScore, target: int) -> Gap:
    current = dimension.level
    return Gap(dimension_id=dimension.id, current=current, target=target, gap=shortfall(current, target))


def shortfall(level: float | None, target: int) -> float:
    """How far a level falls short of a target; unanswered (None) counts as level 0."""
    return max(0.0, target - (level or 0.0))


def compare(current: Results, previous: Results | None) -> tuple[Change, ...]:
    """What moved since the previous results: overall, then dimensions and capabilities in both."""
    if previous is None:
        return ()
    return (
        _change("overall", "overall", previous.overall, current.overall),
        *_changes("dimension", previous.dimensions, current.dimensions),
        *_changes("capability", previous.capabilities, current.capabilities),
    )


def _changes(
    kind: ChangeKind,
    before: Iterable[DimensionScore | CapabilityScore],
    after: Iterable[DimensionScore | CapabilityScore],
) -> list[Change]:
    earlier = {score.id: score.level for score in before}
    return [_change(kind, score.id, earlier[score.id], score.level) for score in after if score.id in earlier]


def _change(kind: ChangeKind, id_: str, before: float | None, after: float | None) -> Change:
    delta = None if before is None or after is None else after - before
    return Change(kind=kind, id=id_, before=before, after=after, delta=delta)
