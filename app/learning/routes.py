"""Learning log pages: a team's sessions newest first, and the form to log, change or delete one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.permissions import Action
from app.deps import SessionDep, TeamContext, team_context
from app.errors import AppError, BadInput, render_form
from app.i18n import N_
from app.kit import limits
from app.kit.time import utcnow
from app.learning import forms, service
from app.models import LearningSession
from app.teams import service as teams_service
from app.web import redirect, render

router = APIRouter(include_in_schema=False)

ViewTeam = Annotated[TeamContext, Depends(team_context(Action.VIEW))]
CheckInTeam = Annotated[TeamContext, Depends(team_context(Action.CHECK_IN))]
Field = Annotated[str, Form()]  # app/learning/forms.py checks each against app/kit/limits.py
People = Annotated[list[str], Form(max_length=limits.ATTENDEES + 1)]


@router.get("/teams/{team_id}/learning", name="team_learning")
def learning_page(
    request: Request, session: SessionDep, ctx: ViewTeam, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    """The team's learning sessions, newest first, twenty to a page."""
    found = service.page(session, team_id=ctx.team.id, number=page)
    choices = {t.value: t for t in service.targets(session, team_id=ctx.team.id)}
    context = {"ctx": ctx, "team": ctx.team, "page": found, "targets": choices, "led_to": service.led_to}
    return render(request, "learning/page.html", context)


def _form(
    request: Request,
    session: Session,
    ctx: TeamContext,
    row: LearningSession | None,
    form: dict[str, Any],
    error: AppError | None = None,
) -> Response:
    context = {
        "ctx": ctx,
        "team": ctx.team,
        "row": row,
        "form": form,
        "members": teams_service.members(session, team_id=ctx.team.id),
        "targets": service.targets(session, team_id=ctx.team.id),
        "kinds": service.KINDS,
    }
    return render_form(request, "learning/form.html", context, error, field="topic")


def _typed(
    held_on: str, kind: str, topic: str, attendee_ids: list[str], lessons: str, led_to: str
) -> dict[str, Any]:
    return {
        "held_on": held_on,
        "kind": kind,
        "topic": topic,
        "attendee_ids": attendee_ids,
        "lessons": lessons,
        "led_to": led_to,
    }


def _row_form(row: LearningSession) -> dict[str, Any]:
    attendees = [str(a.user_id) for a in row.attendees]
    return _typed(
        row.held_on.isoformat(), row.kind, row.topic, attendees, row.lessons, service.led_to(row) or ""
    )


@router.get("/teams/{team_id}/learning/new", name="learning_new")
def learning_new(request: Request, session: SessionDep, ctx: CheckInTeam) -> Response:
    """The form to log a session (today, a study session, by default)."""
    form = _typed(utcnow().date().isoformat(), "study", "", [], "", "")
    return _form(request, session, ctx, None, form)


@router.post("/teams/{team_id}/learning", name="learning_create")
def learning_create(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    held_on: Field = "",
    kind: Field = "",
    topic: Field = "",
    lessons: Field = "",
    led_to: Field = "",
    attendee_ids: People = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    """Log a session in the team's learning log."""
    typed = _typed(held_on, kind, topic, attendee_ids, lessons, led_to)
    try:
        data = forms.session_input(**typed)
        choices = service.targets(session, team_id=ctx.team.id) if data.led_to else []
        service.create(session, team_id=ctx.team.id, data=data, choices=choices, user=ctx.user, now=utcnow())
    except AppError as error:
        return _form(request, session, ctx, None, typed, error)
    url = str(request.url_for("team_learning", team_id=ctx.team.id))
    return redirect(url, flash=N_("Session logged."), request=request)


@router.get("/teams/{team_id}/learning/{learning_session_id}/edit", name="learning_edit")
def learning_edit(
    request: Request, session: SessionDep, ctx: CheckInTeam, learning_session_id: limits.RowId
) -> Response:
    """The form to change or delete a session."""
    row = service.get(session, team_id=ctx.team.id, session_id=learning_session_id)
    return _form(request, session, ctx, row, _row_form(row))


@router.post("/teams/{team_id}/learning/{learning_session_id}", name="learning_update")
def learning_update(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    learning_session_id: limits.RowId,
    held_on: Field = "",
    kind: Field = "",
    topic: Field = "",
    lessons: Field = "",
    led_to: Field = "",
    attendee_ids: People = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    """Change a session."""
    row = service.get(session, team_id=ctx.team.id, session_id=learning_session_id)
    typed = _typed(held_on, kind, topic, attendee_ids, lessons, led_to)
    try:
        data = forms.session_input(**typed)
        choices = service.targets(session, team_id=ctx.team.id) if data.led_to else []
        service.update(session, row=row, data=data, choices=choices, user=ctx.user, now=utcnow())
    except AppError as error:
        return _form(request, session, ctx, row, typed, error)
    url = str(request.url_for("team_learning", team_id=ctx.team.id))
    return redirect(url, flash=N_("Session saved."), request=request)


@router.post("/teams/{team_id}/learning/{learning_session_id}/delete", name="learning_delete")
def learning_delete(
    request: Request,
    session: SessionDep,
    ctx: CheckInTeam,
    learning_session_id: limits.RowId,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Delete a session from the log, once the box confirming it is ticked."""
    row = service.get(session, team_id=ctx.team.id, session_id=learning_session_id)
    if confirm != "yes":
        error = BadInput(N_("Tick the box to confirm the deletion."), field="confirm")
        return _form(request, session, ctx, row, _row_form(row), error)
    service.delete_session(session, row=row, user=ctx.user)
    url = str(request.url_for("team_learning", team_id=ctx.team.id))
    return redirect(url, flash=N_("Session deleted."), request=request)
