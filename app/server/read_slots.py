"""Read slots: a few reading requests at a time per event loop, and changes go first."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit.http import SAFE_METHODS
from app.server.priority import ChangesInFlight


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
        if scope["method"] not in SAFE_METHODS:
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
