"""Running a sync or a connection test: claim the source, call its adapter with no transaction open (a
slow source holds no database connection and no lock), then store the outcome in one transaction.

Used by "Sync now" (in a background task), `hoshin sync`, and later the periodic task."""

from __future__ import annotations

import fcntl
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db import make_session_factory, make_write_session_factory, session_scope
from app.kit.time import utcnow
from app.models import Source, SyncRun
from app.signals import adapters, outbound, service, sync_process
from app.signals.adapters import SourceConfig
from app.signals.adapters.base import Outbound, SyncError, SyncResult
from app.signals.secrets import UnreadableCredentials

log = logging.getLogger("hoshin.signals")

Follower = Callable[[Session, Source, SyncRun, datetime], None]
"""What else a good sync changes, in its own transaction (automatic check-ins, checklist ticks): given the
session, the source, the finished run and the time. The composition roots (app/main.py, app/cli.py)
pass `app.sync_followers.FOLLOWERS`, so signals depends on nothing that reads signals."""


class Gate(Protocol):
    """SQLite's one-writer gate (app/server/write_gate.py), handed in by the composition roots: signals
    imports nothing of the server, whose PDF slots import the reports that read signals."""

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool: ...

    def release(self) -> None: ...


@dataclass(frozen=True)
class Context:
    """What a sync needs from the installation."""

    factory: sessionmaker[Session]  # sessions whose transactions may write
    secret_key: str
    outbound: Outbound
    cache_dir: Path  # git clones go under it
    gate: Gate | None = None  # SQLite's one-writer gate, taken around each write
    clock: Callable[[], datetime] = field(default=utcnow)
    # sessions for reading (on SQLite a plain BEGIN, not queued behind writers); None: `factory`
    reads: sessionmaker[Session] | None = None
    followers: tuple[Follower, ...] = ()
    # a command someone waits for (hoshin sync, hoshin demo): the adapter runs in this process at its
    # priority, not in the background sync process that yields every cycle to other work
    foreground: bool = False

    @property
    def reader(self) -> sessionmaker[Session]:
        return self.reads or self.factory


@dataclass(frozen=True)
class Outcome:
    """How one sync of one source went, for the CLI and logs (never holding a credential)."""

    source_id: int
    name: str
    status: str  # ok, failed, busy (another sync of it is running), missing
    counts: dict[str, int]
    duration_ms: int
    error_kind: str | None = None
    message: str | None = None


@contextmanager
def writing(context: Context) -> Iterator[Session]:
    """One write transaction, behind the write gate on SQLite."""
    if context.gate is not None:
        context.gate.acquire()
    try:
        with session_scope(context.factory) as session:
            yield session
    finally:
        if context.gate is not None:
            context.gate.release()


def start(context: Context, *, source_id: int) -> int | None:
    """Claim the source in a transaction of its own: the new run's id, or None if one is running."""
    with writing(context) as session:
        run = service.claim(session, source_id=source_id, now=context.clock())
        return run.id if run is not None else None


def sync_source(context: Context, *, source_id: int) -> Outcome:
    """Sync one source now, unless a sync of it is already running (then say so and do nothing)."""
    run_id = start(context, source_id=source_id)
    if run_id is None:
        with session_scope(context.reader) as session:
            source = session.get(Source, source_id)
            name = source.name if source else ""
        return Outcome(source_id, name, "busy" if name else "missing", {}, 0)
    return run(context, run_id=run_id)


def run(context: Context, *, run_id: int) -> Outcome:
    """Carry out a claimed run: read the source, call its adapter, store signals or the failure."""
    started = time.monotonic()
    with session_scope(context.reader) as session:
        claimed = session.get(SyncRun, run_id)
        source = session.get(Source, claimed.source_id) if claimed else None
        if claimed is None or source is None:
            return Outcome(0, "", "missing", {}, 0)
        name, state = source.name, source.state
        config, error = _config(source, context.secret_key)
    result: SyncResult | None = None
    if config is not None:
        result, error = _call_sync(config, context, state)
    with writing(context) as session:
        claimed = session.get(SyncRun, run_id)
        if claimed is None:  # the source was removed while it synced
            return Outcome(0, name, "missing", {}, 0)
        source = session.get(Source, claimed.source_id)
        if result is not None and source is not None:
            now = context.clock()
            service.finish_ok(session, run=claimed, source=source, result=result, now=now)
            session.flush()
            for follow in context.followers:
                follow(session, source, claimed, now)
        else:
            service.finish_failed(session, run=claimed, error=error, now=context.clock())
        outcome = _outcome(claimed, name, error)
    log.info(
        "sync of source %s: %s in %d ms",
        outcome.source_id,
        outcome.status,
        (time.monotonic() - started) * 1000,
    )
    return outcome


