"""Periodic syncs on PostgreSQL: two replicas, each with a procrastinate worker of its own (own engine,
own connections), against one database, syncing real local Git repositories with the real adapter. The
replicas' periodic deferrers are driven with explicit tick times, so nothing depends on the clock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import procrastinate
import pytest
from procrastinate.periodic import PeriodicDeferrer
from sqlalchemy import Engine, make_url, select, text

from app import migrate
from app.config import Settings
from app.db import make_engine, make_session_factory, session_scope
from app.models import Organisation, Source, SyncRun
from app.signals import sync, tasks
from tests import factories
from tests.conftest import reset_database, run_coroutine
from tests.signals.conftest import SECRET
from tests.signals.git_repos import Repo

TICK = 1_800_000_000 // 3600 * 3600  # a whole hour (2027-01-15 08:00 UTC): a tick of a 60-minute interval


@pytest.fixture
def database(database_url: str) -> Iterator[str]:
    """A committed database of its own (workers commit, and see each other's commits)."""
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "procrastinate runs on PostgreSQL: runs when HOSHIN_TEST_DATABASE_URL is set (CI sets it)"
        )
    url = make_url(database_url)
    own = url.set(database=f"{url.database}_worker").render_as_string(hide_password=False)
    reset_database(own)
    migrate.upgrade(own)
    return own


def _sources(engine: Engine, root: Path, count: int) -> list[int]:
    ids = []
    with session_scope(make_session_factory(engine)) as session:
        organisation = Organisation(name="Worker Org")
        session.add(organisation)
        session.flush()
        team = factories.team(session, organisation, "workers")
        for n in range(count):
            repo = Repo.create(root / f"repo-{n}")
            repo.commit("Start", datetime(2026, 11, 1, tzinfo=UTC), files={"README.md": "hi"})
            row = Source(team_id=team.id, kind="git", name=f"repo-{n}", url=str(repo.path), branch="main")
            session.add(row)
            session.flush()
            ids.append(row.id)
    return ids


def _replica(database: str, tmp_path: Path, name: str) -> tuple[procrastinate.App, Engine]:
    """What one replica's `hoshin worker` builds: its own engine, sync context and procrastinate app."""
    settings = Settings(var_dir=tmp_path / name, database_url=database, git_allowed_root=tmp_path / "repos")
    engine = make_engine(database)
    context = sync.context_for(settings, engine, secret_key=SECRET)
    # max_delay 0: the workers' own deferrers skip the wall clock's ticks; the test gives the ticks
    return tasks.make_queue(database, context=context, interval_minutes=60, max_delay=0), engine


async def _tick(replicas: list[procrastinate.App], timestamp: int) -> None:
    """Every replica's periodic deferrer fires for the same tick, as they do in production."""
    for queue in replicas:
        await _fire(queue, tasks.SYNC_ALL, timestamp)


async def _fire(queue: procrastinate.App, task_name: str, timestamp: int) -> None:
    """The periodic deferrer firing `task_name`'s tick at `timestamp`."""
    [periodic_task] = [p for p in queue.periodic_registry.periodic_tasks.values() if p.task.name == task_name]
    await PeriodicDeferrer(registry=queue.periodic_registry).defer_jobs([(periodic_task, timestamp)])


def _unfinished(engine: Engine) -> int:
    with engine.connect() as connection:
        query = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
        return int(connection.scalar(text(query)) or 0)


async def _work(replicas: list[procrastinate.App], engine: Engine) -> None:
    """Run both workers until the queue is empty, then stop them."""
    workers = [
        asyncio.create_task(
            queue.run_worker_async(
                name=f"replica-{n}",
                install_signal_handlers=False,
                listen_notify=False,
                fetch_job_polling_interval=0.05,
            )
        )
        for n, queue in enumerate(replicas)
    ]
    deadline = time.monotonic() + 600  # a bound for a hang: syncs run at idle priority (slow when busy)
    while await asyncio.to_thread(_unfinished, engine) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    for worker in workers:
        worker.cancel()
    await asyncio.gather(*workers, return_exceptions=True)


