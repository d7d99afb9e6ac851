"""Sources pages: a team's MLflow servers and Git repositories, their last syncs, "Test connection" and
"Sync now" (both run after the response, in a background task; the page polls a fragment)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.permissions import Action
from app.deps import AdminUser, SessionDep, TeamContext, team_context
from app.errors import AppError, BadInput, render_form
from app.i18n import N_
from app.kit.time import utcnow
from app.models import Source, SourceKind
from app.signals import forms, outbound, schedule, service, sync, view
from app.web import locale_of, redirect, render

router = APIRouter(include_in_schema=False)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]
# app/signals/forms.py checks the text against app/kit/limits.py, so errors show beside the field
Text = Annotated[str, Form()]
FIELDS = ("kind", "name", "url", "branch", "experiment_filter", "enabled")


@router.get("/teams/{team_id}/sources", name="team_sources")
def sources_page(request: Request, session: SessionDep, ctx: ViewTeam) -> Response:
    """The team's sources with their last sync, status and latest signals (the list polls while one runs)."""
    rows = service.team_sources(session, team_id=ctx.team.id)
    locale = locale_of(request)
    settings, now = request.app.state.settings, utcnow()
    every = settings.sync_interval_minutes
    planned = {
        row.source.id: schedule.next_sync(
            now=now,
            minutes=every,
            last_started=row.last_run.started_at if row.last_run else None,
            embedded=settings.is_sqlite,
        )
        for row in rows
        if row.source.enabled
    }
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "rows": rows,
        "running": any(r.running or r.testing for r in rows),
        "words": service.error_words,
        "tested": view.tested,
        "age": lambda moment: view.age(moment, locale=locale),
        "lines": {row.source.id: view.signal_lines(row.signals, locale=locale) for row in rows},
        "every": every,
        "next_sync": planned,
        "soon": now + timedelta(minutes=1),  # a next sync before this reads "within a minute"
    }
    return render(request, "signals/page.html", context, block="sources")


def _form(
    request: Request,
    ctx: TeamContext,
    source: Source | None,
    form: dict[str, Any],
    error: AppError | None = None,
) -> Response:
    context = {"ctx": ctx, "team": ctx.team, "source": source, "form": form, "kinds": list(SourceKind)}
    return render_form(request, "signals/form.html", context, error, field="name")


def _typed(
    kind: Text = "", name: Text = "", url: Text = "", branch: Text = "", experiment_filter: Text = ""
) -> dict[str, Any]:
    """The form's fields as typed, which an error shows again (the credentials never)."""
    return {"kind": kind, "name": name, "url": url, "branch": branch, "experiment_filter": experiment_filter}


SourceFields = Annotated[dict[str, Any], Depends(_typed)]


def _values(source: Source | None) -> dict[str, Any]:
    if source is None:
        return {
            "kind": "git",
            "name": "",
            "url": "",
            "branch": "main",
            "experiment_filter": "",
            "enabled": True,
        }
    return {
        name: getattr(source, name) if name == "enabled" else getattr(source, name) or "" for name in FIELDS
    }


@router.get("/teams/{team_id}/sources/new", name="source_new")
def source_new(request: Request, ctx: ManageTeam) -> Response:
    """The form to connect an MLflow server or a Git repository."""
    return _form(request, ctx, None, _values(None))


@router.post("/teams/{team_id}/sources", name="source_create")
def source_create(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    form: SourceFields,
    token: Text = "",
    username: Text = "",
    password: Text = "",
) -> Response:
    """Add a source to the team."""
    try:
        data = forms.source(**form, token=token, username=username, password=password)
        secret = request.app.state.secret_key
        service.create_source(
            session, team_id=ctx.team.id, data=data, user=ctx.user, secret_key=secret, now=utcnow()
        )
    except AppError as error:
        return _form(request, ctx, None, form, error)
    url_ = str(request.url_for("team_sources", team_id=ctx.team.id))
    return redirect(url_, flash=N_("Source added. Test the connection, then sync it."), request=request)


