"""Request counts and latencies (app/monitoring/instruments.py) by the matched route's path template,
never the raw path: `/teams/123` counts under `/teams/{team_id}`, so ids make no new series. Cheap on
purpose: per request a dict look-up, an increment and a histogram observation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client.metrics import Counter, Histogram
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.monitoring.instruments import REQUEST_SECONDS, REQUESTS
from app.server.priority import counted_until_answered

# Requests no route answered: unknown paths, and those refused before routing (e.g. a full PdfSlots).
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    """Outermost of the server's middleware, so that time spent queueing for a slot counts too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets when the app raises before answering

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        @contextmanager
        def timed() -> Iterator[None]:
            started = time.perf_counter()
            try:
                yield
            finally:
                count, latency = self._of(scope, status)
                count.inc()
                latency.observe(time.perf_counter() - started)

        # until the answer's last byte, not until the app returns: a route's background task (a sync,
        # minutes long) runs inside the app's call and is no part of the request's latency
        await counted_until_answered(self.app, scope, receive, send_noting_status, timed())

    def _of(self, scope: Scope, status: int) -> tuple[Counter, Histogram]:
        method: str = scope["method"]
        key = (method if method in METHODS else "other", route_template(scope), status)
        found = self._series.get(key)
        if found is None:
            method, route, _ = key
            found = REQUESTS.labels(method, route, str(status)), REQUEST_SECONDS.labels(method, route)
            self._series[key] = found
        return found


def route_template(scope: Scope) -> str:
    """The path template of the route the router chose (a mount's prefix), else UNMATCHED."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return route.path or "/"
    template = getattr(route, "path_format", None)
    return template if isinstance(template, str) else UNMATCHED
