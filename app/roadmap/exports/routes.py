"""Roadmap downloads: CSV, Markdown, iCalendar and JSON, each as an attachment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app import i18n
from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.errors import Conflict
from app.i18n import N_
from app.kit.downloads import attachment, file_part
from app.kit.http import for_tokens
from app.kit.time import utcnow
from app.roadmap import service
from app.roadmap.exports import formats
from app.roadmap.planner.reasons import PHASE_NAMES
from app.roadmap.service import RoadmapView
from app.web import locale_of

router = APIRouter(include_in_schema=False)
ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]


def _view(session: SessionDep, ctx: TeamContext) -> RoadmapView:
    roadmap = service.get(session, team_id=ctx.team.id)
    if roadmap is None:
        raise Conflict(N_("Generate the roadmap first."))
    return service.view(session, roadmap=roadmap)


def _file(body: str, media: str, ctx: TeamContext, ext: str) -> Response:
    name = f"roadmap-{file_part(ctx.team.name)}.{ext}"
    return Response(body, media_type=media, headers={"Content-Disposition": attachment(name)})


@router.get("/teams/{team_id}/roadmap.csv", name="roadmap_csv")
@for_tokens
def roadmap_csv(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """The scheduled items as CSV (cells that look like formulas are quoted)."""
    view = _view(session, ctx)
    body = formats.to_csv(view.plan, locale=locale_of(request), status=view.status, progress=view.progress)
    return _file(body, "text/csv; charset=utf-8", ctx, "csv")


@router.get("/teams/{team_id}/roadmap.md", name="roadmap_md")
@for_tokens
def roadmap_md(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """The plan as Markdown, by phase, with reasons, beyond-12-months and risks."""
    view, locale = _view(session, ctx), locale_of(request)
    i18n.current_locale.set(locale)
    headings = {p.value: t.get(locale) for p, t in PHASE_NAMES.items()}
    headings |= {"beyond": i18n.gettext(N_("Beyond 12 months")), "risks": i18n.gettext(N_("Risks"))}
    title = i18n.gettext(N_("Roadmap: %(team)s")) % {"team": ctx.team.name}
    body = formats.to_markdown(view.plan, locale=locale, title=title, headings=headings, status=view.status)
    return _file(body, "text/markdown; charset=utf-8", ctx, "md")


@router.get("/teams/{team_id}/roadmap.ics", name="roadmap_ics")
@for_tokens
def roadmap_ics(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """One calendar milestone per item, on its last day."""
    view = _view(session, ctx)
    body = formats.to_ics(
        view.plan,
        locale=locale_of(request),
        calendar_name=ctx.team.name,
        uid_prefix=f"team{ctx.team.id}",
        now=utcnow(),
    )
    return _file(body, "text/calendar; charset=utf-8", ctx, "ics")


@router.get("/teams/{team_id}/roadmap.json", name="roadmap_json")
@for_tokens
def roadmap_json(session: SessionDep, ctx: ViewTeam) -> Response:
    """The whole plan, with every item's status."""
    view = _view(session, ctx)
    statuses = {i.id: {"status": view.status(i.id), "progress": view.progress(i.id)} for i in view.plan.items}
    body = formats.to_json(view.plan, statuses=statuses, version=view.version.number)
    return _file(body, "application/json", ctx, "json")
