"""Periodic syncs on the embedded SQLite database: `hoshin serve` runs them itself, one at a time, on a
thread of its own. (On PostgreSQL the `hoshin worker` processes do, as procrastinate jobs: tasks.py.)"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from app.db import session_scope
from app.signals import service, sync
from app.signals.sync import Context, Outcome

log = logging.getLogger("hoshin.signals")

# How often the thread looks for due sources: a source is synced at most this late.
POLL = timedelta(minutes=1)


def due(context: Context, *, interval: timedelta) -> list[int]:
    """The enabled sources not synced for `interval` (by context.clock), oldest first."""
    with session_scope(context.reader) as session:
        return service.due_source_ids(session, now=context.clock(), interval=interval)


def sync_due(context: Context, *, interval: timedelta, stop: threading.Event | None = None) -> list[Outcome]:
    """Sync the due sources one after the other (until `stop` is set), as the sync task does on PostgreSQL."""
    outcomes = []
    for source_id in due(context, interval=interval):
        if stop is not None and stop.is_set():
            break
        outcomes.append(sync.sync_source(context, source_id=source_id))
        log.info("periodic %s", sync.describe(outcomes[-1]))
    return outcomes


class Scheduler:
    """A daemon thread that syncs due sources every POLL (or interval, if shorter) until stop()."""

    def __init__(self, context: Context, *, interval: timedelta, poll: timedelta = POLL) -> None:
        self.context, self.interval = context, interval
        self.poll = min(poll, interval).total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hoshin-sync-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, wait: float = 1.0) -> None:
        """Stop looking for due sources; a sync under way is left to finish (or to die with the process)."""
        self._stop.set()
        self._thread.join(wait)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sync_due(self.context, interval=self.interval, stop=self._stop)
            except Exception:  # a database hiccup must not end periodic syncs for good
                log.exception("periodic syncs: looking for due sources failed")
            self._stop.wait(self.poll)
