"""What a failed accept or dismiss shows on its question."""

from __future__ import annotations

from dataclasses import dataclass

from app.assessments.service import AnswerInput
from app.errors import AppError
from app.models import Answer


@dataclass(frozen=True)
class FailedReview:
    """An accept or dismiss that did not go through: the error beside the question's evidence, and the
    reason the person typed (kept in the form)."""

    question_id: str
    action: str  # "accept" or "dismiss"
    error: AppError
    reason: str = ""


def accepted_input(choice_id: str | None, version: int, stored: Answer | None) -> AnswerInput:
    """An accept as the questionnaire's conflict display reads a save: the choice accepted, and the
    stored note and links (an accept never changes those)."""
    return AnswerInput(
        choice_id=choice_id,
        note=stored.note if stored else "",
        evidence_links=tuple(stored.evidence_links or ()) if stored else (),
        expected_version=version,
    )
