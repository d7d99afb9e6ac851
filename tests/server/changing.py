"""Test helpers for the changes-go-first mechanism (app/server/priority.py), by the order of events, never
by how long anything took: a ChangesInFlight that notes when a change goes in and out and when a reader
starts to wait for it, and work run on a thread of its own while a change is held."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from app.server.priority import ChangesInFlight


class _Noted(threading.Event):
    """The "no change in flight" event of a Recording: a reader about to wait on it is noted first."""

    def __init__(self, note: Callable[[], None]) -> None:
        super().__init__()
        self._note = note

    def wait(self, timeout: float | None = None) -> bool:
        self._note()
        return super().wait(timeout)


class Recording(ChangesInFlight):
    """ChangesInFlight with a `pause` of its own, noting "change in", "reader waits", "change out"."""

    def __init__(self, pause: float) -> None:
        super().__init__()
        self.PAUSE = pause
        self.events: list[str] = []
        self.waiting = threading.Event()
        self._none = _Noted(self._a_reader_waits)
        self._none.set()

    def _a_reader_waits(self) -> None:
        self.events.append("reader waits")
        self.waiting.set()

    @contextmanager
    def change(self) -> Iterator[None]:
        with super().change():
            self.events.append("change in")
            yield
            self.events.append("change out")  # before the readers are let go


def with_a_change(changes: Recording, work: Callable[[], object], *, until_done: bool = False) -> list[str]:
    """Run `work` on a thread of its own (nothing gives way on a thread running an event loop, and a
    browser test may have left one on this one) while a change is in flight; "work done" is noted when it
    returns. The change is let go ("change let go") once the work waits for it or is done without
    waiting; with `until_done`, only after the work is done. The events in their order."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # raised again below, in the test's own thread
            failed.append(error)
        changes.events.append("work done")

    thread = threading.Thread(target=run)
    with changes.change():
        thread.start()
        if until_done:
            thread.join()
        else:
            while not changes.waiting.wait(0.001) and thread.is_alive():
                pass  # polling for whichever comes first; nothing depends on how long it takes
        changes.events.append("change let go")
    thread.join()
    if failed:
        raise failed[0]
    return changes.events


WAITED = ["change in", "reader waits", "change let go", "change out", "work done"]
DID_NOT_WAIT = ["change in", "work done", "change let go", "change out"]
