"""An assessment's CSV downloads: its answers and its results, headers in the language asked for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app import i18n
from app.assessments import service
from app.assessments import view as results
from app.assessments.deps import AssessmentContext, assessment_context
from app.assessments.exports import formats
from app.auth.permissions import Action
from app.deps import SessionDep
from app.kit.downloads import attachment, file_part
from app.kit.http import for_tokens

router = APIRouter(include_in_schema=False)
ViewAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.VIEW))]
Lang = Annotated[str | None, Query(pattern="^(en|ja)$")]


@router.get("/assessments/{assessment_id}/answers.csv", name="assessment_answers_csv")
@for_tokens
def answers_csv(request: Request, session: SessionDep, ctx: ViewAssessment, lang: Lang = None) -> Response:
    """One row per answer: the choice and level, reasons, note, links, who answered and when (UTC)."""
    locale = _locale(request, lang)
    answers = ctx.assessment.answers
    people = service.people_names(session, answers=answers)
    words = formats.Words(_translated(formats.ANSWER_COLUMNS))
    body = formats.answers_csv(ctx.model, answers, words=words, people=people, locale=locale)
    return _file(body, ctx, "answers", locale)


@router.get("/assessments/{assessment_id}/results.csv", name="assessment_results_csv")
@for_tokens
def results_csv(request: Request, session: SessionDep, ctx: ViewAssessment, lang: Lang = None) -> Response:
    """One row per capability: area, level, target, gap and the weakest answer."""
    locale = _locale(request, lang)
    organisation_id = ctx.team.team.organisation_id
    view = results.build_many(session, assessments=[ctx.assessment], organisation_id=organisation_id)
    scored = view[ctx.assessment.id]
    words = formats.Words(
        _translated(formats.RESULT_COLUMNS),
        not_applicable=i18n.gettext(formats.NOT_APPLICABLE),
        weakest=i18n.gettext(formats.WEAKEST),
    )
    body = formats.results_csv(
        ctx.model,
        scored.results.capabilities,
        targets=scored.targets,
        answers=ctx.assessment.answers,
        words=words,
        locale=locale,
    )
    return _file(body, ctx, "results", locale)


def _locale(request: Request, lang: str | None) -> str:
    """The language asked for, else the reader's; gettext answers in it from here on."""
    locale = i18n.negotiate(lang, request.state.locale)
    i18n.current_locale.set(locale)
    return locale


def _translated(msgids: Sequence[str]) -> tuple[str, ...]:
    return tuple(i18n.gettext(m) for m in msgids)


def _file(body: str, ctx: AssessmentContext, what: str, locale: str) -> Response:
    team, period = file_part(ctx.team.team.name), ctx.assessment.period
    name = f"hoshin-{what}-{team}-{period}-{locale}.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": attachment(name)}
    )
