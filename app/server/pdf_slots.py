"""PDF slots: a bound on the PDF downloads one process works on at once."""

from __future__ import annotations

import threading

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app import errors, i18n
from app.reports.errors import RendersBusy


class PdfSlots:
    """At most `slots` PDF downloads at once in this process; the next get a 503 at once (with
    Retry-After), before they take a thread or a database connection. A download that renders waits on
    the render process holding a thread of the pool every request needs, and holds a database connection
    while its document is built: unbounded, some forty requests for one slow PDF took every thread, the
    requests holding connections found no thread to go on with, and every page failed on the pool."""

    def __init__(self, app: ASGIApp, *, slots: int) -> None:
        self.app = app
        self.slots = slots
        self._busy = 0
        self._lock = threading.Lock()  # one count for the process, whatever thread or loop asks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.slots <= 0 or scope["type"] != "http" or not scope["path"].endswith(".pdf"):
            await self.app(scope, receive, send)
            return
        with self._lock:
            admitted = self._busy < self.slots
            self._busy += admitted
        if not admitted:
            await self._refuse(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self._busy -= 1

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        i18n.current_locale.set(request.state.locale)  # ShellMiddleware's, from the cookie or the browser
        detail = i18n.gettext(RendersBusy.message)
        response = errors.problem(request, 503, detail, retry_after=RendersBusy.retry_after)
        await response(scope, receive, send)
