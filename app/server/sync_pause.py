"""Syncs pause while the server answers requests: every HTTP request counts in app/kit/in_flight.py's
shared counter until its answer's last byte, and a sync's git (in the sync process) stops while the
count is above 0 (docs/performance.md, "sync_pause")."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit import in_flight
from app.server.priority import counted_until_answered


class CountRequests:
    """Middleware: each HTTP request is in flight from its arrival (a wait for a read slot included)
    until its answer's last byte; a route's background task after that is not."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await counted_until_answered(self.app, scope, receive, send, in_flight.serving())
