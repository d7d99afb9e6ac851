"""htmx request and response helpers."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

TOAST_EVENT = "hoshin:toast"


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def is_boosted(request: Request) -> bool:
    return request.headers.get("HX-Boosted") == "true"


def trigger_toast(response: Response, message: str, kind: str = "info") -> Response:
    """Ask the page to show a toast once this htmx response is swapped in."""
    response.headers["HX-Trigger"] = json.dumps({TOAST_EVENT: {"message": message, "kind": kind}})
    return response