def _config(source: Source, secret_key: str) -> tuple[SourceConfig | None, SyncError | None]:
    try:
        return service.config_of(source, secret_key=secret_key), None
    except UnreadableCredentials:
        return None, SyncError(
            "unauthorised", "the stored credentials cannot be decrypted with this secret key"
        )


def _call_sync(
    config: SourceConfig, context: Context, state: dict[str, object] | None
) -> tuple[SyncResult | None, SyncError | None]:
    try:
        now = context.clock()
        result = sync_process.sync(
            config,
            outbound=context.outbound,
            cache_dir=context.cache_dir,
            state=state,
            now=now,
            here=context.foreground,
        )
        return result, None
    except SyncError as error:
        return None, error
    except Exception:  # an adapter's bug must not leave the run "running" for an hour
        log.exception("sync of source %s failed unexpectedly", config.id)
        return None, None


def _outcome(run: SyncRun, name: str, error: SyncError | None) -> Outcome:
    return Outcome(
        source_id=run.source_id,
        name=name,
        status=run.status,
        counts=dict(run.counts),
        duration_ms=run.duration_ms or 0,
        error_kind=run.error_kind,
        message=error.message if error else None,
    )


def test_connection(context: Context, *, source_id: int) -> str:
    """Call the adapter's test() and keep its outcome on the source: "ok" or the SyncError kind."""
    with session_scope(context.reader) as session:
        source = session.get(Source, source_id)
        if source is None:
            return "missing"
        config, error = _config(source, context.secret_key)
    status, message = "ok", ""
    try:
        if config is None and error is not None:
            raise error
        assert config is not None
        adapter = adapters.build(config, outbound=context.outbound, cache_dir=context.cache_dir)
        message = adapter.test().to_json()
    except SyncError as failed:
        status, message = failed.kind, failed.message
    except Exception:
        log.exception("connection test of source %s failed unexpectedly", source_id)
        status, message = "internal", ""
    with writing(context) as session:
        found = session.get(Source, source_id)
        if found is not None:
            service.record_test(session, source=found, status=status, message=message, now=context.clock())
    return status


def forget(context: Context, *, folder: str) -> None:
    """Delete what the adapter of a removed source cached (its git clone, in the folder named by
    adapters.folder_name), once no sync of it runs."""
    path = adapters.cache_folder(context.cache_dir, folder)
    with _locks_of(path):
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _locks_of(folder: Path) -> Iterator[None]:
    """Hold every clone lock in the folder, so a sync still running finishes before its clone goes."""
    with ExitStack() as stack:
        for path in sorted(folder.glob("*.lock")) if folder.is_dir() else []:
            lock = stack.enter_context(open(path, "w"))
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def context_for(
    settings: Settings,
    engine: Engine,
    *,
    secret_key: str,
    followers: tuple[Follower, ...] = (),
    gate: Gate | None = None,
    foreground: bool = False,
) -> Context:
    """The sync context of a command or job run outside the web server (same rules; `gate` is the
    server's write gate for the engine, app.server.write_gate.for_engine; `foreground`: someone waits
    for these syncs, Context.foreground)."""
    return Context(
        factory=make_write_session_factory(engine),
        reads=make_session_factory(engine),
        secret_key=secret_key,
        outbound=outbound.from_settings(settings),
        cache_dir=settings.var_dir / "sources",
        gate=gate,
        followers=followers,
        foreground=foreground,
    )


def describe(outcome: Outcome) -> str:
    """One line for the CLI: ok with counts and duration, or the error in words (English)."""
    head = f"#{outcome.source_id} {outcome.name}"
    if outcome.status == "ok":
        counts = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in sorted(outcome.counts.items()))
        counts = counts or "nothing new"
        return f"ok      {head}: {counts} in {outcome.duration_ms / 1000:.1f} s"
    if outcome.status == "busy":
        return f"running {head}: a sync of this source is already running"
    if outcome.status == "missing":
        return f"missing #{outcome.source_id}: the source was removed"
    words = service.error_words(outcome.error_kind)
    detail = f" ({outcome.message})" if outcome.message else ""
    return f"failed  {head}: {words}{detail}"


def chosen(context: Context, *, team: str | None, source_id: int | None) -> list[int]:
    """The sources `hoshin sync` runs (one, a team's, or all enabled); LookupError names the unknown."""
    with session_scope(context.reader) as session:
        team_id = None
        if team is not None:
            found = service.find_team(session, ref=team)
            if found is None:
                raise LookupError(f"no team {team!r} (give its id or slug)")
            team_id = found.id
        if source_id is None:
            return service.team_source_ids(session, team_id=team_id)
        source = session.get(Source, source_id)
        if source is None or (team_id is not None and source.team_id != team_id):
            where = f" in team {team!r}" if team is not None else ""
            raise LookupError(f"no source {source_id}{where}")
        return [source_id]
