"""Test helpers for the changes-go-first mechanism (app/server/priority.py): a change held in flight for a
while or until work has begun, and work run off any event loop, as the app's worker threads run it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from app.server.priority import ChangesInFlight

T = TypeVar("T")


def during_a_change(changes: ChangesInFlight, seconds: float) -> threading.Thread:
    """A change in flight for `seconds` (already counted when this returns); join the thread after."""
    begun = threading.Event()

    def change() -> None:
        with changes.change():
            begun.set()
            time.sleep(seconds)

    thread = threading.Thread(target=change)
    thread.start()
    begun.wait()
    return thread


def outlasts_a_change(
    changes: ChangesInFlight, work: Callable[[Callable[[], None]], T], hold: float
) -> tuple[bool, T]:
    """Run `work` on a thread of its own while a change is in flight, the change ending `hold` seconds
    after `work` calls the function it is given (just before the point where it should give way).
    Whether `work` finished only after the change had ended, and its result. Timed from `work`'s own
    signal, not from the change's start: a thread slow to start under load would otherwise find the
    change nearly over and seem not to have waited."""
    holding, release, begun = threading.Event(), threading.Event(), threading.Event()
    finished: list[float] = []

    def change() -> None:
        with changes.change():
            holding.set()
            release.wait()

    def run() -> None:
        try:
            out.append(work(begun.set))
        except BaseException as error:  # raised again below, in the test's own thread
            failed.append(error)
        finished.append(time.perf_counter())

    out: list[T] = []
    failed: list[BaseException] = []
    changing, working = threading.Thread(target=change), threading.Thread(target=run)
    changing.start()
    holding.wait()
    working.start()
    begun.wait(10)
    time.sleep(hold)
    released = time.perf_counter()
    release.set()
    working.join()
    changing.join()
    if failed:
        raise failed[0]
    return finished[0] >= released, out[0]


def off_the_loop(work: Callable[[], T]) -> T:
    """`work` on a thread of its own: nothing gives way on a thread with a running event loop, and a
    browser test may have left one running on this one (Playwright's sync API)."""
    out: list[T] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    return out[0]
