"""Periodic syncs on PostgreSQL, as procrastinate jobs run by `hoshin worker` (any number, on any host).

Each interval one worker's periodic deferrer enqueues `sync_all` (the database lets one enqueue per tick
through, however many workers there are); it enqueues one `sync_source` job per enabled source. A job
for a source holds lock "source-N" (no two of its jobs run at once) and queueing lock "source-N" (one
waits at most: ticks never pile up behind a slow source). Unreachable or slow sources are retried.
Once a day `remove_old_jobs` deletes jobs finished more than a week ago, so the queue's tables stay small
(an hourly sync of 100 sources would otherwise add 2,400 rows a day for ever)."""

from __future__ import annotations

import asyncio
import logging

import procrastinate
from procrastinate import builtin_tasks
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.job_context import JobContext
from sqlalchemy import make_url

from app.db import session_scope
from app.signals import schedule, service, sync
from app.signals.sync import Context

log = logging.getLogger("hoshin.signals")

SYNC_SOURCE = "hoshin.sync_source"
SYNC_ALL = "hoshin.sync_all"
REMOVE_OLD_JOBS = "hoshin.remove_old_jobs"
KEEP_FINISHED_JOBS_HOURS = 7 * 24
TRANSIENT = frozenset({"unreachable", "timeout"})  # worth another try in a while; the rest are not


class TransientSyncFailure(Exception):
    """The source could not be reached or did not answer in time: the job is tried again later."""


# Three more tries, 8 s, about 1 min and about 8.5 min after the failures (wait = 8 ** (attempt + 1)).
RETRY = procrastinate.RetryStrategy(
    max_attempts=4, exponential_wait=8, retry_exceptions={TransientSyncFailure}
)


def conninfo(database_url: str) -> str:
    """psycopg's connection string for the SQLAlchemy URL (postgresql+psycopg://... -> postgresql://...)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_queue(
    database_url: str, *, context: Context, interval_minutes: int, **defaults: object
) -> procrastinate.App:
    """The procrastinate app of this installation: its two tasks, and the periodic one if interval > 0."""
    queue = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)),
        periodic_defaults=dict(defaults) or None,
    )

    @queue.task(name=SYNC_SOURCE, retry=RETRY)
    def sync_source(source_id: int) -> None:
        outcome = sync.sync_source(context, source_id=source_id)
        log.info("periodic %s", sync.describe(outcome))
        if outcome.status == "failed" and outcome.error_kind in TRANSIENT:
            raise TransientSyncFailure(sync.describe(outcome))

    @queue.task(name=SYNC_ALL, queueing_lock=SYNC_ALL)
    async def sync_all(timestamp: int) -> None:
        if not schedule.is_tick(timestamp, interval_minutes):
            return
        for source_id in await asyncio.to_thread(_enabled, context):
            await enqueue(queue, source_id=source_id)

    @queue.periodic(cron="17 3 * * *", periodic_id="clean-up")
    @queue.task(name=REMOVE_OLD_JOBS, queueing_lock=REMOVE_OLD_JOBS, pass_context=True)
    async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
        await builtin_tasks.remove_old_jobs(
            context,
            max_hours=KEEP_FINISHED_JOBS_HOURS,
            remove_failed=True,
            remove_cancelled=True,
            remove_aborted=True,
        )

    if interval_minutes > 0:
        queue.periodic(cron=schedule.cron_for(interval_minutes), periodic_id="sources")(sync_all)
    return queue


def _enabled(context: Context) -> list[int]:
    with session_scope(context.reader) as session:
        return service.team_source_ids(session, team_id=None)


async def enqueue(queue: procrastinate.App, *, source_id: int) -> bool:
    """Queue a sync of the source, unless one is waiting already (False then)."""
    name = f"source-{source_id}"
    try:
        await (
            queue.tasks[SYNC_SOURCE].configure(lock=name, queueing_lock=name).defer_async(source_id=source_id)
        )
    except AlreadyEnqueued:
        return False
    return True
