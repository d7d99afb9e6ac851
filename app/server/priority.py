"""Changes first: reading requests give way to the changes in flight at each query they make."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

import jinja2
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.http import SAFE_METHODS

_LEFT = "hoshin_give_way_left"  # session.info: seconds this session may still wait


class ChangesInFlight:
    """How many changing requests this process is serving; readers may wait until there are none, so
    that a save does not share the interpreter with the pages beside it (docs/performance.md,
    "give_way"). A reader waits `PAUSE` seconds at most in all, however long the change."""

    PAUSE = 0.05  # seconds a reading session waits at most, over all its queries

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()
        self._none = threading.Event()
        self._none.set()

    @contextmanager
    def change(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
            self._none.clear()
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1
                if not self._count:
                    self._none.set()

    @property
    def in_flight(self) -> int:
        """How many changes are being served now."""
        return self._count

    def give_way(self, most: float) -> float:
        """Wait while changes are in flight, for at most `most` seconds; how long it waited.

        Never on an event loop's thread (an error page rendered by an async handler, say): the changes
        finish on that loop, so waiting there would only stall every request for the whole `most`.
        """
        if self._none.is_set() or _on_event_loop():
            return 0.0
        started = time.perf_counter()
        self._none.wait(most)
        return time.perf_counter() - started

    def giving_way(self, chunks: Iterable[str], every: int = 16) -> Iterator[str]:
        """`chunks` (a template rendering, say), waiting while changes are in flight every `every` of
        them, `PAUSE` seconds at most in all: a page spends most of its time in its template, where it
        makes no query to wait at."""
        left = self.PAUSE  # for this rendering, apart from what its session's queries waited
        for n, chunk in enumerate(chunks):
            if left > 0 and not n % every:
                left -= self.give_way(left)
            yield chunk

    def make_readers_give_way(self, factory: sessionmaker[Session]) -> None:
        """Every query of a session from `factory` gives way first, within the session's PAUSE."""

        def before_query(state: ORMExecuteState) -> None:
            info = state.session.info
            left = info.get(_LEFT, self.PAUSE)
            if left > 0:
                info[_LEFT] = left - self.give_way(left)

        event.listen(factory, "do_orm_execute", before_query)


class CountChanges:
    """Middleware: every changing request (not GET, HEAD, OPTIONS) counts as in flight while it runs."""

    def __init__(self, app: ASGIApp, *, changes: ChangesInFlight) -> None:
        self.app = app
        self.changes = changes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        await counted_until_answered(self.app, scope, receive, send, self.changes.change())


async def counted_until_answered(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, counting: AbstractContextManager[None]
) -> None:
    """Run `app` inside `counting` until its answer's last byte is sent, not until it returns: the
    background tasks a route leaves (a source's sync, minutes long) run inside the app's call, and pages
    must not give way to them."""
    with ExitStack() as stack:
        stack.enter_context(counting)

        async def send_then_stop_counting(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                stack.close()

        await app(scope, receive, send_then_stop_counting)


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class GivingWayTemplate(jinja2.Template):
    """A template that, rendering for a reading request, gives way to the changes in flight (when the
    app has a ChangesInFlight in app.state.changes): a page's thread spends most of its time here."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if self.environment.is_async:
            return super().render(*args, **kwargs)
        context = self.new_context(dict(*args, **kwargs))
        try:
            chunks = self.root_render_func(context)
            request = context.get("request")
            changes = getattr(request.app.state, "changes", None) if request is not None else None
            if isinstance(changes, ChangesInFlight) and request.method in SAFE_METHODS:
                chunks = changes.giving_way(chunks)
            return self.environment.concat(chunks)
        except Exception:
            self.environment.handle_exception()
