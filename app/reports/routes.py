"""Report pages and their PDF downloads."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from app import i18n
from app.assessments.deps import AssessmentContext, assessment_context
from app.auth.permissions import Action
from app.deps import CurrentUser, SessionDep, TeamContext, bookkeeping_writer, team_context
from app.errors import Conflict
from app.i18n import N_
from app.kit.downloads import attachment, file_part
from app.kit.http import for_tokens
from app.kit.time import utcnow
from app.models import User
from app.reports import assessment as assessment_report_html
from app.reports import organisation as organisation_report_html
from app.reports import roadmap as roadmap_report_html
from app.reports import service

router = APIRouter(include_in_schema=False)
ViewAssessment = Annotated[AssessmentContext, Depends(assessment_context(Action.VIEW))]
ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
Kind = Annotated[str, Path(pattern="^(roadmap|action-plan)$")]
Lang = Annotated[str | None, Query(pattern="^(en|ja)$")]
# The organisation report in full (a section per team), or its summary (the teams side by side only):
# at a hundred teams the full edition runs to hundreds of pages.
Edition = Annotated[str, Query(pattern="^(full|summary)$")]


# The .pdf route first: otherwise `/reports/assessment/5.pdf` would match the page route's id.
@router.get("/reports/assessment/{assessment_id}.pdf", name="assessment_report_pdf")
@for_tokens
def assessment_report_pdf(
    request: Request, session: SessionDep, ctx: ViewAssessment, lang: Lang = None
) -> Response:
    """The assessment report as a PDF, in the language asked for (else the reader's)."""
    locale = i18n.negotiate(lang, request.state.locale)
    data, state = _cached_pdf(
        request,
        session,
        lambda: _html(request, session, ctx, locale, pdf=True),
        kind="assessment",
        params=(ctx.assessment.id, locale),
    )
    name = f"hoshin-assessment-{file_part(ctx.team.team.name)}-{ctx.assessment.period}-{locale}.pdf"
    return _pdf_response(data, state, name=name)


def _cached_pdf(
    request: Request, session: SessionDep, build: Callable[[], str], *, kind: str, params: Hashable
) -> tuple[bytes, str]:
    """The PDF of the document `build` makes (app/reports/service.py), for this reader."""
    user = request.state.user
    return service.cached_pdf(
        session,
        build=build,
        kind=kind,
        params=params,
        reader=(user.id if user else None, str(request.base_url)),
        memo=request.app.state.report_keys,
        # Worth a short wait for the write gate: a PDF not stored is rendered again on the next download.
        write=bookkeeping_writer(request, session, wait=0.25),
        timeout=request.app.state.settings.render_timeout_seconds,
        now=utcnow(),
    )


@router.get("/reports/assessment/{assessment_id}", name="assessment_report")
def assessment_report(
    request: Request, session: SessionDep, ctx: ViewAssessment, lang: Lang = None
) -> Response:
    """The assessment report as a page (print it, or download the PDF from it)."""
    locale = i18n.negotiate(lang, request.state.locale)
    return Response(_html(request, session, ctx, locale, pdf=False), media_type="text/html")


def _html(request: Request, session: SessionDep, ctx: AssessmentContext, locale: str, *, pdf: bool) -> str:
    return assessment_report_html.html(
        session,
        assessment=ctx.assessment,
        team=ctx.team.team,
        locale=locale,
        pdf=pdf,
        request=request,
        organisation_name=request.app.state.settings.organisation_name,
        viewer=request.state.user,
    )


@router.get("/reports/organisation.pdf", name="organisation_report_pdf")
@for_tokens
def organisation_report_pdf(
    request: Request, session: SessionDep, viewer: CurrentUser, lang: Lang = None, edition: Edition = "full"
) -> Response:
    """The organisation report (every team the reader may see) as a PDF, in full or its summary."""
    locale = i18n.negotiate(lang, request.state.locale)
    data, state = _cached_pdf(
        request,
        session,
        lambda: _organisation_html(request, session, viewer, locale, pdf=True, edition=edition),
        kind="organisation",
        params=(locale, edition),
    )
    suffix = "-summary" if edition == "summary" else ""
    return _pdf_response(data, state, name=f"hoshin-organisation{suffix}-{locale}.pdf")


@router.get("/reports/organisation", name="organisation_report")
def organisation_report(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    lang: Lang = None,
    edition: Edition = "full",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The organisation report as a page: all teams at a glance, then (in full) one section per team,
    ten teams' sections a page."""
    locale = i18n.negotiate(lang, request.state.locale)
    document = _organisation_html(request, session, viewer, locale, pdf=False, edition=edition, page=page)
    return Response(document, media_type="text/html")


def _organisation_html(
    request: Request,
    session: SessionDep,
    viewer: User,
    locale: str,
    *,
    pdf: bool,
    edition: str,
    page: int = 1,
) -> str:
    return organisation_report_html.html(
        session,
        viewer=viewer,
        locale=locale,
        organisation_name=request.app.state.settings.organisation_name,
        pdf=pdf,
        today=utcnow().date(),
        request=request,
        summary=edition == "summary",
        page=page,
    )


def _pdf_response(data: bytes, state: str, *, name: str) -> Response:
    headers = {
        "Content-Disposition": attachment(name),
        "Cache-Control": "private",
        "X-Hoshin-Cache": state,
    }
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/reports/teams/{team_id}/{kind}.pdf", name="roadmap_report_pdf")
@for_tokens
def roadmap_report_pdf(
    request: Request, session: SessionDep, ctx: ViewTeam, kind: Kind, lang: Lang = None
) -> Response:
    """The roadmap report or the 3-month action plan as a PDF."""
    locale = i18n.negotiate(lang, request.state.locale)
    data, state = _cached_pdf(
        request,
        session,
        lambda: _roadmap_html(request, session, ctx, kind, locale, pdf=True),
        kind=kind,
        params=(ctx.team.id, locale),
    )
    return _pdf_response(data, state, name=f"hoshin-{kind}-{file_part(ctx.team.name)}-{locale}.pdf")


@router.get("/reports/teams/{team_id}/{kind}", name="roadmap_report")
def roadmap_report(
    request: Request, session: SessionDep, ctx: ViewTeam, kind: Kind, lang: Lang = None
) -> Response:
    """The roadmap report or the 3-month action plan as a page."""
    locale = i18n.negotiate(lang, request.state.locale)
    return Response(_roadmap_html(request, session, ctx, kind, locale, pdf=False), media_type="text/html")


def _roadmap_html(
    request: Request, session: SessionDep, ctx: TeamContext, kind: str, locale: str, *, pdf: bool
) -> str:
    document = roadmap_report_html.html(
        session,
        team=ctx.team,
        kind=kind,
        locale=locale,
        pdf=pdf,
        request=request,
        organisation_name=request.app.state.settings.organisation_name,
    )
    if document is None:
        raise Conflict(N_("This team has no roadmap yet: generate it first."))
    return document