def test_two_replicas_workers_sync_each_source_once_per_interval_and_never_twice_at_once(
    database: str, tmp_path: Path
) -> None:
    replicas_engines = [_replica(database, tmp_path, name) for name in ("a", "b")]
    replicas = [queue for queue, _ in replicas_engines]
    engine = replicas_engines[0][1]
    ids = _sources(engine, tmp_path / "repos", 3)

    async def scenario() -> None:
        async with replicas[0].open_async(), replicas[1].open_async():
            for timestamp in (TICK, TICK + 3600):
                await _tick(replicas, timestamp)
                await _tick(replicas, timestamp)  # a deferrer that fires twice changes nothing
                await _work(replicas, engine)

    run_coroutine(scenario())
    with session_scope(make_session_factory(engine)) as session:
        runs = (
            session.execute(select(SyncRun).order_by(SyncRun.source_id, SyncRun.started_at)).scalars().all()
        )
        by_source = {i: [r for r in runs if r.source_id == i] for i in ids}
        assert {i: [r.status for r in rs] for i, rs in by_source.items()} == {i: ["ok", "ok"] for i in ids}
        for rs in by_source.values():
            first, second = rs
            assert first.finished_at is not None
            assert first.finished_at <= second.started_at
    with engine.connect() as connection:
        jobs = connection.execute(
            text("SELECT task_name, lock, status FROM procrastinate_jobs ORDER BY id")
        ).all()
    sweeps = [job for job in jobs if job.task_name == tasks.SYNC_ALL]
    syncs = [job for job in jobs if job.task_name == tasks.SYNC_SOURCE]
    assert [job.status for job in sweeps] == ["succeeded", "succeeded"]  # one per tick, not one per replica
    assert sorted(job.lock for job in syncs) == sorted(f"source-{i}" for i in ids for _ in range(2))
    assert {job.status for job in syncs} == {"succeeded"}
    for _, replica_engine in replicas_engines:
        replica_engine.dispose()


def test_a_source_waiting_to_sync_is_queued_once_however_often_it_is_asked(
    database: str, tmp_path: Path
) -> None:
    queue, engine = _replica(database, tmp_path, "a")
    (source_id,) = _sources(engine, tmp_path / "repos", 1)

    async def ask_three_times() -> list[bool]:
        async with queue.open_async():
            return [await tasks.enqueue(queue, source_id=source_id) for _ in range(3)]

    assert run_coroutine(ask_three_times()) == [True, False, False]
    assert _unfinished(engine) == 1
    engine.dispose()


def test_finished_jobs_older_than_a_week_are_removed_once_a_day(database: str, tmp_path: Path) -> None:
    queue, engine = _replica(database, tmp_path, "a")
    (source_id,) = _sources(engine, tmp_path / "repos", 1)

    async def sync_then_clean() -> None:
        async with queue.open_async():
            await tasks.enqueue(queue, source_id=source_id)
            await _work([queue], engine)
            with engine.begin() as connection:  # the first sync's job finished eight days ago
                connection.execute(text("UPDATE procrastinate_events SET at = at - interval '8 days'"))
            await tasks.enqueue(queue, source_id=source_id)
            await _work([queue], engine)
            await _fire(queue, tasks.REMOVE_OLD_JOBS, int(time.time()))
            await _work([queue], engine)

    run_coroutine(sync_then_clean())
    with engine.connect() as connection:
        left = connection.execute(text("SELECT task_name, status FROM procrastinate_jobs ORDER BY id")).all()
    engine.dispose()
    # the old sync's job is gone; the recent one and the clean-up itself stay
    assert [tuple(row) for row in left] == [
        (tasks.SYNC_SOURCE, "succeeded"),
        (tasks.REMOVE_OLD_JOBS, "succeeded"),
    ]
