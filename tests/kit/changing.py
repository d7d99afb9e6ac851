"""Test helpers for the changes-go-first mechanism (app/kit/priority.py): a change held in flight for a
while, and work run off any event loop, as the app's worker threads run it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from app.kit.priority import ChangesInFlight

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


def off_the_loop(work: Callable[[], T]) -> T:
    """`work` on a thread of its own: nothing gives way on a thread with a running event loop, and a
    browser test may have left one running on this one (Playwright's sync API)."""
    out: list[T] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    return out[0]
