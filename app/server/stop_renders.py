"""Stopping the PDF render process first when the server is told to stop."""

from __future__ import annotations

import signal

from starlette.types import ASGIApp, Receive, Scope, Send

from app.reports import render


class StopRendersOnSignals:
    """At start-up (uvicorn's signal handlers are in place by then, not yet when this module is imported),
    put ending the render process in front of them: the server's graceful shutdown then waits for no
    render, and stops within seconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            render.stop_on_signals(signal.SIGTERM, signal.SIGINT)
        await self.app(scope, receive, send)
