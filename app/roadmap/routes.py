"""Roadmap pages: the plan (phases, Gantt, risks, OKRs), edits, statuses, versions, action plan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from app import i18n
from app.auth.permissions import Action
from app.catalogue.schema import Phase
from app.checklists import service as checklists_service
from app.deps import SessionDep, TeamContext, team_context
from app.errors import AppError, NotFound
from app.i18n import N_
from app.kit import htmx
from app.kit.time import utcnow
from app.models import ItemStatus, Roadmap
from app.roadmap import forms, service
from app.roadmap import view as roadmap_view
from app.roadmap.planner import snapshot
from app.roadmap.planner.plan import Edit
from app.web import locale_of, redirect, render

router = APIRouter(include_in_schema=False)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
CheckInTeam = Annotated[TeamContext, Depends(team_context(Action.CHECK_IN))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
ItemId = Annotated[str, Form(max_length=80)]


@router.get("/teams/{team_id}/roadmap", name="roadmap")
def roadmap_page(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """The team's roadmap: phases with reasons, Gantt chart, risks, OKRs, changes; or how to start one."""
    return _page(request, session, ctx)


def _page(
    request: Request, session: Session, ctx: TeamContext, *, error: AppError | None = None, status: int = 200
) -> Response:
    locale = locale_of(request)
    i18n.current_locale.set(locale)
    roadmap = service.get(session, team_id=ctx.team.id)
    submitted = service.submitted_assessments(session, team_id=ctx.team.id)
    names = roadmap_view.model_names(session, locale)
    context: dict[str, Any] = {
        "ctx": ctx,
        "error": error,
        "roadmap": roadmap,
        "submitted": submitted,
        "model_names": names,
    }
    if roadmap is None:
        context["source"] = submitted[0] if submitted else None
        return render(request, "roadmap/page.html", context, status_code=status)
    view = service.view(session, roadmap=roadmap)
    title = i18n.gettext(N_("Roadmap: items by month, coloured by status"))
    context.update(
        view=view,
        plan=view.plan,
        gantt=Markup(roadmap_view.chart(view, locale=locale, title=title, today=utcnow().date())),  # noqa: S704 - escaped SVG
        groups=roadmap_view.phase_groups(view, locale),
        roles=roadmap_view.role_names(locale),
        months=roadmap_view.month_choices(roadmap.start_date, locale),
        change=service.last_diff(view.version),
        title_of=lambda item_id: roadmap_view.title_of(view, item_id, locale),
        statuses=list(ItemStatus),
        phases=list(Phase),
        inputs=view.version.inputs,
        capability_names=roadmap_view.capability_names(locale),
        not_applicable=roadmap_view.not_applicable(view),
        notice=roadmap_view.coverage_notice(view),
        checklists=checklists_service.for_plan(session, roadmap_id=roadmap.id, plan=view.plan),
        raci_changed=service.raci_changed(session, view=view, team=ctx.team),
    )
    return render(request, "roadmap/page.html", context, block="roadmap", status_code=status)


def _after_change(request: Request, session: Session, ctx: TeamContext, flash: str) -> Response:
    if htmx.is_htmx(request):
        return _page(request, session, ctx)
    return redirect(str(request.url_for("roadmap", team_id=ctx.team.id)), request=request, flash=flash)


def _failed(request: Request, session: Session, ctx: TeamContext, error: AppError) -> Response:
    return _page(request, session, ctx, error=error, status=error.status_code)


def _roadmap(session: Session, ctx: TeamContext) -> Roadmap:
    roadmap = service.get(session, team_id=ctx.team.id)
    if roadmap is None:
        raise AppError(N_("Generate the roadmap first."))
    return roadmap


@router.post("/teams/{team_id}/roadmap/generate", name="generate_roadmap")
def generate_roadmap(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    source: Annotated[str, Form(max_length=20)] = forms.LATEST_SOURCE,
) -> Response:
    """Generate (or regenerate) from each capability's latest submitted assessment, or from the one
    the manager chose, keeping every decision."""
    try:
        chosen = forms.plan_source(source)
        service.generate_for_team(session, team=ctx.team, user=ctx.user, now=utcnow(), assessment_id=chosen)
    except AppError as error:
        return _failed(request, session, ctx, error)
    return _after_change(
        request, session, ctx, N_("Roadmap generated. Your pins, drops and other changes were kept.")
    )


