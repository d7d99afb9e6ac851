"""Accept the level the evidence suggests, or dismiss a flag, from the questionnaire: the question's
fragment for htmx, back to the question for a plain form post."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.assessments import forms as answer_forms
from app.assessments import service
from app.assessments.deps import AssessmentContext, assessment_context
from app.assessments.evidence import forms
from app.assessments.routes import question_response
from app.auth.permissions import Action
from app.deps import SessionDep
from app.errors import AppError
from app.evidence import service as evidence_service
from app.i18n import N_, gettext
from app.kit import htmx, limits
from app.kit.time import utcnow
from app.web import redirect

router = APIRouter(include_in_schema=False)

# Accepting changes the answer: whoever may answer may accept. Dismissing overrules the evidence: a
# manager's call.
AnswerAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.ANSWER, answers=False))]
ManageAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.MANAGE, answers=False))]


@router.post("/assessments/{assessment_id}/questions/{question_id}/evidence/accept", name="accept_evidence")
def accept_evidence(
    request: Request,
    session: SessionDep,
    ctx: AnswerAssessment,
    question_id: str,
    version: Annotated[int, Form(ge=0)],
    choice: Annotated[str | None, Form(max_length=limits.SLUG)] = None,
) -> Response:
    """Make the suggested level the answer, recorded as from evidence."""
    try:
        service.accept_evidence(
            session,
            assessment=ctx.assessment,
            question_id=question_id,
            expected_version=version,
            expected_choice=choice or None,
            user=ctx.team.user,
            now=utcnow(),
        )
    except service.AnswerConflict as conflict:  # as a stale save: what the other person saved is shown
        attempted = forms.accepted_input(choice, version, conflict.current)
        failed = answer_forms.FailedSave(question_id, conflict, attempted)
        return question_response(request, session, ctx, question_id, status=409, failed=failed)
    except AppError as error:
        if ctx.model.question(question_id) is None:
            raise
        failure = forms.FailedReview(question_id, "accept", error)
        return question_response(
            request, session, ctx, question_id, status=error.status_code, evidence_failed=failure
        )
    return _done(request, session, ctx, question_id, N_("The evidence's answer is now the answer."))


@router.post("/assessments/{assessment_id}/questions/{question_id}/evidence/dismiss", name="dismiss_evidence")
def dismiss_evidence(
    request: Request,
    session: SessionDep,
    ctx: ManageAssessment,
    question_id: str,
    # the service checks it against app/kit/limits.py, so the error shows beside the question
    reason: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form(ge=0)] = None,
) -> Response:
    """Close the question's flag with a reason; it stays visible in small print."""
    try:
        evidence_service.dismiss(
            session,
            assessment=ctx.assessment,
            model=ctx.model,
            question_id=question_id,
            reason=reason,
            expected_version=version,
            user=ctx.team.user,
        )
    except AppError as error:
        if ctx.model.question(question_id) is None:
            raise
        failure = forms.FailedReview(question_id, "dismiss", error, reason)
        return question_response(
            request, session, ctx, question_id, status=error.status_code, evidence_failed=failure
        )
    return _done(
        request, session, ctx, question_id, N_("Flag dismissed. The reason is kept beside the evidence.")
    )


def _done(
    request: Request, session: SessionDep, ctx: AssessmentContext, question_id: str, message: str
) -> Response:
    if not htmx.is_htmx(request):
        target = f"{request.url_for('assessment', assessment_id=ctx.assessment.id)}#q-{question_id}"
        return redirect(target, request=request, flash=message)
    return htmx.trigger_toast(
        question_response(request, session, ctx, question_id), gettext(message), "success"
    )
