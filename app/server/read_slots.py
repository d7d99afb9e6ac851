"""Read slots: a few reading requests at a time per event loop, and changes go first."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit.http import SAFE_METHODS
from app.server.priority import counted_until_answered


class ReadSlots:
    """At most `slots` reading requests run at once; the others wait their turn, first come first served.
    Changes, static files, health checks and PDF downloads skip the slots, and while a change is in
    flight no new page goes in (for at most MAX_HOLD). Why: docs/performance.md, "read_slots"."""

    SKIP_PREFIXES = ("/static/", "/healthz", "/readyz")
    MAX_HOLD = 0.2  # seconds a read waits for changes to finish before it goes in anyway (no starving)

    def __init__(self, app: ASGIApp, *, slots: int) -> None:
        self.app = app
        self.slots = slots
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
            await counted_until_answered(self.app, scope, receive, send, door.change())
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
