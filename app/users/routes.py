"""The signed-in user's account (profile, password, API tokens) and the one-time invitation and
password reset links."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.auth import service as auth_service
from app.auth import tokens as api_tokens
from app.auth.tokens import TokenInputError
from app.deps import SESSION_COOKIE, CurrentUser, SessionDep, SettingsDep
from app.errors import NotFound
from app.i18n import N_
from app.kit import limits
from app.kit.time import utcnow
from app.models import User
from app.users import service
from app.users.forms import FieldError
from app.web import redirect, render

router = APIRouter(include_in_schema=False)
TIMEZONES = sorted(available_timezones() - {"localtime", "Factory"})


def _account_context(session: SessionDep, user: User, **extra: Any) -> dict[str, Any]:
    return {
        "tokens": api_tokens.for_user(session, user_id=user.id),
        "timezones": TIMEZONES,
        "errors": {},
        "new_token": None,
        "form": {"name": user.name, "timezone": user.timezone},
        **extra,
    }


@router.get("/account", name="account")
def account(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The user's own settings: name, time zone, password and API tokens."""
    return render(request, "account/index.html", _account_context(session, user))


@router.post("/account/profile", name="account_profile")
def account_profile(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form(max_length=64)] = "UTC",
) -> Response:
    """Save the display name and time zone."""
    try:
        cleaned = service.clean_name(name)
        if timezone not in TIMEZONES and timezone != "UTC":
            raise FieldError("timezone", N_("Choose a time zone from the list."))
    except FieldError as exc:
        context = _account_context(
            session, user, errors=exc.as_errors(), form={"name": name, "timezone": timezone}
        )
        return render(request, "account/index.html", context, status_code=422)
    user.name, user.timezone = cleaned, timezone
    return redirect(str(request.url_for("account")), flash=N_("Settings saved."), request=request)


def _start_session(
    request: Request, session: SessionDep, settings: SettingsDep, user: User, response: Response
) -> None:
    token = auth_service.start_session(
        session, user=user, now=utcnow(), absolute=timedelta(hours=settings.session_absolute_hours)
    )
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.https, path="/")


@router.post("/account/password", name="account_password")
def account_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    current: Annotated[str, Form(max_length=limits.PASSWORD)] = "",
    password: Annotated[str, Form(max_length=limits.NEW_PASSWORD_FIELD)] = "",
    confirm: Annotated[str, Form(max_length=limits.NEW_PASSWORD_FIELD)] = "",
) -> Response:
    """Change the password (checked off the event loop); every other session of the user ends."""
    try:
        service.change_password(session, user=user, current=current, password=password, confirm=confirm)
    except FieldError as exc:
        context = _account_context(session, user, errors=exc.as_errors())
        return render(request, "account/index.html", context, status_code=422)
    flash = N_("Password changed. You were signed out everywhere else.")
    response = redirect(str(request.url_for("account")), flash=flash, request=request)
    _start_session(request, session, settings, user, response)  # this browser stays signed in, with a new id
    return response


@router.post("/account/tokens", name="token_create")
def token_create(
    request: Request, session: SessionDep, user: CurrentUser, name: Annotated[str, Form()] = ""
) -> Response:
    """Create an API token and show it this once."""
    try:
        issued = api_tokens.create(session, user=user, name=name)
    except TokenInputError as exc:
        errors = FieldError("token_name", str(exc), **exc.params).as_errors()
        context = _account_context(session, user, errors=errors, token_name=name)
        return render(request, "account/index.html", context, status_code=422)
    return render(request, "account/index.html", _account_context(session, user, new_token=issued))


@router.post("/account/tokens/{token_id}/revoke", name="token_revoke")
def token_revoke(request: Request, session: SessionDep, user: CurrentUser, token_id: int) -> Response:
    """Revoke one of the user's own tokens (after the page asked for confirmation)."""
    if api_tokens.revoke(session, user=user, token_id=token_id, now=utcnow()) is None:
        raise NotFound
    return redirect(str(request.url_for("account")), flash=N_("Token revoked."), request=request)


def _link(session: SessionDep, token: str, kind: str) -> Any:
    link = service.usable_link(session, token=token, kind=kind, now=utcnow())
    if link is None:
        raise NotFound(N_("This link has expired or was already used. Ask an admin for a new one."))
    return link


@router.get("/invite/{token}", name="accept_invite_form")
def accept_invite_form(request: Request, session: SessionDep, token: str) -> Response:
    """The invited person chooses their name and password."""
    link = _link(session, token, "invite")
    return render(request, "account/invite.html", {"link": link, "token": token, "form": {}, "errors": {}})


@router.post("/invite/{token}", name="accept_invite")
def accept_invite(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form(max_length=limits.NEW_PASSWORD_FIELD)] = "",
    confirm: Annotated[str, Form(max_length=limits.NEW_PASSWORD_FIELD)] = "",
) -> Response:
    """Create the account, use up the link and sign the person in."""
    link = _link(session, token, "invite")
    try:
        user = service.accept_invite(
            session, link=link, name=name, password=password, confirm=confirm, now=utcnow()
        )
    except FieldError as exc:
        context = {"link": link, "token": token, "form": {"name": name}, "errors": exc.as_errors()}
        return render(request, "account/invite.html", context, status_code=422)
    response = redirect(
        str(request.url_for("home")), flash=N_("Welcome to Hoshin. Your account is ready."), request=request
    )
    _start_session(request, session, settings, user, response)
    return response


@router.get("/reset/{token}", name="reset_password_form")
def reset_password_form(request: Request, session: SessionDep, token: str) -> Response:
    """The person chooses a new password."""
    link = _link(session, token, "reset")
    return render(request, "account/reset.html", {"link": link, "token": token, "errors": {}})


@router.post("/reset/{token}", name="reset_password")
def reset_password(
    request: Request,
    session: SessionDep,
    token: str,
    password: Annotated[str, Form(max_length=limits.NEW_PASSWORD_FIELD)] = "",
    confirm: Annotated[str, Form(max_length=limits.NEW_PASSWORD_FIELD)] = "",
) -> Response:
    """Set the new password; every session of the user ends, and they sign in again."""
    link = _link(session, token, "reset")
    try:
        user = service.reset_password(session, link=link, password=password, confirm=confirm, now=utcnow())
    except FieldError as exc:
        context = {"link": link, "token": token, "errors": exc.as_errors()}
        return render(request, "account/reset.html", context, status_code=422)
    if user is None:
        raise NotFound(N_("This link has expired or was already used. Ask an admin for a new one."))
    url = str(request.url_for("sign_in"))
    response = redirect(url, flash=N_("Password set. Sign in with your new password."), request=request)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
