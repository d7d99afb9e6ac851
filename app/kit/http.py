"""HTTP facts every layer shares (no domain, no app): which methods only read, and which routes read a
bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request

# Methods that change nothing: no CSRF token, no write transaction, no write gate, a read slot.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_FOR_TOKENS = "hoshin_reads_bearer_tokens"


def for_tokens(endpoint: Endpoint) -> Endpoint:
    """Mark a download (a GET) that scripts may fetch with an API token, as they call /api/v1.

    Only for reads: a browser never sends an Authorization header on its own, so nothing can be forged,
    and the CSRF check (which spares only /api/) stays as it is for everything that changes data."""
    setattr(endpoint, _FOR_TOKENS, True)
    return endpoint


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header, on a route that reads one (else None): the JSON
    API, and the downloads marked `for_tokens`. Elsewhere the header is ignored."""
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not _reads_tokens(request):
        return None
    return value.strip()


def _reads_tokens(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    route = request.scope.get("route")  # the matched route, once routing has found one
    endpoint = getattr(route, "endpoint", None) or request.scope.get("endpoint")
    return request.method in SAFE_METHODS and bool(getattr(endpoint, _FOR_TOKENS, False))