@router.get("/teams/{team_id}/sources/{source_id}/edit", name="source_edit")
def source_edit(request: Request, session: SessionDep, ctx: ManageTeam, source_id: int) -> Response:
    """The form to change or remove a source (stored credentials are never shown)."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    return _form(request, ctx, source, _values(source))


@router.post("/teams/{team_id}/sources/{source_id}", name="source_update")
def source_update(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    source_id: int,
    form: SourceFields,
    token: Text = "",
    username: Text = "",
    password: Text = "",
    clear_credentials: Text = "",
    enabled: Text = "",
) -> Response:
    """Change a source; credential fields left empty keep the stored ones."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    try:
        clear = clear_credentials == "yes"
        form["enabled"] = enabled == "yes"
        data = forms.source(
            **form, token=token, username=username, password=password, clear_credentials=clear
        )
        secret = request.app.state.secret_key
        service.update_source(session, source=source, data=data, user=ctx.user, secret_key=secret)
    except AppError as error:
        return _form(request, ctx, source, form, error)
    url_ = str(request.url_for("team_sources", team_id=ctx.team.id))
    return redirect(url_, flash=N_("Source saved."), request=request)


@router.post("/teams/{team_id}/sources/{source_id}/delete", name="source_delete")
def source_delete(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    source_id: int,
    background: BackgroundTasks,
    confirm: Text = "",
) -> Response:
    """Remove a source with its sync history, signals and cached clone, once the manager confirmed."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    if confirm != "yes":
        error = BadInput(N_("Tick the box to confirm the removal."), field="confirm")
        return _form(request, ctx, source, _values(source), error)
    folder = service.delete_source(session, source=source, user=ctx.user)
    background.add_task(view.in_background, sync.forget, context=view.context_of(request), folder=folder)
    url_ = str(request.url_for("team_sources", team_id=ctx.team.id))
    return redirect(url_, flash=N_("Source removed."), request=request)


@router.post("/teams/{team_id}/sources/{source_id}/sync", name="source_sync")
def source_sync(
    request: Request, session: SessionDep, ctx: ManageTeam, source_id: int, background: BackgroundTasks
) -> Response:
    """Start a sync now (after the response, so the page never waits for the source); once at a time."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    run = service.claim(session, source_id=source.id, now=utcnow())
    if run is not None:
        # The claim commits with the request; the background task runs after that.
        background.add_task(view.in_background, sync.run, context=view.context_of(request), run_id=run.id)
    message = N_("Sync started.") if run is not None else N_("A sync of this source is already running.")
    return _back(request, session, ctx, message)


@router.post("/teams/{team_id}/sources/{source_id}/test", name="source_test")
def source_test(
    request: Request, session: SessionDep, ctx: ManageTeam, source_id: int, background: BackgroundTasks
) -> Response:
    """Test the connection after the response; the page shows the outcome when it arrives."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    service.record_test_started(session, source=source, now=utcnow())
    background.add_task(
        view.in_background, sync.test_connection, context=view.context_of(request), source_id=source.id
    )
    return _back(request, session, ctx, N_("Connection test started; its outcome shows below."))


def _back(request: Request, session: Session, ctx: TeamContext, message: str) -> Response:
    """The list fragment for htmx (it then polls), else back to the page with the message."""
    if request.headers.get("HX-Request") == "true":
        return sources_page(request, session, ctx)
    url_ = str(request.url_for("team_sources", team_id=ctx.team.id))
    return redirect(url_, flash=message, kind="info", request=request)


@router.get("/admin/sources", name="admin_sources")
def admin_sources(request: Request, admin: AdminUser) -> Response:
    """Where sources may connect to (HOSHIN_SOURCE_* settings), read-only."""
    rules = outbound.from_settings(request.app.state.settings)
    return render(request, "admin/sources.html", {"rules": rules})
