"""Syncing a source: signals stored as a time series, state carried over, failures that keep the last
good signals, one sync per source at a time, credentials encrypted at rest."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import Session

from app import migrate
from app.config import Settings
from app.db import make_engine, make_write_session_factory, session_scope
from app.kit.time import utcnow
from app.models import SignalValue, Source, SyncRun
from app.signals import outbound, secrets, service, sync
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from tests import factories
from tests.assessments.test_queries import counting
from tests.conftest import reset_database
from tests.factories import Org
from tests.signals.conftest import SECRET, Script, failing, source


def _runs(db: Session, source_id: int) -> list[SyncRun]:
    db.expire_all()
    return list(db.scalars(select(SyncRun).where(SyncRun.source_id == source_id).order_by(SyncRun.id)))


def test_a_sync_stores_the_signals_the_state_and_the_counts(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    outcome = sync.sync_source(context, source_id=row.id)
    assert outcome.status == "ok"
    assert outcome.counts == {"commits": 3, "signals": 2}
    [run] = _runs(db, row.id)
    assert (run.status, run.counts, run.error_kind) == ("ok", {"commits": 3, "signals": 2}, None)
    assert run.finished_at is not None
    assert run.duration_ms is not None
    latest = service.latest_signals(db, source_ids=[row.id])[row.id]
    assert [(s.key, s.value, s.unit) for s in latest] == [
        ("git.ci.configured", 1.0, "bool"),
        ("git.commits.per_week", 12.5, "per_week"),
    ]
    assert db.get(Source, row.id).state == {"syncs": 1}  # type: ignore[union-attr]


def test_the_next_sync_is_given_the_state_the_last_one_returned_and_adds_a_point_to_the_series(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    sync.sync_source(context, source_id=row.id)
    fake.signals = [Signal("git.ci.configured", 0, "bool")]
    sync.sync_source(context, source_id=row.id)
    assert fake.states == [None, {"syncs": 1}]
    history = db.scalars(select(SignalValue.value).where(SignalValue.key == "git.ci.configured")).all()
    assert sorted(history) == [0.0, 1.0]  # both syncs' values are kept
    latest = service.latest_signals(db, source_ids=[row.id])[row.id]
    assert [(s.key, s.value) for s in latest] == [("git.ci.configured", 0.0)]


def test_a_failed_sync_records_why_and_keeps_the_last_good_signals(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    sync.sync_source(context, source_id=row.id)
    fake.error = failing("unauthorised", "401 from https://git.example.com")
    outcome = sync.sync_source(context, source_id=row.id)
    assert (outcome.status, outcome.error_kind) == ("failed", "unauthorised")
    good, bad = _runs(db, row.id)
    assert (bad.status, bad.error_kind, bad.error_message) == (
        "failed",
        "unauthorised",
        "401 from https://git.example.com",
    )
    [status] = service.team_sources(db, team_id=org.team.id)
    assert status.last_run is not None
    assert status.last_run.id == bad.id
    assert status.last_good is not None
    assert status.last_good.id == good.id
    assert [s.key for s in status.signals] == ["git.ci.configured", "git.commits.per_week"]
    assert db.get(Source, row.id).state == {"syncs": 1}  # type: ignore[union-attr]  # not advanced


def test_an_adapter_that_crashes_fails_the_run_instead_of_leaving_it_running(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    fake.error = RuntimeError("bug in the adapter")
    outcome = sync.sync_source(context, source_id=row.id)
    assert (outcome.status, outcome.error_kind) == ("failed", "internal")
    assert (
        sync.sync_source(context, source_id=row.id).status == "failed"
    )  # not "busy": nothing is left running


def test_two_syncs_of_one_source_at_once_run_it_once(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    fake.hold = threading.Event()
    first: list[sync.Outcome] = []
    worker = threading.Thread(target=lambda: first.append(sync.sync_source(context, source_id=row.id)))
    worker.start()
    try:
        assert fake.entered.wait(30)  # the first sync is inside the adapter now
        second = sync.sync_source(context, source_id=row.id)
    finally:
        fake.hold.set()
        worker.join(30)
    assert second.status == "busy"
    assert first[0].status == "ok"
    assert len(fake.configs) == 1
    assert [r.status for r in _runs(db, row.id)] == ["ok"]


def test_a_run_left_running_by_a_dead_process_does_not_block_syncs_for_ever(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.add(
        SyncRun(source_id=row.id, started_at=utcnow() - service.STALE_RUN - timedelta(minutes=1), counts={})
    )
    db.commit()
    assert sync.sync_source(context, source_id=row.id).status == "ok"


def test_credentials_are_encrypted_at_rest_and_reach_the_adapter_decrypted(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    data = service.SourceInput(
        "mlflow",
        "tracking",
        "https://mlflow.example.com",
        None,
        None,
        secrets.Credentials(token="s3cr3t-token-value"),
    )
    row = service.create_source(
        db, team_id=org.team.id, data=data, user=org.manager, secret_key=SECRET, now=utcnow()
    )
    db.commit()
    assert row.credentials is not None
    assert "s3cr3t" not in row.credentials
    sync.sync_source(context, source_id=row.id)
    assert fake.configs[0].token == "s3cr3t-token-value"
    assert "s3cr3t" not in repr(fake.configs[0])


def test_credentials_saved_under_another_secret_key_fail_the_sync_in_words(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    data = service.SourceInput(
        "mlflow",
        "tracking",
        "https://mlflow.example.com",
        None,
        None,
        secrets.Credentials(username="ci", password="pw-123456"),
    )
    row = service.create_source(
        db, team_id=org.team.id, data=data, user=org.manager, secret_key="another-" + "y" * 40, now=utcnow()
    )
    db.commit()
    outcome = sync.sync_source(context, source_id=row.id)
    assert (outcome.status, outcome.error_kind) == ("failed", "unauthorised")
    assert fake.configs == []  # the adapter was never called with wrong credentials


def test_empty_credentials_keep_the_stored_ones_and_a_new_url_starts_the_state_over(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    creds = secrets.Credentials(token="tok-1")
    data = service.SourceInput("mlflow", "tracking", "https://a.example.com", None, None, creds)
    row = service.create_source(
        db, team_id=org.team.id, data=data, user=org.manager, secret_key=SECRET, now=utcnow()
    )
    db.commit()
    sync.sync_source(context, source_id=row.id)
    db.expire_all()
    row = db.get(Source, row.id)  # type: ignore[assignment]
    moved = service.SourceInput("mlflow", "tracking", "https://b.example.com", None, None, None)
    service.update_source(db, source=row, data=moved, user=org.manager, secret_key=SECRET)
    db.commit()
    assert row.state is None
    assert secrets.decrypt(row.credentials or "", secret_key=SECRET).token == "tok-1"


def test_the_outbound_rules_come_from_the_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        var_dir=tmp_path,
        source_allowed_hosts=" MLflow.example.com, *.git.example.com ,",
        source_allow_private=True,
        git_allowed_root=tmp_path,
    )
    rules = outbound.from_settings(settings)
    assert rules.allowed_hosts == ("mlflow.example.com", "*.git.example.com")
    assert rules.allow_private is True
    assert rules.allowed_root == str(tmp_path.resolve())
    empty = outbound.from_settings(Settings(var_dir=tmp_path))
    under_var = str((tmp_path / "repositories").resolve())
    assert (empty.allowed_hosts, empty.allow_private, empty.allowed_root) == ((), False, under_var)


def test_a_teams_sources_take_the_same_queries_for_one_source_as_for_many(
    db: Session, org: Org, fake: Script, context: Context, engine: Engine
) -> None:
    counts = []
    for n in (1, 4):
        for i in range(n):
            row = source(db, org.team, name=f"repo-{n}-{i}")
            db.commit()
            sync.sync_source(context, source_id=row.id)
        with counting(engine) as statements:
            service.team_sources(db, team_id=org.team.id)
        counts.append(len([s for s in statements if s.startswith("SELECT")]))
    assert counts[0] == counts[1] == 4, counts  # sources, last runs, last good runs, their signals


def test_on_postgresql_a_second_claim_skips_the_locked_source_instead_of_syncing_it_twice(
    database_url: str,
) -> None:
    """Two processes claiming one source at once: the row lock (SKIP LOCKED) lets exactly one through,
    even before the first claim is committed. Sessions of their own, on a database of their own."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's row lock: runs when HOSHIN_TEST_DATABASE_URL is set (CI sets it)")
    url = make_url(database_url)
    own = url.set(database=f"{url.database}_locks").render_as_string(hide_password=False)
    reset_database(own)
    migrate.upgrade(own)
    engine = make_engine(own)
    factory = make_write_session_factory(engine)
    try:
        with session_scope(factory) as setup:
            source_id = source(setup, factories.org(setup).team).id
        first, second = factory(), factory()
        assert service.claim(first, source_id=source_id, now=utcnow()) is not None  # not committed yet
        assert service.claim(second, source_id=source_id, now=utcnow()) is None  # locked: skipped
        second.rollback()
        first.commit()
        assert service.claim(second, source_id=source_id, now=utcnow()) is None  # the run is running
        first.close()
        second.close()
    finally:
        engine.dispose()
