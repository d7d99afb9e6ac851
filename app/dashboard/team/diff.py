"""Which answers differ between two assessments of a team, question by question, and which way each
level moved. Pure: two models and their answers in, the changes out (questions in the later model's
order; a question only one model asks is added or removed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.assessments.scoring import AnswerValue
from app.maturity.schema import Capability, Choice, MaturityModel, Question


class Kind(StrEnum):
    CHANGED = "changed"
    ADDED = "added"  # asked only in the second assessment's model
    REMOVED = "removed"  # asked only in the first one's


@dataclass(frozen=True)
class Side:
    """One assessment's answer to the question: a choice, not applicable, or nothing yet."""

    choice: Choice | None
    not_applicable: bool = False

    @property
    def level(self) -> int | None:
        return None if self.choice is None or self.not_applicable else self.choice.level

    @property
    def answered(self) -> bool:
        return self.choice is not None or self.not_applicable


@dataclass(frozen=True)
class QuestionChange:
    kind: Kind
    question: Question
    capability: Capability
    before: Side | None  # None: the first model does not ask it
    after: Side | None  # None: the second model does not ask it

    @property
    def delta(self) -> int | None:
        """How many levels the answer moved (None unless both sides have a level)."""
        if self.before is None or self.after is None or self.before.level is None or self.after.level is None:
            return None
        return self.after.level - self.before.level

    @property
    def direction(self) -> str:
        delta = self.delta
        if delta is None:
            return ""
        return "up" if delta > 0 else "down" if delta < 0 else "same"


@dataclass(frozen=True)
class Diff:
    changes: tuple[QuestionChange, ...]
    unchanged: int  # questions both ask, answered the same

    def count(self, direction: str) -> int:
        return sum(1 for c in self.changes if c.direction == direction)


def _side(question: Question, answer: AnswerValue | None) -> Side:
    if answer is None:
        return Side(None)
    choice = next((c for c in question.choices if c.id == answer.choice_id), None)
    return Side(choice, bool(answer.not_applicable))


def _asked(model: MaturityModel) -> dict[str, tuple[Question, Capability]]:
    return {q.id: (q, c) for c in model.capabilities() for q in c.questions}


def _same(a: Side, b: Side) -> bool:
    if a.not_applicable or b.not_applicable:
        return a.not_applicable == b.not_applicable
    return (a.choice.id if a.choice else None) == (b.choice.id if b.choice else None)


def diff(
    first: MaturityModel,
    first_answers: Mapping[str, AnswerValue],
    second: MaturityModel,
    second_answers: Mapping[str, AnswerValue],
) -> Diff:
    """What changed from the first assessment's answers to the second's (a choice compares by its id,
    so the same choice in two versions of a model is no change)."""
    before, after = _asked(first), _asked(second)
    changes, unchanged = [], 0
    for question_id, (question, capability) in after.items():
        now = _side(question, second_answers.get(question_id))
        if question_id not in before:
            changes.append(QuestionChange(Kind.ADDED, question, capability, None, now))
            continue
        then = _side(before[question_id][0], first_answers.get(question_id))
        if _same(then, now):
            unchanged += 1
        else:
            changes.append(QuestionChange(Kind.CHANGED, question, capability, then, now))
    for question_id, (question, capability) in before.items():
        if question_id not in after:
            then = _side(question, first_answers.get(question_id))
            changes.append(QuestionChange(Kind.REMOVED, question, capability, then, None))
    return Diff(tuple(changes), unchanged)
