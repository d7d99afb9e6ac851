"""Turning the questionnaire's form fields into service input (shared by the page and the API), and
what a question's form shows after a save that did not go through."""

from __future__ import annotations

from dataclasses import dataclass

from app.assessments.service import AnswerConflict, AnswerInput
from app.errors import AppError
from app.models import Answer

NOT_APPLICABLE = "__na__"  # the radio value of the "not applicable" option


def answer_input(
    *, choice: str | None, na_reason: str, note: str, evidence: str, version: int
) -> AnswerInput:
    """The answer a person submitted: one choice (or not applicable), a note and one link per line."""
    not_applicable = choice == NOT_APPLICABLE
    links = tuple(line.strip() for line in evidence.splitlines() if line.strip())
    return AnswerInput(
        choice_id=None if not_applicable or not choice else choice,
        not_applicable=not_applicable,
        na_reason=na_reason,
        note=note,
        evidence_links=links,
        expected_version=version,
    )


@dataclass(frozen=True)
class FailedSave:
    """A save that did not go through: its question shows the error and what the person sent; every
    other question shows what is stored."""

    question_id: str
    error: AppError
    attempted: AnswerInput

    @property
    def conflict(self) -> Answer | None:
        """The answer someone else saved in the meantime, when that is why the save failed."""
        return self.error.current if isinstance(self.error, AnswerConflict) else None

    @property
    def is_conflict(self) -> bool:
        return isinstance(self.error, AnswerConflict)
