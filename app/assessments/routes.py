"""Assessment pages: the team list, the questionnaire (saves on change), submit, reopen, results, targets."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.assessments import forms, service
from app.assessments import view as results
from app.assessments.deps import AssessmentContext, assessment_context
from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.errors import AppError, BadInput
from app.evidence import service as evidence_service
from app.evidence import view as evidence_view
from app.i18n import N_
from app.kit import htmx, limits
from app.kit.time import quarter_of, utcnow
from app.maturity import service as maturity_service
from app.models import Answer
from app.signals import view as signals_view
from app.web import locale_of, redirect, render

router = APIRouter(include_in_schema=False)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
ViewAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.VIEW))]
ManageAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.MANAGE))]
SaveToAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.ANSWER, answers=False))]


@router.get("/teams/{team_id}/assessments", name="team_assessments")
def team_assessments(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """The team's assessments, and (for managers) the form to start the next one."""
    return _list_page(request, session, ctx)


def _list_page(
    request: Request,
    session: SessionDep,
    ctx: TeamContext,
    error: AppError | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    assessments = service.list_for_team(session, team_id=ctx.team.id)
    submitted = [a for a in assessments if a.status == "submitted"]
    levels = {a_id: r.overall for a_id, r in service.results_for(session, assessments=submitted).items()}
    context = {
        "ctx": ctx,
        "assessments": assessments,
        "levels": levels,
        "models": maturity_service.latest_all(session),
        "default_period": quarter_of(utcnow()),
        "error": error,
        "form": form if form is not None else dict(request.query_params),
    }
    return render(request, "assessments/list.html", context, status_code=status)


@router.post("/teams/{team_id}/assessments", name="start_assessment")
def start_assessment(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    model: Annotated[str, Form(max_length=limits.SLUG)],
    period: Annotated[str, Form(max_length=20)],
    copy_last: Annotated[bool, Form()] = False,
) -> Response:
    """Start a draft for the team and period (optionally a copy of the last one), then open it."""
    sent = {"model": model, "period": period, "copy_last": "true" if copy_last else ""}
    try:
        period = service.parse_period(period)
        model_row = maturity_service.latest(session, slug=model)
        if model_row is None:
            raise BadInput(N_("Choose a maturity model."), field="model")
        assessment = service.start(
            session,
            team_id=ctx.team.id,
            model_row=model_row,
            period=period,
            user=ctx.user,
            copy_last=copy_last,
        )
    except BadInput as error:
        return _list_page(request, session, ctx, error=error, status=422, form=sent)
    return redirect(
        str(request.url_for("assessment", assessment_id=assessment.id)),
        request=request,
        flash=N_("Assessment started. Answers save as you go."),
    )


@router.get("/assessments/{assessment_id}", name="assessment")
def questionnaire(request: Request, session: SessionDep, ctx: ViewAssessment) -> Response:
    """The questionnaire, grouped by dimension, with progress; read-only once submitted."""
    return render(request, "assessments/questionnaire.html", questionnaire_context(request, session, ctx))


@router.get("/assessments/{assessment_id}/evidence-flags", name="assessment_evidence_flags")
def evidence_flags(request: Request, session: SessionDep, ctx: ViewAssessment) -> Response:
    """The page head's list of answers that disagree with the evidence (a save asks for it afterwards,
    so that the save itself stays as quick as before)."""
    shown = evidence_context(request, session, ctx, list(ctx.assessment.answers))
    return render(request, "assessments/_evidence_flags.html", {"ctx": ctx, **shown})


def questionnaire_context(
    request: Request, session: SessionDep, ctx: AssessmentContext, **extra: Any
) -> dict[str, Any]:
    """What the questionnaire page (or one question of it) shows, the evidence beside the questions too."""
    answers = {a.question_id: a for a in ctx.assessment.answers}
    people = service.people_names(session, answers=list(answers.values()))
    editable = ctx.assessment.status == "draft" and ctx.team.can(Action.ANSWER)
    return {
        "ctx": ctx,
        "model": ctx.model,
        "answers": answers,
        "people": people,
        "editable": editable,
        "progress": service.progress(ctx.model, answers),
        "na": forms.NOT_APPLICABLE,
        **evidence_context(request, session, ctx, list(answers.values())),
        **extra,
    }


def evidence_context(
    request: Request,
    session: SessionDep,
    ctx: AssessmentContext,
    answers: list[Answer],
    only: str | None = None,
) -> dict[str, Any]:
    """The evidence beside the questions (or only the question `only`): at most four queries."""
    loaded = evidence_service.questionnaire_evidence(
        session,
        assessment_id=ctx.assessment.id,
        team_id=ctx.team.team.id,
        model=ctx.model,
        answers=answers,
        only=only,
    )
    interval = request.app.state.settings.sync_interval_minutes
    old_after = max(timedelta(days=1), timedelta(minutes=2 * interval)) if interval else None
    questions = {q.id: q for q in ctx.model.questions()}
    capability_of = {q.id: c for c in ctx.model.capabilities() for q in c.questions}
    draft = ctx.assessment.status == "draft"
    return {
        "evidence": evidence_view.panels(loaded, questions, locale=locale_of(request), old_after=old_after),
        "evidence_flagged": [(q, capability_of[q]) for q in loaded.flagged],
        "evidence_hint": not loaded.sources and evidence_service.speaks_to(ctx.model, list(questions)),
        "can_accept": draft and ctx.team.can(Action.ANSWER),
        "can_dismiss": draft and ctx.team.can(Action.MANAGE),
    }


@router.post("/assessments/{assessment_id}/answers/{question_id}", name="save_answer")
def save_answer(
    request: Request,
    session: SessionDep,
    ctx: SaveToAssessment,
    question_id: str,
    version: Annotated[int, Form(ge=0)] = 0,
    choice: Annotated[str | None, Form(max_length=limits.SLUG)] = None,
    # the service checks these against app/kit/limits.py, so the error shows beside the question
    na_reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    """Save one answer: the question's fragment for htmx, or back to the page for a plain form post."""
    data = forms.answer_input(
        choice=choice, na_reason=na_reason, note=note, evidence=evidence, version=version
    )
    try:
        answer = ctx.save_answer(session, question_id, data)
    except AppError as error:
        if ctx.model.question(question_id) is None:
            raise
        failed = forms.FailedSave(question_id, error, data)
        return _question_response(request, session, ctx, failed, status=error.status_code)
    if not htmx.is_htmx(request):
        target = f"{request.url_for('assessment', assessment_id=ctx.assessment.id)}#q-{question_id}"
        return redirect(target, request=request, flash=N_("Answer saved."))
    response = _saved_response(request, session, ctx, answer)
    response.headers["HX-Reswap"] = "none"  # keep the form (and the person's focus); parts update out of band
    return response


def _saved_response(
    request: Request, session: SessionDep, ctx: AssessmentContext, answer: Answer
) -> Response:
    """The parts a save changes (version, who and when, progress), from the saved row and a count of the
    others: no need to load every answer."""
    states = service.answer_states(session, assessment_id=ctx.assessment.id)
    shown = {}
    if evidence_service.speaks_to(ctx.model, [answer.question_id]):  # no query for other questions
        shown = evidence_context(request, session, ctx, [answer], only=answer.question_id)
    context = {
        "ctx": ctx,
        "model": ctx.model,
        "question": ctx.model.question(answer.question_id),
        "answers": {answer.question_id: answer},
        "people": {ctx.team.user.id: ctx.team.user.name},
        "editable": True,
        "progress": service.progress(ctx.model, states),
        "saved": True,
        **shown,
    }
    return render(request, "assessments/_saved.html", context)


def _question_response(
    request: Request, session: SessionDep, ctx: AssessmentContext, failed: forms.FailedSave, *, status: int
) -> Response:
    """A save that failed, after its rollback: the question as stored now, with the error and what the
    person sent; the whole page for a plain form post."""
    return question_response(request, session, ctx, failed.question_id, status=status, failed=failed)


def question_response(
    request: Request,
    session: SessionDep,
    ctx: AssessmentContext,
    question_id: str,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    """One question as stored now (re-read: after a change, or a failure's rollback), with `extra` (e.g. the
    failure to show): its fragment for htmx, the whole page for a plain form post."""
    ctx = AssessmentContext(service.get(session, assessment_id=ctx.assessment.id), ctx.model, ctx.team)
    context = questionnaire_context(request, session, ctx, **extra)
    if not htmx.is_htmx(request):
        return render(request, "assessments/questionnaire.html", context, status_code=status)
    question = ctx.model.question(question_id)
    capability = next(c for c in ctx.model.capabilities() if question in c.questions)
    context.update(question=question, capability=capability, oob=True)
    return render(request, "assessments/_question.html", context, status_code=status)


@router.post("/assessments/{assessment_id}/submit", name="submit_assessment")
def submit_assessment(request: Request, session: SessionDep, ctx: ManageAssessment) -> Response:
    """Lock the assessment and show its results."""
    service.submit(session, assessment=ctx.assessment, user=ctx.team.user, now=utcnow())
    url = str(request.url_for("assessment_results", assessment_id=ctx.assessment.id))
    return redirect(url, request=request, flash=N_("Assessment submitted. Here are the results."))


@router.post("/assessments/{assessment_id}/reopen", name="reopen_assessment")
def reopen_assessment(request: Request, session: SessionDep, ctx: ManageAssessment) -> Response:
    """Unlock a submitted assessment for changes."""
    service.reopen(session, assessment=ctx.assessment, user=ctx.team.user)
    url = str(request.url_for("assessment", assessment_id=ctx.assessment.id))
    return redirect(
        url, request=request, flash=N_("Assessment reopened. Submit it again when you are done."), kind="info"
    )


@router.get("/assessments/{assessment_id}/results", name="assessment_results")
def assessment_results(request: Request, session: SessionDep, ctx: ViewAssessment) -> Response:
    """Levels per capability and dimension, targets and gaps, radar chart, change since last time."""
    view = results.build(session, assessment=ctx.assessment, organisation_id=ctx.team.team.organisation_id)
    locale = request.state.locale
    chart = results.radar(view, locale=locale)
    age = functools.partial(signals_view.age, locale=locale)
    return render(request, "assessments/results.html", {"ctx": ctx, "view": view, "radar": chart, "age": age})
