"""Organisation OKR pages: leadership's objectives for a quarter with the team objectives that contribute
to them (everyone signed in reads them; admins set them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth import permissions
from app.deps import AdminUser, CurrentUser, SessionDep
from app.errors import AppError, BadInput, render_form
from app.i18n import N_
from app.kit.time import utcnow
from app.models import OrgObjective
from app.okrs import forms as okr_forms
from app.okrs import service as okrs_service
from app.okrs.org import service
from app.teams import service as teams_service
from app.web import redirect, render

router = APIRouter(include_in_schema=False)
PeriodQuery = Annotated[str | None, Query(max_length=20)]
Text = Annotated[str, Form()]
Short = Annotated[str, Form(max_length=80)]


def _period(value: str | None) -> str:
    return okrs_service.parse_period(value) if value else okrs_service.current_period(utcnow().date())


def _url(request: Request, period: str) -> str:
    return f"{request.url_for('org_okrs')}?period={period}"


@router.get("/okrs", name="org_okrs")
def org_okrs(
    request: Request, session: SessionDep, user: CurrentUser, period: PeriodQuery = None
) -> Response:
    """Leadership's objectives for a quarter and how the contributing team objectives stand."""
    quarter = _period(period)
    today = utcnow().date()
    team_ids = [team.id for team, _ in teams_service.visible(session, user=user)]
    context = {
        "period": quarter,
        "current": okrs_service.current_period(today),
        "periods": sorted({okrs_service.shift_period(quarter, n) for n in range(-4, 2)}, reverse=True),
        "items": service.status(session, period=quarter, team_ids=team_ids, today=today),
        "is_admin": permissions.is_admin(user),
    }
    return render(request, "okrs/org.html", context)


def _form(
    request: Request,
    session: Session,
    period: str,
    row: OrgObjective | None,
    form: dict[str, str],
    error: AppError | None = None,
) -> Response:
    context = {"period": period, "row": row, "form": form, "people": service.people(session)}
    return render_form(request, "okrs/org_form.html", context, error, field="title")


def _parsed(title: str, description: str, owner_id: str) -> service.OrgObjectiveInput:
    data = okr_forms.objective(title=title, description=description, owner_id=owner_id)
    return service.OrgObjectiveInput(data.title, data.description, data.owner_id)


@router.get("/okrs/objectives/new", name="org_objective_new")
def org_objective_new(
    request: Request, session: SessionDep, user: AdminUser, period: PeriodQuery = None
) -> Response:
    """The form for a new organisation objective in a quarter."""
    form = {"title": "", "description": "", "owner_id": ""}
    return _form(request, session, _period(period), None, form)


@router.post("/okrs/objectives", name="org_objective_create")
def org_objective_create(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    period: Annotated[str, Form(max_length=20)] = "",
    title: Text = "",
    description: Text = "",
    owner_id: Short = "",
) -> Response:
    """Add an organisation objective to a quarter."""
    form = {"title": title, "description": description, "owner_id": owner_id}
    try:
        quarter = okrs_service.parse_period(period)
        service.create(session, period=quarter, data=_parsed(title, description, owner_id), user=user)
    except AppError as error:
        shown = period if okrs_service.PERIOD.match(period) else okrs_service.current_period(utcnow().date())
        return _form(request, session, shown, None, form, error)
    return redirect(_url(request, quarter), flash=N_("Organisation objective added."), request=request)


@router.get("/okrs/objectives/{org_objective_id}/edit", name="org_objective_edit")
def org_objective_edit(
    request: Request, session: SessionDep, user: AdminUser, org_objective_id: int
) -> Response:
    """The form to change or delete an organisation objective."""
    row = service.get(session, org_objective_id=org_objective_id)
    form = {"title": row.title, "description": row.description, "owner_id": str(row.owner_id or "")}
    return _form(request, session, row.period, row, form)


@router.post("/okrs/objectives/{org_objective_id}", name="org_objective_update")
def org_objective_update(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    org_objective_id: int,
    title: Text = "",
    description: Text = "",
    owner_id: Short = "",
) -> Response:
    """Change an organisation objective's title, description and owner."""
    row = service.get(session, org_objective_id=org_objective_id)
    try:
        service.change(session, row=row, data=_parsed(title, description, owner_id), user=user)
    except AppError as error:
        form = {"title": title, "description": description, "owner_id": owner_id}
        return _form(request, session, row.period, row, form, error)
    return redirect(_url(request, row.period), flash=N_("Organisation objective saved."), request=request)


@router.post("/okrs/objectives/{org_objective_id}/delete", name="org_objective_delete")
def org_objective_delete(
    request: Request, session: SessionDep, user: AdminUser, org_objective_id: int, confirm: Short = ""
) -> Response:
    """Delete an organisation objective, once the admin ticked the confirmation; team objectives stay."""
    row = service.get(session, org_objective_id=org_objective_id)
    period = row.period
    if confirm != "yes":
        error = BadInput(N_("Tick the box to confirm the deletion."), field="confirm")
        form = {"title": row.title, "description": row.description, "owner_id": str(row.owner_id or "")}
        return _form(request, session, period, row, form, error)
    service.delete(session, row=row, user=user)
    return redirect(_url(request, period), flash=N_("Organisation objective deleted."), request=request)
