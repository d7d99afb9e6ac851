"""JSON API for the evidence beside an assessment's questions: read it, accept it, dismiss a flag."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from app.assessments import schemas as answer_schemas
from app.assessments import service
from app.assessments.api import ERRORS, LOCKABLE, PROBLEM
from app.assessments.deps import AssessmentContext, assessment_context
from app.assessments.evidence import schemas
from app.auth.permissions import Action
from app.deps import SessionDep
from app.evidence import service as evidence_service
from app.kit.time import utcnow
from app.web import locale_of

router = APIRouter(prefix="/api/v1", tags=["evidence"])

ViewAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.VIEW))]
AnswerAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.ANSWER, answers=False))]
ManageAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.MANAGE, answers=False))]


@router.get("/assessments/{assessment_id}/evidence", responses=ERRORS)
def read_evidence(
    request: Request, session: SessionDep, ctx: ViewAssessment
) -> schemas.AssessmentEvidenceOut:
    """Per question whose capability has evidence rules: what the team's latest signals say, the open
    disagreement with the answer, the dismissal that closed one, and the choice accepting would set."""
    loaded = evidence_service.questionnaire_evidence(
        session,
        assessment_id=ctx.assessment.id,
        team_id=ctx.team.team.id,
        model=ctx.model,
        answers=list(ctx.assessment.answers),
    )
    return schemas.AssessmentEvidenceOut.of(ctx.assessment.id, loaded, locale_of(request))


@router.post(
    "/assessments/{assessment_id}/questions/{question_id}/evidence/accept",
    responses={
        **ERRORS,
        409: {
            "model": answer_schemas.Conflict,
            "description": "Changed since your version (with the stored answer), or locked",
        },
    },
    response_model=schemas.Reviewed,
)
def accept(question_id: str, body: schemas.AcceptIn, session: SessionDep, ctx: AnswerAssessment) -> Any:
    """Make the level the evidence suggests the answer (recorded as from evidence); 409 with the stored
    answer when `version` is not the current one, as for a save."""
    try:
        answer, review = service.accept_evidence(
            session,
            assessment=ctx.assessment,
            question_id=question_id,
            expected_version=body.version,
            expected_choice=body.choice_id,
            user=ctx.team.user,
            now=utcnow(),
        )
    except service.AnswerConflict as conflict:
        current = answer_schemas.AnswerOut.of(conflict.current) if conflict.current else None
        out = answer_schemas.Conflict(detail=conflict.text(), field="version", current=current)
        return JSONResponse(out.model_dump(mode="json"), status_code=409)
    return schemas.Reviewed(
        review=schemas.ReviewOut.of(review, ctx.team.user.name), answer=answer_schemas.AnswerOut.of(answer)
    )


@router.post(
    "/assessments/{assessment_id}/questions/{question_id}/evidence/dismiss",
    responses={**LOCKABLE, 409: {**PROBLEM, "description": "Locked, not flagged, or the answer changed"}},
)
def dismiss(
    question_id: str, body: schemas.DismissIn, session: SessionDep, ctx: ManageAssessment
) -> schemas.Reviewed:
    """Close the question's open disagreement with a reason; it opens again if the answer or the evidence
    changes."""
    review = evidence_service.dismiss(
        session,
        assessment=ctx.assessment,
        model=ctx.model,
        question_id=question_id,
        reason=body.reason,
        expected_version=body.version,
        user=ctx.team.user,
    )
    return schemas.Reviewed(review=schemas.ReviewOut.of(review, ctx.team.user.name), answer=None)
