"""/healthz, /readyz and the language switch."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app import i18n
from app.db import ping
from app.deps import OptionalUser, SessionDep
from app.kit.urls import safe_next
from app.web import redirect

router = APIRouter()
log = logging.getLogger("hoshin")


@router.get("/healthz", tags=["system"])
async def healthz() -> dict[str, str]:
    """The process is alive (no database involved)."""
    return {"status": "ok"}


@router.get("/readyz", tags=["system"], responses={503: {"description": "database unreachable"}})
async def readyz(request: Request) -> JSONResponse:
    """The database answers; 503 with the reason while it does not."""
    try:
        await run_in_threadpool(ping, request.app.state.engine)
    except SQLAlchemyError as exc:
        reason = (
            f"database unreachable: {type(exc.orig or exc).__name__}" if hasattr(exc, "orig") else str(exc)
        )
        log.warning("readiness check failed: %s", reason)
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.post("/language", name="set_language", include_in_schema=False)
def set_language(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the interface language; remembered on the account and in a cookie."""
    chosen = i18n.negotiate(locale)
    if user is not None:
        user.locale = chosen
    response = redirect(safe_next(next), request=request)
    response.set_cookie(i18n.LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax", path="/")
    return response
