"""Application errors, shown as a page for browsers, a toast for htmx, or a JSON problem under /api/."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app import i18n
from app.i18n import N_
from app.kit import htmx, http, limits
from app.web import render

log = logging.getLogger("hoshin")
TOO_MANY = N_("At most %(max)d items, please.")


class AppError(Exception):
    """An error the user can act on; `message` is an untranslated msgid, `field` names bad input."""

    status_code = 400
    message = N_("The request could not be processed.")
    retry_after = 5  # seconds, sent with a 429 or 503

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: object) -> None:
        self.message = message or self.message
        self.field = field
        self.params = params
        super().__init__(self.message)

    def text(self) -> str:
        translated = i18n.gettext(self.message)
        return translated % self.params if self.params else translated


class BadInput(AppError):
    status_code = 422
    message = N_("Please correct the highlighted field.")


def checked_text(value: str, max_length: int, field: str, *, multiline: bool = False) -> str:
    """`value` within app/kit/limits.py's rules (line breaks normalised), else BadInput naming `field`."""
    try:
        return limits.check(value, max_length, multiline=multiline)
    except limits.TextError as error:
        raise BadInput(error.message, field=field, **error.params) from None


class NotFound(AppError):
    status_code = 404
    message = N_("That page does not exist, or you do not have access to it.")


class Forbidden(AppError):
    status_code = 403
    message = N_("You do not have permission to do that.")


class Conflict(AppError):
    status_code = 409
    message = N_("Someone else changed this in the meantime.")


class SignInRequired(AppError):
    status_code = 401
    message = N_("Please sign in to continue.")


class TooManyRequests(AppError):
    status_code = 429
    message = N_("Too many attempts. Please wait a minute and try again.")


class BodyTooLarge(StarletteHTTPException):
    """A request body over its limit, found while it streamed in (app/server/body_limit.py)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def body_too_large(limit: int) -> str:
    """What a 413 says, in the reader's language."""
    message = N_("This request is larger than the server accepts (at most %(size)s). Send less at once.")
    return i18n.gettext(message) % {"size": f"{limit / 1_000_000:g} MB"}


class Unavailable(AppError):
    """The server cannot do this right now (busy, or stopping); the client may try again later."""

    status_code = 503
    message = N_("The server is busy right now. Please try again in a moment.")


def render_form(
    request: Request, name: str, context: dict[str, Any], error: AppError | None, *, field: str
) -> Response:
    """A form page, with `error` (if any) beside the field it names (else beside `field`) and its status."""
    errors = {error.field or field: error.text()} if error else {}
    status = error.status_code if error else 200
    return render(request, name, {**context, "errors": errors}, status_code=status)


def is_api(request: Request) -> bool:
    """A script's request: under /api/, or a download fetched with a bearer token (JSON errors, no
    redirect to the sign-in page)."""
    return request.url.path.startswith("/api/") or http.bearer_token(request) is not None


