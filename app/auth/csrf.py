"""CSRF: a random token in a cookie must come back in a header (htmx) or form field (plain forms),
and cross-site requests are refused outright."""

from __future__ import annotations

import secrets
from hmac import compare_digest

from starlette.requests import Request

from app.errors import Forbidden
from app.i18n import N_
from app.kit.http import SAFE_METHODS

COOKIE = "hoshin_csrf"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def verify(request: Request) -> None:
    """Refuse an unsafe request that lacks the token or comes from another site."""
    if request.method in SAFE_METHODS or _is_token_api_call(request):
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site" or not _same_origin(request):
        raise Forbidden(N_("This request came from another site and was refused."))
    expected = request.cookies.get(COOKIE, "")
    sent = request.headers.get(HEADER) or await _form_token(request)
    if not expected or not sent or not compare_digest(expected, sent):
        raise Forbidden(N_("Your form expired. Reload the page and try again."))


def _is_token_api_call(request: Request) -> bool:
    # Bearer tokens are not sent by browsers on their own, so they cannot be forged cross-site.
    has_bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
    return has_bearer and request.url.path.startswith("/api/")


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # not sent by every client; the token check still applies
        return True
    host = request.headers.get("Host", "")
    return origin.split("://", 1)[-1] == host


async def _form_token(request: Request) -> str:
    content_type = request.headers.get("Content-Type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return ""
    form = await request.form()
    value = form.get(FIELD)
    return value if isinstance(value, str) else ""
