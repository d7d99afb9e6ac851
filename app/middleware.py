"""Pure-ASGI middleware: what every response needs (security headers, the CSRF cookie and the first
guess at the locale, which the signed-in user's setting refines later), the read slots, and the cap on
request bodies."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from http.cookies import SimpleCookie

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import errors, i18n
from app.auth import csrf
from app.kit.priority import ChangesInFlight
from app.reports.errors import RendersBusy, ReportInDemand

LANGUAGE_COOKIE = "hoshin_lang"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# What a signed-in person sees (pages, fragments, PDFs, exports) is never kept by the browser: after
# sign-out, Back must not show it again. Set here, where the request's user is known, over any route's.
NO_STORE = "no-store"


class ShellMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = request.cookies.get(csrf.COOKIE)
        new_token = None if token else csrf.new_token()
        state = scope.setdefault("state", {})
        state["csrf_token"] = token or new_token
        state["locale"] = i18n.negotiate(
            request.cookies.get(LANGUAGE_COOKIE), accept_language=request.headers.get("Accept-Language", "")
        )
        state["user"] = None
        i18n.current_locale.set(state["locale"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if state.get("user") is not None:
                    headers["Cache-Control"] = NO_STORE
                if new_token:
                    headers.append("Set-Cookie", self._csrf_cookie(new_token))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _csrf_cookie(self, token: str) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[csrf.COOKIE] = token
        morsel = cookie[csrf.COOKIE]
        morsel["path"] = "/"
        morsel["samesite"] = "Lax"
        morsel["httponly"] = True
        morsel["secure"] = self.https
        return morsel.OutputString()


class ReadSlots:
    """At most `slots` reading requests run at once; the others wait their turn, first come first served.

    Pages spend their time in Python, under one GIL: forty at once each take about forty times as long,
    and a save holding SQLite's write gate gets a fortieth of the interpreter while every other save
    waits behind it. With a few slots a page takes its own time plus its wait, and changes, which skip
    the slots, keep their share. Static files, health checks and PDF downloads (they wait on the render
    process, not on this one) skip them too.

    Changes go first: while one is in flight no new page goes in (for at most MAX_HOLD), so a save shares
    the interpreter only with the pages already running. Saves are a few milliseconds and people wait on
    them as they type; a page waiting a few more milliseconds goes unnoticed.
    """

    SKIP_PREFIXES = ("/static/", "/healthz", "/readyz")
    MAX_HOLD = 0.2  # seconds a read waits for changes to finish before it goes in anyway (no starving)

    def __init__(self, app: ASGIApp, *, slots: int, changes: ChangesInFlight | None = None) -> None:
        self.app = app
        self.slots = slots
        self.changes = changes or ChangesInFlight()  # shared with the readers' sessions (create_app)
        # one door per event loop: an asyncio primitive belongs to the loop it first waits on
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Door]
        self._per_loop = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = self._kind(scope)
        if kind == "other":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        door = self._per_loop.get(loop)
        if door is None:
            door = self._per_loop[loop] = _Door(self.slots)
        if kind == "change":
            with door.change(), self.changes.change():
                await self.app(scope, receive, send)
            return
        await door.no_changes(self.MAX_HOLD)
        async with door.slots:
            await self.app(scope, receive, send)

    def _kind(self, scope: Scope) -> str:
        if self.slots <= 0 or scope["type"] != "http":
            return "other"
        if scope["method"] not in csrf.SAFE_METHODS:
            return "change"
        path: str = scope["path"]
        return "other" if path.startswith(self.SKIP_PREFIXES) or path.endswith(".pdf") else "read"


class _Door:
    """The read slots of one event loop, and the changes in flight that reads let go first."""

    def __init__(self, slots: int) -> None:
        self.slots = asyncio.Semaphore(slots)
        self._changes = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextmanager
    def change(self) -> Iterator[None]:
        self._changes += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._changes -= 1
            if not self._changes:
                self._idle.set()

    async def no_changes(self, timeout: float) -> None:
        """Wait until no change is in flight, or `timeout` seconds."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)


class BodyLimit:
    """Refuses a request body larger than its path allows with 413, before it is read into memory: at
    once when Content-Length says so, else as the streamed bytes pass the limit."""

    def __init__(self, app: ASGIApp, *, limit: int, larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = dict(larger or {})  # path → its own limit (uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            response = errors.problem(Request(scope), 413, errors.body_too_large(limit))
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:  # FastAPI passes an HTTPException from reading the body on to its handler
                raise errors.BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


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
