"""Admin pages: users (invite, role, deactivate, password reset link), teams and the audit log."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response, StreamingResponse

from app.audit import service as audit
from app.deps import AdminUser, SessionDep
from app.errors import NotFound
from app.i18n import N_
from app.kit import limits
from app.kit.downloads import attachment
from app.kit.http import for_tokens
from app.kit.time import utcnow, zone
from app.models import Role, User
from app.teams import roles as team_roles
from app.teams import service as teams_service
from app.users import service as users_service
from app.users.forms import FieldError
from app.users.service import UserSort
from app.web import redirect, render

router = APIRouter(prefix="/admin", include_in_schema=False)
ROLES = [r.value for r in Role]


@router.get("/users", name="admin_users")
def users(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    q: Annotated[str, Query(max_length=200)] = "",
    role: Annotated[str, Query(max_length=20)] = "",
    sort: UserSort = UserSort.NAME,
    desc: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Everyone with an account: search, filter by role, sort, page; htmx asks for just the table."""
    role = role if role in ROLES else ""
    result = users_service.search(session, text=q, role=role, sort=sort, descending=desc, page=page)
    invitations = users_service.pending_invitations(session, now=utcnow())
    context = {
        "page": result,
        "q": q,
        "role": role,
        "sort": sort.value,
        "desc": desc,
        "roles": ROLES,
        "invitations": invitations,
    }
    return render(request, "admin/users.html", context, block="results")


@router.get("/users/invite", name="admin_invite_form")
def invite_form(request: Request, admin: AdminUser) -> Response:
    """The form to invite someone by a one-time link."""
    return render(
        request, "admin/invite.html", {"form": {"role": "member"}, "errors": {}, "link": None, "roles": ROLES}
    )


@router.post("/users/invite", name="admin_invite")
def invite(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    email: Annotated[str, Form(max_length=limits.EMAIL)] = "",
    role: Annotated[str, Form(max_length=20)] = "member",
) -> Response:
    """Create the invitation and show its link once (no mail server is assumed)."""
    form = {"email": email, "role": role}
    try:
        issued = users_service.invite(session, email=email, role=role, actor=admin, now=utcnow())
    except FieldError as exc:
        errors: dict[str, Any] = {"form": form, "errors": exc.as_errors(), "link": None, "roles": ROLES}
        return render(request, "admin/invite.html", errors, status_code=422)
    link = str(request.url_for("accept_invite_form", token=issued.token))
    context = {"form": form, "errors": {}, "link": link, "expires_at": issued.link.expires_at, "roles": ROLES}
    return render(request, "admin/invite.html", context)


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound
    return user


def _user_context(session: SessionDep, user: User, **extra: Any) -> dict[str, Any]:
    teams = teams_service.teams_of(session, user_id=user.id)
    return {"person": user, "teams": teams, "roles": ROLES, "errors": {}, "link": None, **extra}


@router.get("/users/{user_id}", name="admin_user")
def user_detail(request: Request, session: SessionDep, admin: AdminUser, user_id: int) -> Response:
    """One account: role, status, teams, password reset."""
    return render(request, "admin/user.html", _user_context(session, _user(session, user_id)))


@router.post("/users/{user_id}/role", name="admin_user_role")
def user_role(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    user_id: int,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Change the installation role."""
    user = _user(session, user_id)
    change = functools.partial(users_service.set_role, session, user=user, role=role, actor=admin)
    return _change_user(request, session, user, change, flash=N_("Role saved."))


@router.post("/users/{user_id}/active", name="admin_user_active")
def user_active(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    user_id: int,
    active: Annotated[bool, Form()] = False,
) -> Response:
    """Deactivate (ends their sessions, stops their tokens) or reactivate an account."""
    user = _user(session, user_id)
    change = functools.partial(users_service.set_active, session, user=user, active=active, actor=admin)
    message = N_("Account reactivated.") if active else N_("Account deactivated; their sessions have ended.")
    return _change_user(request, session, user, change, flash=message)


def _change_user(
    request: Request, session: SessionDep, user: User, change: Callable[[], object], *, flash: str
) -> Response:
    """Make `change` to the account and go back to its page with `flash`, or show the error there."""
    try:
        change()
    except FieldError as exc:
        context = _user_context(session, user, errors=exc.as_errors())
        return render(request, "admin/user.html", context, status_code=422)
    url = str(request.url_for("admin_user", user_id=user.id))
    return redirect(url, flash=flash, request=request)


@router.post("/users/{user_id}/reset", name="admin_user_reset")
def user_reset(request: Request, session: SessionDep, admin: AdminUser, user_id: int) -> Response:
    """Make a one-time password reset link and show it once."""
    user = _user(session, user_id)
    issued = users_service.password_reset_link(session, user=user, actor=admin, now=utcnow())
    link = str(request.url_for("reset_password_form", token=issued.token))
    return render(
        request, "admin/user.html", _user_context(session, user, link=link, expires_at=issued.link.expires_at)
    )


@router.get("/teams", name="admin_teams")
def teams(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    """Every team with its managers, size and capacity."""
    rows = [
        (team, teams_service.figures(team))
        for team, _access in teams_service.visible_with_members(session, user=admin)
    ]
    return render(request, "admin/teams.html", {"rows": rows, "role_label": team_roles.label})


def _filters(admin: User, actor: str, action: str, object_type: str, since: str, until: str) -> audit.Filters:
    """Audit filters from the query; dates are days in the admin's own time zone."""
    return audit.Filters(
        actor=actor,
        action=action,
        object_type=object_type,
        since=_day(since, admin),
        until=_day(until, admin, next_day=True),
    )


def _day(value: str, user: User, *, next_day: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=zone(user.timezone))
    except ValueError:
        return None
    return day + timedelta(days=1) if next_day else day


AuditQuery = Annotated[str, Query(max_length=200)]


def _audit_query(
    actor: AuditQuery = "",
    action: AuditQuery = "",
    object_type: AuditQuery = "",
    since: AuditQuery = "",
    until: AuditQuery = "",
) -> dict[str, str]:
    """The audit log's filters as the query gives them (the page shows them again in its form)."""
    return {"actor": actor, "action": action, "object_type": object_type, "since": since, "until": until}


AuditFilters = Annotated[dict[str, str], Depends(_audit_query)]


@router.get("/audit", name="admin_audit")
def audit_log(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    query: AuditFilters,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Who changed what and when, newest first, with filters; htmx asks for just the table."""
    filters = _filters(admin, **query)
    result = audit.search(session, filters=filters, page=page)
    context = {"page": result, "query": query, "object_types": audit.object_types(session)}
    return render(request, "admin/audit.html", context, block="results")


@router.get("/audit.csv", name="admin_audit_csv")
@for_tokens
def audit_csv(session: SessionDep, admin: AdminUser, query: AuditFilters) -> Response:
    """The filtered audit log as CSV (UTC timestamps, before/after as JSON)."""
    filters = _filters(admin, **query)
    lines = list(audit.export_csv(session, filters=filters))  # read inside the request's transaction
    name = f"hoshin-audit-{utcnow():%Y%m%d-%H%M}.csv"
    headers = {"Content-Disposition": attachment(name)}
    return StreamingResponse(iter(lines), media_type="text/csv; charset=utf-8", headers=headers)
