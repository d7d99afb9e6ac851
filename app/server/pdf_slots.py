"""PDF slots: a bound on the PDF downloads one process works on at once."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import Counter

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app import errors, i18n
from app.reports.errors import ReaderBusy, RendersBusy, ReportInDemand

Refusal = type[RendersBusy | ReportInDemand | ReaderBusy]
# Seconds a download waits for a slot before it is refused, looking every POLL seconds. A download the
# cache answers takes a slot for some tens of milliseconds: without the wait, four people opening one
# cached report at the same moment had the fourth refused. A slot held by a render stays held for
# seconds, so beyond a bound the refusal still comes in a second, and a waiting download holds neither
# a thread nor a database connection (nothing of the route has run).
GRACE = 1.0
POLL = 0.02


class PdfSlots:
    """At most `slots` PDF downloads at once in this process, at most `per_document` of one document
    (one path, whatever its query) and at most `per_reader` of one reader (one sign-in: the session
    cookie `reader_cookie` or an Authorization header; else one address); the next wait for a slot for
    `grace` seconds at most, then get a 503 (with Retry-After), before they take a thread or a database
    connection.

    A download that renders waits on the render process holding a thread of the pool every request
    needs, and holds a database connection while its document is built: unbounded, some forty requests
    for one slow PDF took every thread, the requests holding connections found no thread to go on with,
    and every page failed on the pool. Readers of one document share one render, so more of them waiting
    adds nothing but would leave other documents no slot. Without `per_reader`, one person asking for
    every report at once filled every slot, and other people's downloads were refused until theirs were
    done. (A reader is a sign-in, not a person: the person is known only once their session is read from
    the database, which is what the slots keep the refused from reaching; someone signed in several
    times gets `per_reader` slots in each, and `slots` still bounds the whole.)"""

    def __init__(
        self,
        app: ASGIApp,
        *,
        slots: int,
        per_document: int = 3,
        per_reader: int = 3,
        reader_cookie: str = "",
        grace: float | None = None,
    ) -> None:
        self.app = app
        self.grace = GRACE if grace is None else grace
        self.slots = slots
        self.per_document = per_document
        self.per_reader = per_reader
        self.reader_cookie = reader_cookie
        self._busy = 0
        self._per_path: Counter[str] = Counter()
        self._per_reader: Counter[str] = Counter()
        self._lock = threading.Lock()  # one count for the process, whatever thread or loop asks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.slots <= 0 or scope["type"] != "http" or not scope["path"].endswith(".pdf"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        reader = self._reader(Request(scope))
        deadline = time.monotonic() + self.grace
        while (refusal := self._enter(path, reader)) is not None and time.monotonic() < deadline:
            await asyncio.sleep(POLL)
        if refusal is not None:
            await self._refuse(scope, receive, send, refusal)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self._busy -= 1
                _take(self._per_path, path)
                _take(self._per_reader, reader)

    def _enter(self, path: str, reader: str) -> Refusal | None:
        """Take a slot, or say why not."""
        with self._lock:
            refusal = self._refusal(path, reader)
            if refusal is None:
                self._busy += 1
                self._per_path[path] += 1
                self._per_reader[reader] += 1
            return refusal

    def _reader(self, request: Request) -> str:
        """Who asks, as a digest (the counts hold no credential): their sign-in, else their address."""
        signed_in = request.cookies.get(self.reader_cookie) or request.headers.get("Authorization")
        address = request.client.host if request.client else ""
        who = f"sign-in {signed_in}" if signed_in else f"address {address}"
        return hashlib.blake2b(who.encode(), digest_size=16).hexdigest()

    def _refusal(self, path: str, reader: str) -> Refusal | None:
        if self._busy >= self.slots:
            return RendersBusy
        if self._per_path[path] >= self.per_document:
            return ReportInDemand
        return ReaderBusy if self.per_reader and self._per_reader[reader] >= self.per_reader else None

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, refusal: Refusal) -> None:
        request = Request(scope)
        i18n.current_locale.set(request.state.locale)  # ShellMiddleware's, from the cookie or the browser
        detail = i18n.gettext(refusal.message)
        response = errors.problem(request, 503, detail, retry_after=refusal.retry_after)
        await response(scope, receive, send)


def _take(counts: Counter[str], key: str) -> None:
    counts[key] -= 1
    if not counts[key]:
        del counts[key]
