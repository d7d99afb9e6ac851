"""PDF slots: a bound on the PDF downloads one process works on at once."""

from __future__ import annotations

import threading
from collections import Counter

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app import errors, i18n
from app.reports.errors import RendersBusy, ReportInDemand


class PdfSlots:
    """At most `slots` PDF downloads at once in this process, and at most `per_document` of one document
    (one path, whatever its query); the next get a 503 at once (with Retry-After), before they take a
    thread or a database connection. A download that renders waits on the render process holding a
    thread of the pool every request needs, and holds a database connection while its document is built:
    unbounded, some forty requests for one slow PDF took every thread, the requests holding connections
    found no thread to go on with, and every page failed on the pool. Readers of one document share one
    render, so more of them waiting adds nothing but would leave other documents no slot."""

    def __init__(self, app: ASGIApp, *, slots: int, per_document: int = 3) -> None:
        self.app = app
        self.slots = slots
        self.per_document = per_document
        self._busy = 0
        self._per_path: Counter[str] = Counter()
        self._lock = threading.Lock()  # one count for the process, whatever thread or loop asks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.slots <= 0 or scope["type"] != "http" or not scope["path"].endswith(".pdf"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        with self._lock:
            refusal = self._refusal(path)
            if refusal is None:
                self._busy += 1
                self._per_path[path] += 1
        if refusal is not None:
            await self._refuse(scope, receive, send, refusal)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self._busy -= 1
                self._per_path[path] -= 1
                if not self._per_path[path]:
                    del self._per_path[path]

    def _refusal(self, path: str) -> type[RendersBusy | ReportInDemand] | None:
        if self._busy >= self.slots:
            return RendersBusy
        return ReportInDemand if self._per_path[path] >= self.per_document else None

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, refusal: type[RendersBusy | ReportInDemand]
    ) -> None:
        request = Request(scope)
        i18n.current_locale.set(request.state.locale)  # ShellMiddleware's, from the cookie or the browser
        detail = i18n.gettext(refusal.message)
        response = errors.problem(request, 503, detail, retry_after=refusal.retry_after)
        await response(scope, receive, send)
