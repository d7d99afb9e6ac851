"""Application errors, shown as a page for browsers, a toast for htmx, or a JSON problem under /api/."""

from __future__ import annotations

import logging

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
from app.kit import htmx

log = logging.getLogger("hoshin")


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


class Unavailable(AppError):
    """The server cannot do this right now (busy, or stopping); the client may try again later."""

    status_code = 503
    message = N_("The server is busy right now. Please try again in a moment.")


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    request: Request, status: int, detail: str, field: str | None = None, *, retry_after: int = 5
) -> Response:
    """The one place that turns an error into what this kind of client can show."""
    headers = {"Retry-After": str(retry_after)} if status in (429, 503) else {}
    if is_api(request):
        return JSONResponse({"detail": detail, "field": field}, status_code=status, headers=headers)
    from app.web import render  # web imports errors' neighbours; keep the cycle out of import time

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
    messages = {404: NotFound.message, 405: N_("That action is not allowed here.")}
    detail = i18n.gettext(messages.get(exc.status_code, AppError.message))
    response = problem(request, exc.status_code, detail)
    response.headers.update(exc.headers or {})  # e.g. `Allow` on a 405
    return response


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    i18n.current_locale.set(getattr(request.state, "locale", i18n.DEFAULT_LOCALE))
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "form")]
    field = ".".join(location) or None
    detail = f"{field}: {first.get('msg', '')}" if field else str(first.get("msg", ""))
    return problem(request, 422, detail, field)


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