@router.post("/teams/{team_id}/roadmap/items/{item_id}/edit", name="edit_roadmap_item")
def edit_item(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    item_id: str,
    action: Annotated[str, Form(max_length=20)],
    start_month: Annotated[int | None, Form()] = None,
    duration: Annotated[int | None, Form()] = None,
    owner_role: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Pin, unpin, drop, restore, remove, move, resize or change the owner of one item."""
    try:
        roadmap = _roadmap(session, ctx)
        if action in ("unpin", "restore", "remove"):
            kind = {"unpin": "pin", "restore": "drop", "remove": "add"}[action]
            service.undo_edit(session, roadmap=roadmap, item_id=item_id, kind=kind, user=ctx.user)
        else:
            service.add_edit(
                session,
                roadmap=roadmap,
                edit=_edit(session, roadmap, action, item_id, start_month, duration, owner_role),
                user=ctx.user,
            )
    except AppError as error:
        return _failed(request, session, ctx, error)
    return _after_change(request, session, ctx, N_("Roadmap updated."))


def _edit(
    session: Session,
    roadmap: Roadmap,
    action: str,
    item_id: str,
    start: int | None,
    duration: int | None,
    owner: str,
) -> Edit:
    if action == "pin":
        return service.pin_where_it_is(service.view(session, roadmap=roadmap).plan, item_id)
    if action == "drop":
        return service.drop(item_id)
    return forms.edit(action, item_id, start_month=start, duration=duration, owner_role=owner)


@router.post("/teams/{team_id}/roadmap/items", name="add_roadmap_item")
def add_item(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    title: Annotated[str, Form()] = "",  # app/roadmap/forms.py checks it (app/kit/limits.py)
    effort: Annotated[float | None, Form()] = None,
    phase: Annotated[str, Form(max_length=20)] = "",
    owner_role: Annotated[str, Form(max_length=40)] = "",
    start_month: Annotated[int | None, Form()] = None,
) -> Response:
    """Add a custom item (a task the catalogue does not know) to the plan."""
    try:
        roadmap = _roadmap(session, ctx)
        item = forms.custom_item(
            service.new_custom_id(),
            title=title,
            effort=effort,
            phase=phase,
            owner_role=owner_role,
            start_month=start_month,
        )
        service.add_edit(session, roadmap=roadmap, edit=item, user=ctx.user)
    except AppError as error:
        return _failed(request, session, ctx, error)
    return _after_change(request, session, ctx, N_("Item added to the roadmap."))


@router.post("/teams/{team_id}/roadmap/items/{item_id}/status", name="roadmap_item_status")
def item_status(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    item_id: str,
    status: Annotated[str, Form(max_length=20)],
    progress: Annotated[int | None, Form()] = None,
) -> Response:
    """Set an item's status and progress."""
    try:
        roadmap = _roadmap(session, ctx)
        if service.view(session, roadmap=roadmap).plan.item(item_id) is None:
            raise NotFound
        service.set_status(
            session,
            roadmap=roadmap,
            item_id=item_id,
            status=status,
            progress=progress,
            user=ctx.user,
            now=utcnow(),
        )
    except NotFound:
        raise
    except AppError as error:
        return _failed(request, session, ctx, error)
    return _after_change(request, session, ctx, N_("Status saved."))


@router.get("/teams/{team_id}/roadmap/versions", name="roadmap_versions")
def versions_page(
    request: Request,
    session: SessionDep,
    ctx: ViewTeam,
    a: Annotated[int | None, Query()] = None,
    b: Annotated[int | None, Query()] = None,
) -> Response:
    """Every version of the plan, and two of them side by side."""
    locale = locale_of(request)
    roadmap = service.get(session, team_id=ctx.team.id)
    rows = service.versions(session, roadmap=roadmap) if roadmap else []
    comparison = None
    if roadmap is not None and len(rows) >= 2:
        older = service.version(session, roadmap=roadmap, number=a or rows[1].number)
        newer = service.version(session, roadmap=roadmap, number=b or rows[0].number)
        comparison = snapshot.compare(older.plan, newer.plan, locale)
        comparison_of = (older.number, newer.number)
    else:
        comparison_of = None
    context = {
        "ctx": ctx,
        "roadmap": roadmap,
        "model_names": roadmap_view.model_names(session, locale),
        "sources_of": service.sources_of,
        "versions": rows,
        "comparison": comparison,
        "pair": comparison_of,
    }
    return render(request, "roadmap/versions.html", context)


@router.get("/teams/{team_id}/roadmap/action-plan", name="roadmap_action_plan")
def action_plan_page(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """The first three months as tasks, with the POC candidates ranked."""
    return _action_plan(request, session, ctx)


def _action_plan(
    request: Request, session: Session, ctx: TeamContext, *, error: AppError | None = None, status: int = 200
) -> Response:
    locale = locale_of(request)
    roadmap = service.get(session, team_id=ctx.team.id)
    view = service.view(session, roadmap=roadmap) if roadmap else None
    context = {
        "ctx": ctx,
        "roadmap": roadmap,
        "view": view,
        "error": error,
        "roles": roadmap_view.role_names(locale),
        "key_results": roadmap_view.key_result_texts(locale),
        "title_of": (lambda item_id: roadmap_view.title_of(view, item_id, locale)) if view else None,
        "checks": checklists_service.by_task(
            checklists_service.for_plan(session, roadmap_id=view.roadmap.id, plan=view.plan) if view else {}
        ),
    }
    return render(request, "roadmap/action_plan.html", context, status_code=status)


@router.post("/teams/{team_id}/roadmap/poc", name="roadmap_poc")
def save_poc(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    name: Annotated[list[str] | None, Form()] = None,
    business_value: Annotated[list[str] | None, Form()] = None,
    scope: Annotated[list[str] | None, Form()] = None,
    pipeline: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Save the POC candidates (value and scope 1–5, pipeline yes/no); the best leads the plan."""
    try:
        roadmap = _roadmap(session, ctx)
        candidates = forms.poc_candidates(name or [], business_value or [], scope or [], pipeline or [])
        service.set_poc_candidates(session, roadmap=roadmap, candidates=candidates, user=ctx.user)
    except AppError as error:
        return _action_plan(request, session, ctx, error=error, status=error.status_code)
    url = str(request.url_for("roadmap_action_plan", team_id=ctx.team.id))
    return redirect(url, request=request, flash=N_("Proof-of-concept candidates saved."))
