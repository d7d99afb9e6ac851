"""Sign in and sign out."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.auth import service
from app.deps import SESSION_COOKIE, OptionalUser, SessionDep, SettingsDep
from app.i18n import N_
from app.kit import limits
from app.kit.time import utcnow
from app.kit.urls import safe_next
from app.web import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/sign-in", name="sign_in")
def sign_in_form(request: Request, user: OptionalUser, next: str = "/") -> Response:
    """The sign-in page (signed-in users go straight on)."""
    if user is not None:
        return redirect(safe_next(next), request=request)
    return render(request, "auth/sign_in.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/sign-in", name="sign_in_submit")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=limits.EMAIL)],
    password: Annotated[str, Form(max_length=limits.PASSWORD)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials (off the event loop: this is a def route), then start a fresh session."""
    now = utcnow()
    address = request.client.host if request.client else "unknown"
    context = {"next": safe_next(next), "email": email}
    if service.is_rate_limited(session, email=email, address=address, now=now):
        error = N_("Too many failed attempts. Wait 15 minutes, or ask an admin to reset your password.")
        return render(request, "auth/sign_in.html", {**context, "error": error}, status_code=429)
    user = service.authenticate(session, email=email, password=password)
    if user is None:
        service.record_failure(session, email=email, address=address, now=now)
        error = N_("The email or password is not right.")
        return render(request, "auth/sign_in.html", {**context, "error": error}, status_code=422)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        service.end_session(session, token=old)  # a new id at every sign-in: no session fixation
    user.last_login_at = now
    token = service.start_session(
        session, user=user, now=now, absolute=timedelta(hours=settings.session_absolute_hours)
    )
    response = redirect(safe_next(next), request=request)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.https, path="/")
    return response


@router.post("/sign-out", name="sign_out")
def sign_out(request: Request, session: SessionDep) -> Response:
    """End this session on the server, not only in the browser."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session, token=token)
    response = redirect("/sign-in", flash=N_("You are signed out."), kind="info", request=request)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
