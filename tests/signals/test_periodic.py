"""Periodic syncs on SQLite (and the default database): `hoshin serve` syncs each enabled source once per
interval, on a thread of its own, with a clock the test controls; `hoshin worker` refuses SQLite."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.models import SyncRun
from app.signals import schedule, sync
from app.signals.scheduler import Scheduler, sync_due
from app.signals.sync import Context
from tests.factories import Org
from tests.signals.conftest import Script, source

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _runs(db: Session, source_id: int) -> list[datetime]:
    db.expire_all()
    return list(db.scalars(select(SyncRun.started_at).where(SyncRun.source_id == source_id)))


def test_due_sources_are_synced_once_per_interval_and_paused_ones_never(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    active, paused = source(db, org.team, name="active"), source(db, org.team, name="paused")
    paused.enabled = False
    db.commit()
    at = dataclasses.replace
    assert [o.status for o in sync_due(at(context, clock=lambda: T0), interval=HOUR)] == ["ok"]
    assert sync_due(at(context, clock=lambda: T0 + HOUR / 2), interval=HOUR) == []
    assert sync_due(at(context, clock=lambda: T0 + HOUR - timedelta(seconds=1)), interval=HOUR) == []
    assert [o.source_id for o in sync_due(at(context, clock=lambda: T0 + HOUR), interval=HOUR)] == [active.id]
    assert len(_runs(db, active.id)) == 2
    assert _runs(db, paused.id) == []


def test_a_source_synced_by_hand_is_not_due_again_until_an_interval_later(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    late = dataclasses.replace(context, clock=lambda: T0 + 2 * HOUR)
    by_hand = dataclasses.replace(context, clock=lambda: T0 + HOUR + HOUR / 2)
    sync.sync_source(by_hand, source_id=row.id)  # what "Sync now" and `hoshin sync` run
    assert sync_due(late, interval=HOUR) == []
    assert len(_runs(db, row.id)) == 1


def test_the_servers_scheduler_thread_syncs_due_sources_and_stops_when_asked(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    scheduler = Scheduler(context, interval=HOUR)
    scheduler.start()
    assert fake.entered.wait(30), "the scheduler never synced the due source"
    scheduler.stop(wait=10)
    assert not scheduler._thread.is_alive()
    assert len(_runs(db, row.id)) == 1


@pytest.mark.parametrize(
    ("minutes", "cron"),
    [(1, "* * * * *"), (15, "*/15 * * * *"), (60, "0 * * * *"), (180, "0 */3 * * *"), (1440, "0 0 * * *")],
)
def test_an_interval_dividing_the_hour_or_the_day_fires_only_on_its_ticks(minutes: int, cron: str) -> None:
    assert schedule.cron_for(minutes) == cron


def test_another_interval_fires_each_minute_and_only_its_ticks_sync() -> None:
    assert schedule.cron_for(45) == "* * * * *"
    midnight = int(datetime(2026, 12, 6, tzinfo=UTC).timestamp())
    ticks = [m for m in range(0, 24 * 60) if schedule.is_tick(midnight + m * 60, 45)]
    assert len(ticks) in (32, 33)
    assert all(b - a == 45 for a, b in pairwise(ticks))
    assert not schedule.is_tick(midnight, 0)


def test_hoshin_worker_on_sqlite_says_workers_are_for_postgresql_and_fails(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.delenv("HOSHIN_DATABASE_URL", raising=False)
    monkeypatch.setenv("HOSHIN_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: workers are for PostgreSQL; on SQLite `hoshin serve` runs the periodic syncs itself"
    ]


def test_the_embedded_server_syncs_a_source_next_an_interval_after_its_last_sync_started() -> None:
    last = T0 - timedelta(minutes=20)
    after = schedule.next_sync(now=T0, minutes=60, last_started=last, embedded=True)
    assert after == T0 + timedelta(minutes=40)
    assert schedule.next_sync(now=T0, minutes=60, last_started=T0 - 2 * HOUR, embedded=True) == T0  # due
    assert schedule.next_sync(now=T0, minutes=60, last_started=None, embedded=True) == T0  # never synced
    assert schedule.next_sync(now=T0, minutes=0, last_started=last, embedded=True) is None  # off


def test_postgresqls_workers_sync_every_source_at_the_next_tick_of_the_interval() -> None:
    now = T0 + timedelta(minutes=7, seconds=30)
    assert schedule.next_sync(now=now, minutes=60, last_started=None, embedded=False) == T0 + HOUR
    quarter = schedule.next_sync(now=now, minutes=15, last_started=None, embedded=False)
    assert quarter == T0 + timedelta(minutes=15)
    assert schedule.next_sync(now=T0, minutes=60, last_started=None, embedded=False) == T0 + HOUR
    assert schedule.next_sync(now=now, minutes=0, last_started=None, embedded=False) is None