def problem(
    request: Request, status: int, detail: str, field: str | None = None, *, retry_after: int = 5
) -> Response:
    """The one place that turns an error into what this kind of client can show."""
    headers = {"Retry-After": str(retry_after)} if status in (429, 503) else {}
    if is_api(request):
        return JSONResponse({"detail": detail, "field": field}, status_code=status, headers=headers)
    name = "errors/toast.html" if htmx.is_htmx(request) else "errors/page.html"
    response = render(request, name, {"status": status, "detail": detail}, status_code=status)
    response.headers.update(headers)
    if htmx.is_htmx(request):  # show the message in the toast area instead of replacing the target
        response.headers.update({"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"})
    return response


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, _database_error)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _out_of_range)  # type: ignore[arg-type]
    app.add_exception_handler(OverflowError, _out_of_range)  # type: ignore[arg-type]  # SQLite, ids > 64 bits
    app.add_exception_handler(StaleDataError, _stale)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _app_error(request: Request, exc: AppError) -> Response:
    i18n.current_locale.set(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
    if isinstance(exc, SignInRequired) and not is_api(request):
        target = f"/sign-in?next={request.url.path}"
        if htmx.is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    return problem(request, exc.status_code, exc.text(), exc.field, retry_after=exc.retry_after)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    i18n.current_locale.set(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
    if exc.status_code == 405:  # Starlette names only the first route of the path; name them all
        allow = {"Allow": ", ".join(_allowed_methods(request))}
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=allow)
        exc.headers = {**(exc.headers or {}), **allow}
    messages = {404: NotFound.message, 405: N_("That action is not allowed here.")}
    detail = i18n.gettext(messages.get(exc.status_code, AppError.message))
    if isinstance(exc, BodyTooLarge):
        detail = body_too_large(exc.limit)
    response = problem(request, exc.status_code, detail)
    response.headers.update(exc.headers or {})  # e.g. `Allow` on a 405
    return response


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path answers, and OPTIONS."""
    methods = {"OPTIONS"}
    for route in _leaf_routes(request.app.router.routes):
        if route.path_regex.match(request.url.path):
            methods.update(route.methods or ())
    return sorted(methods)


def _leaf_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """The routes with a path and methods, through included routers (no router here adds a prefix)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _leaf_routes(included.routes)
        elif getattr(route, "methods", None) and hasattr(route, "path_regex"):
            yield route


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    i18n.current_locale.set(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
    first = exc.errors()[0] if exc.errors() else {}
    if first.get("loc", ("",))[0] == "path" and not is_api(request):  # /teams/0: no such page
        return problem(request, 404, i18n.gettext(NotFound.message))
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "form")]
    field = ".".join(location) or None
    message = _validation_message(first)
    detail = f"{field}: {message}" if field else message
    return problem(request, 422, detail, field)


def _validation_message(error: Mapping[str, Any]) -> str:
    """The reader's-language message for the limits of app/kit/limits.py; pydantic's own otherwise."""
    kind, context = error.get("type"), error.get("ctx") or {}
    if kind in ("control_characters", "period"):  # their message is the msgid
        translated = i18n.gettext(str(error.get("msg", "")))
        return translated % context if context else translated
    if kind in ("string_too_long", "too_long") and isinstance(error.get("input"), str):
        length = context.get("actual_length") or len(error["input"])
        return i18n.gettext(limits.TOO_LONG) % {"max": context["max_length"], "length": length}
    if kind == "too_long":
        return i18n.gettext(TOO_MANY) % {"max": context["max_length"]}
    if kind in _PYDANTIC_MESSAGES:
        return i18n.gettext(_PYDANTIC_MESSAGES[kind]) % context
    return str(error.get("msg", ""))


# pydantic's messages for the errors a person filling in a form can make (others stay as pydantic says)
_PYDANTIC_MESSAGES = {
    "missing": N_("This is required."),
    "int_parsing": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "greater_than_equal": N_("Enter %(ge)s or more."),
    "less_than_equal": N_("Enter %(le)s or less."),
    "string_pattern_mismatch": N_("This is not in the expected form."),
}


async def _database_error(request: Request, exc: DBAPIError) -> Response:
    log.warning("database unavailable: %s", type(exc.orig).__name__ if exc.orig else type(exc).__name__)
    i18n.current_locale.set(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
    detail = i18n.gettext(N_("The database is not answering right now. Please try again in a moment."))
    return problem(request, 503, detail)


async def _out_of_range(request: Request, exc: DataError | OverflowError) -> Response:
    # The database refused a value the schema let through (an id beyond its integer range): bad input.
    i18n.current_locale.set(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
    return problem(request, 422, i18n.gettext(AppError.message))


async def _stale(request: Request, exc: StaleDataError) -> Response:
    # A versioned row changed between our read and our write (e.g. the same submit sent twice at once).
    return await _app_error(request, Conflict())


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    i18n.current_locale.set(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
    return problem(request, 500, i18n.gettext(N_("Something went wrong on our side. It has been logged.")))
