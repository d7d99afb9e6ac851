"""JSON API for maturity models and assessments (/api/v1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from app.assessments import schemas, service
from app.assessments import view as results_view
from app.assessments.deps import AssessmentContext, assessment_context
from app.auth.permissions import Action
from app.deps import CurrentUser, SessionDep, load_team_context
from app.errors import BadInput, NotFound
from app.i18n import N_
from app.kit.time import utcnow
from app.maturity import service as maturity_service
from app.models import Assessment
from app.web import locale_of

router = APIRouter(prefix="/api/v1", tags=["assessments"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
# 400: a body that is not JSON at all
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 401, 403, 404, 422), PROBLEM)
LOCKABLE: dict[int | str, dict[str, Any]] = {**ERRORS, 409: PROBLEM}

ViewAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.VIEW))]
SaveToAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.ANSWER, answers=False))]
ManageAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.MANAGE))]


@router.get("/models", responses={401: PROBLEM})
def list_models(session: SessionDep, user: CurrentUser) -> list[schemas.ModelSummary]:
    """Every installed maturity model version."""
    return [schemas.ModelSummary.of(row) for row in maturity_service.all_versions(session)]


@router.get("/models/{slug}", responses=ERRORS)
def read_model(
    slug: str, session: SessionDep, user: CurrentUser, version: str | None = None
) -> schemas.ModelDetail:
    """A model's content: its latest version, or the one asked for."""
    row = maturity_service.version(session, slug=slug, version=version)
    if row is None:
        raise NotFound(N_("There is no such maturity model."), field="slug")
    return schemas.ModelDetail(**schemas.ModelSummary.of(row).model_dump(), content=row.content)


def _out(assessment: Assessment) -> schemas.AssessmentOut:
    model = service.model_of(assessment)
    progress = service.progress(model, {a.question_id: a for a in assessment.answers})
    return schemas.AssessmentOut.of(assessment, answered=progress.answered, total=progress.total)


@router.get("/assessments", responses={401: PROBLEM, 422: PROBLEM})
def list_assessments(
    session: SessionDep, user: CurrentUser, team_id: Annotated[int | None, Query(ge=1)] = None
) -> list[schemas.AssessmentOut]:
    """Assessments of the teams the caller may see (optionally of one team), newest first."""
    return [_out(a) for a in service.visible_assessments(session, user=user, team_id=team_id)]


@router.post("/assessments", status_code=201, responses=ERRORS)
def create_assessment(
    body: schemas.AssessmentCreate, session: SessionDep, user: CurrentUser
) -> schemas.AssessmentOut:
    """Start a draft assessment for a team (the caller must manage it)."""
    load_team_context(session, user=user, team_id=body.team_id, action=Action.MANAGE)
    model_row = maturity_service.latest(session, slug=body.model)
    if model_row is None:
        raise BadInput(N_("There is no such maturity model."), field="model")
    period = service.parse_period(body.period)
    assessment = service.start(
        session, team_id=body.team_id, model_row=model_row, period=period, user=user, copy_last=body.copy_last
    )
    return _out(service.get(session, assessment_id=assessment.id))


@router.get("/assessments/{assessment_id}", responses=ERRORS)
def read_assessment(ctx: ViewAssessment) -> schemas.AssessmentOut:
    """One assessment with its progress."""
    return _out(ctx.assessment)


@router.get("/assessments/{assessment_id}/answers", responses=ERRORS)
def list_answers(ctx: ViewAssessment) -> list[schemas.AnswerOut]:
    """Every answer given so far, with its version for the next save."""
    return [schemas.AnswerOut.of(a) for a in sorted(ctx.assessment.answers, key=lambda a: a.question_id)]


@router.put(
    "/assessments/{assessment_id}/answers/{question_id}",
    responses={
        **ERRORS,
        409: {"model": schemas.Conflict, "description": "Changed since your version, or locked"},
    },
    response_model=schemas.AnswerOut,
)
def put_answer(question_id: str, body: schemas.AnswerIn, session: SessionDep, ctx: SaveToAssessment) -> Any:
    """Save one answer; 409 with the stored answer when `version` is not the current one."""
    data = service.AnswerInput(
        choice_id=body.choice_id,
        not_applicable=body.not_applicable,
        na_reason=body.na_reason,
        note=body.note,
        evidence_links=tuple(body.evidence_links),
        expected_version=body.version,
    )
    try:
        answer = ctx.save_answer(session, question_id, data)
    except service.AnswerConflict as conflict:
        current = schemas.AnswerOut.of(conflict.current) if conflict.current else None
        body_out = schemas.Conflict(detail=conflict.text(), field="version", current=current)
        return JSONResponse(body_out.model_dump(mode="json"), status_code=409)
    return schemas.AnswerOut.of(answer)


@router.get("/assessments/{assessment_id}/results", responses=ERRORS)
def read_results(request: Request, session: SessionDep, ctx: ViewAssessment) -> schemas.ResultsOut:
    """Levels per capability and dimension, targets, gaps and the change since the previous assessment."""
    view = results_view.build(
        session, assessment=ctx.assessment, organisation_id=ctx.team.team.organisation_id
    )
    change = view.change("overall", "overall")
    previous_id = view.previous.id if view.previous else None
    mts = view.results.ml_test_score
    bands = service.model_of(ctx.assessment).scoring.bands
    band = bands[mts.band_index] if mts is not None and mts.band_index is not None else None
    return schemas.ResultsOut.of(
        ctx.assessment.id,
        view.results,
        view.targets,
        previous_id,
        change.delta if change else None,
        band_label=band.label.get(locale_of(request)) if band is not None else None,
    )


@router.post("/assessments/{assessment_id}/submit", responses=LOCKABLE)
def submit(session: SessionDep, ctx: ManageAssessment) -> schemas.AssessmentOut:
    """Lock the assessment."""
    service.submit(session, assessment=ctx.assessment, user=ctx.team.user, now=utcnow())
    return _out(ctx.assessment)


@router.post("/assessments/{assessment_id}/reopen", responses=LOCKABLE)
def reopen(session: SessionDep, ctx: ManageAssessment) -> schemas.AssessmentOut:
    """Unlock a submitted assessment."""
    service.reopen(session, assessment=ctx.assessment, user=ctx.team.user)
    return _out(ctx.assessment)
