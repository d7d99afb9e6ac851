"""Assessments: reading answers and scoring them. Services take a session and keyword arguments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments.scoring import AnswerValue, Results, score_assessment
from app.maturity import service as maturity_service
from app.models import Answer, Assessment


def answers_by_assessment(
    session: Session, *, assessment_ids: Sequence[int]
) -> dict[int, dict[str, AnswerValue]]:
    """Answers of several assessments in one query, as the scoring code reads them."""
    out: dict[int, dict[str, AnswerValue]] = {i: {} for i in assessment_ids}
    if not assessment_ids:
        return out
    rows = session.scalars(select(Answer).where(Answer.assessment_id.in_(assessment_ids))).all()
    for row in rows:
        out[row.assessment_id][row.question_id] = AnswerValue(row.choice_id, row.not_applicable)
    return out


def results_for(session: Session, *, assessments: Sequence[Assessment]) -> dict[int, Results]:
    """Scored results for assessments whose `model` is loaded, with one query for all their answers."""
    answers = answers_by_assessment(session, assessment_ids=[a.id for a in assessments])
    return {a.id: score_assessment(maturity_service.parsed(a.model), answers[a.id]) for a in assessments}
