"""JSON API for sources (/api/v1): list, add, change and remove a team's sources, start a sync, and read
the latest signals. The same access as the pages: managers and admins change, the team reads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response

from app import i18n
from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.kit import limits
from app.kit.time import utcnow
from app.signals import forms, service, sync, view
from app.signals.schemas import SignalOut, SourceIn, SourceOut, SourcePatch, SyncStarted

router = APIRouter(prefix="/api/v1", tags=["sources"])
PROBLEM: dict[str, Any] = {
    "model": dict[str, str | None],
    "description": "A problem: `detail` says what, `field` names the input",
}
ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((400, 401, 403, 404, 422), PROBLEM)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
ManageTeam = Annotated[TeamContext, Depends(team_context(Action.MANAGE))]


def _out(session: SessionDep, team_id: int, source_id: int) -> SourceOut:
    rows = [r for r in service.team_sources(session, team_id=team_id) if r.source.id == source_id]
    return SourceOut.of(rows[0], i18n.gettext)


@router.get("/teams/{team_id}/sources", responses=ERRORS)
def list_sources(session: SessionDep, ctx: ViewTeam) -> list[SourceOut]:
    """The team's sources with their last sync and last good sync (never their credentials)."""
    return [SourceOut.of(row, i18n.gettext) for row in service.team_sources(session, team_id=ctx.team.id)]


@router.post("/teams/{team_id}/sources", status_code=201, responses=ERRORS)
def create_source(request: Request, body: SourceIn, session: SessionDep, ctx: ManageTeam) -> SourceOut:
    """Connect an MLflow server or a Git repository to the team."""
    data = forms.source(**body.model_dump())
    secret = request.app.state.secret_key
    row = service.create_source(
        session, team_id=ctx.team.id, data=data, user=ctx.user, secret_key=secret, now=utcnow()
    )
    return _out(session, ctx.team.id, row.id)


@router.patch("/teams/{team_id}/sources/{source_id}", responses=ERRORS)
def update_source(
    request: Request, body: SourcePatch, session: SessionDep, ctx: ManageTeam, source_id: limits.RowId
) -> SourceOut:
    """Change a source; empty credentials keep the stored ones unless `clear_credentials` is true."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    given = body.model_dump(
        exclude_unset=True, exclude={"token", "username", "password", "clear_credentials", "enabled"}
    )
    fields = {
        name: given.get(name, getattr(source, name) or "") for name in ("kind", "name", "url", "branch")
    }
    fields["experiment_filter"] = given.get("experiment_filter", source.experiment_filter or "")
    data = forms.source(
        **fields,
        token=body.token,
        username=body.username,
        password=body.password,
        clear_credentials=body.clear_credentials,
        enabled=source.enabled if body.enabled is None else body.enabled,
    )
    secret = request.app.state.secret_key
    service.update_source(session, source=source, data=data, user=ctx.user, secret_key=secret)
    return _out(session, ctx.team.id, source.id)


@router.delete("/teams/{team_id}/sources/{source_id}", status_code=204, responses=ERRORS)
def delete_source(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    source_id: limits.RowId,
    background: BackgroundTasks,
) -> Response:
    """Remove a source with its sync history, signals and cached clone."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    folder = service.delete_source(session, source=source, user=ctx.user)
    background.add_task(view.in_background, sync.forget, context=view.context_of(request), folder=folder)
    return Response(status_code=204, background=background)


@router.post("/teams/{team_id}/sources/{source_id}/sync", status_code=202, responses=ERRORS)
def start_sync(
    request: Request,
    session: SessionDep,
    ctx: ManageTeam,
    source_id: limits.RowId,
    background: BackgroundTasks,
) -> SyncStarted:
    """Start a sync of the source after the response; `started` is false if one is already running."""
    source = service.get_source(session, team_id=ctx.team.id, source_id=source_id)
    run = service.claim(session, source_id=source.id, now=utcnow())
    if run is not None:
        background.add_task(view.in_background, sync.run, context=view.context_of(request), run_id=run.id)
    return SyncStarted(started=run is not None, sync_run_id=run.id if run else None)


@router.get("/teams/{team_id}/signals", responses=ERRORS)
def latest_signals(session: SessionDep, ctx: ViewTeam) -> list[SignalOut]:
    """The latest good value of every signal of the team's sources (a failed sync keeps the last ones)."""
    ids = service.team_source_ids(session, team_id=ctx.team.id, enabled_only=False)
    found = service.latest_signals(session, source_ids=ids)
    return [SignalOut.of(signal) for source_id in ids for signal in found.get(source_id, [])]
