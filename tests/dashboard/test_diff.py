"""Answer by answer, what changed between two assessments, without a database."""

from __future__ import annotations

from app.assessments.scoring import AnswerValue
from app.dashboard.team.diff import Kind, diff
from app.maturity.schema import MaturityModel


def _model(questions: list[str], slug: str = "m") -> MaturityModel:
    def text(value: str) -> dict[str, str]:
        return {"en": value, "ja": value}

    choices = [{"id": f"c{level}", "label": text(f"Level {level}"), "level": level} for level in range(5)]
    capabilities = [
        {
            "id": f"cap-{q}",
            "name": text(f"Capability {q}"),
            "questions": [{"id": q, "text": text(q), "choices": choices}],
        }
        for q in questions
    ]
    dimension = {"id": "d", "name": text("D"), "capabilities": capabilities}
    return MaturityModel.model_validate(
        {"id": slug, "version": "1.0", "name": text("M"), "dimensions": [dimension]}
    )


def _answers(**choices: str | None) -> dict[str, AnswerValue]:
    return {q: AnswerValue(c, c is None) for q, c in choices.items()}


def test_only_answers_that_differ_are_listed_with_the_levels_they_moved() -> None:
    model = _model(["a", "b", "c", "d"])
    found = diff(model, _answers(a="c1", b="c2", c="c3"), model, _answers(a="c3", b="c2", c="c1", d="c0"))
    assert [(c.question.id, c.kind, c.delta, c.direction) for c in found.changes] == [
        ("a", Kind.CHANGED, 2, "up"),
        ("c", Kind.CHANGED, -2, "down"),
        ("d", Kind.CHANGED, None, ""),  # answered now, not before: no level to move from
    ]
    assert found.unchanged == 1
    assert (found.count("up"), found.count("down")) == (1, 1)
    first = found.changes[0]
    assert first.before is not None
    assert first.before.choice is not None
    assert (first.before.choice.id, first.before.level, first.capability.id) == ("c1", 1, "cap-a")


def test_not_applicable_is_a_change_from_a_level_and_has_no_level() -> None:
    model = _model(["a", "b"])
    found = diff(model, _answers(a="c2", b=None), model, _answers(a=None, b=None))
    (change,) = found.changes
    assert change.question.id == "a"
    assert change.after is not None
    assert change.after.not_applicable
    assert change.after.level is None
    assert change.delta is None
    assert found.unchanged == 1  # not applicable both times


def test_questions_only_one_model_asks_are_added_or_removed() -> None:
    before, after = _model(["a", "old"], "v1"), _model(["a", "new"], "v1")
    found = diff(before, _answers(a="c1", old="c4"), after, _answers(a="c1", new="c2"))
    assert [(c.question.id, c.kind) for c in found.changes] == [("new", Kind.ADDED), ("old", Kind.REMOVED)]
    assert found.changes[0].before is None
    assert found.changes[1].after is None
    assert found.unchanged == 1
