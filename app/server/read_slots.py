"""Read slots: a few reading requests at a time per event loop, and changes go first."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress

from starlette.types import ASGIApp, Receive, Scope, Send

from app.kit.http import SAFE_METHODS
from app.server.priority import counted_until_answered


class ReadSlots:
    """At most `slots` reading requests run at once; the others wait their turn, first come first served.
    Static files, health checks and PDF downloads skip the slots. Changes skip them too while the queue is
    short, and while such a change is in flight no new page goes in (for at most MAX_HOLD); once more than
    CROWD pages per slot wait (the process is overloaded), a change queues like a page, so that no kind
    of request starves. Why: docs/performance.md, "read_slots"."""

    SKIP_PREFIXES = ("/static/", "/healthz", "/readyz")
    MAX_HOLD = 0.2  # seconds a read waits for changes to finish before it goes in anyway (no starving)
    CROWD = 4  # pages waiting per slot beyond which changes queue too

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
        if kind == "change" and not door.crowded(self.CROWD):
            await counted_until_answered(self.app, scope, receive, send, door.change())
            return
        if kind == "read":
            await door.no_changes(self.MAX_HOLD)
        async with door.turn():
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
        self.size = slots
        self.slots = asyncio.Semaphore(slots)
        self.waiting = 0  # requests waiting for a slot
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

    def crowded(self, per_slot: int) -> bool:
        """Whether more than `per_slot` requests per slot are waiting for one."""
        return self.waiting > per_slot * self.size

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """A slot, in the order asked for."""
        self.waiting += 1
        try:
            await self.slots.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self.slots.release()

    async def no_changes(self, timeout: float) -> None:
        """Wait until no change is in flight, or `timeout` seconds."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
