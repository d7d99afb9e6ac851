"""Turning the questionnaire's form fields into service input (shared by the page and the API)."""

from __future__ import annotations

from app.assessments.service import AnswerInput

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
