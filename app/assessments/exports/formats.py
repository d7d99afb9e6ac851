"""An assessment's answers (one row per answer) and results (one row per capability) as CSV for
spreadsheets: formula-safe, UTF-8 with a BOM. Pure: the routes load the rows and translate the words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.assessments.scoring import CapabilityScore, shortfall
from app.i18n import N_
from app.kit.spreadsheet import csv_for_excel
from app.maturity.schema import Capability, Choice, MaturityModel, Question
from app.models import Answer

ANSWER_COLUMNS = (
    N_("Capability"),
    N_("Question"),
    N_("Choice"),
    N_("Level"),
    N_("Reason it does not apply"),
    N_("Note"),
    N_("Evidence links"),
    N_("Answered by"),
    N_("Answered at (UTC)"),
)
RESULT_COLUMNS = (N_("Area"), N_("Capability"), N_("Level"), N_("Target"), N_("Gap"), N_("Weakest answer"))
NOT_APPLICABLE = N_("not applicable")
WEAKEST = N_("%(question)s: %(choice)s (level %(level)s)")


@dataclass(frozen=True)
class Words:
    """The translated text of a file: its column headers, and what a results row may say."""

    headers: Sequence[str]
    not_applicable: str = ""
    weakest: str = ""  # WEAKEST translated


def answers_csv(
    model: MaturityModel, answers: Iterable[Answer], *, words: Words, people: Mapping[int, str], locale: str
) -> str:
    """One row per answer, in the questionnaire's order; who answered, and when in ISO 8601 UTC."""
    given = {a.question_id: a for a in answers}
    rows: list[Sequence[object]] = [words.headers]
    for capability in model.capabilities():
        for question in capability.questions:
            if (answer := given.get(question.id)) is not None:
                rows.append(_answer_row(capability, question, answer, people, locale))
    return csv_for_excel(rows)


def _answer_row(
    capability: Capability, question: Question, answer: Answer, people: Mapping[int, str], locale: str
) -> tuple[object, ...]:
    choice = None if answer.not_applicable else _choice(question, answer.choice_id)
    by = people.get(answer.answered_by_id) if answer.answered_by_id is not None else None
    return (
        capability.name.get(locale),
        question.text.get(locale),
        choice.label.get(locale) if choice else None,
        choice.level if choice else None,
        answer.na_reason if answer.not_applicable else None,
        answer.note,
        "\n".join(answer.evidence_links or ()),
        by,
        _utc(answer.answered_at),
    )


def results_csv(
    model: MaturityModel,
    scores: Iterable[CapabilityScore],
    *,
    targets: Mapping[str, int],
    answers: Iterable[Answer],
    words: Words,
    locale: str,
) -> str:
    """One row per capability: its area, level, the area's target, the gap to it, and the answer that
    holds it lowest. A capability that does not apply has no level and no gap."""
    given = {a.question_id: a for a in answers}
    by_id = {s.id: s for s in scores}
    rows: list[Sequence[object]] = [words.headers]
    for dimension in model.dimensions:
        for capability in dimension.capabilities:
            score, target = by_id[capability.id], targets[dimension.id]
            names = (dimension.name.get(locale), capability.name.get(locale))
            rows.append((*names, *_standing(capability, score, target, given, words, locale)))
    return csv_for_excel(rows)


def _standing(
    capability: Capability,
    score: CapabilityScore,
    target: int,
    given: Mapping[str, Answer],
    words: Words,
    locale: str,
) -> tuple[object, ...]:
    """Level, target, gap and weakest answer of one capability."""
    if score.is_not_applicable:
        return (None, target, None, words.not_applicable)
    gap = shortfall(score.level, target)  # as the page's gaps
    return (_level(score.level), target, f"{gap:.1f}", _weakest(capability, given, words, locale))


def _weakest(capability: Capability, given: Mapping[str, Answer], words: Words, locale: str) -> str | None:
    """The answer with the lowest level among the capability's questions (the first of a tie)."""
    chosen: list[tuple[int, Question, Choice]] = []
    for question in capability.questions:
        answer = given.get(question.id)
        choice = _choice(question, answer.choice_id) if answer and not answer.not_applicable else None
        if choice is not None and choice.level is not None:
            chosen.append((choice.level, question, choice))
    if not chosen:
        return None
    level, lowest, picked = min(chosen, key=lambda item: item[0])
    return words.weakest % {
        "question": lowest.text.get(locale),
        "choice": picked.label.get(locale),
        "level": level,
    }


def _choice(question: Question, choice_id: str | None) -> Choice | None:
    return next((c for c in question.choices if c.id == choice_id), None)


def _level(level: float | None) -> str | None:
    return None if level is None else f"{level:.1f}"


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
