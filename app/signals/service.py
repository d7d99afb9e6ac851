"""Sources of a team and their syncs, as rows: add, change, remove, claim a sync, record its outcome, and
read the latest signals for pages. Keyword-only; only flushes (app/signals/sync.py owns transactions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.errors import NotFound
from app.i18n import N_
from app.kit.time import utcnow
from app.models import SignalValue, Source, SyncRun, SyncStatus, Team, User
from app.signals import adapters, secrets
from app.signals.adapters import SourceConfig
from app.signals.adapters.base import SyncError, SyncResult

# A run still "running" after this long belonged to a process that died: another sync may start.
STALE_RUN = timedelta(hours=1)
STALE_TEST = timedelta(minutes=5)

# What each SyncError kind means, in words the team page translates.
ERROR_WORDS: dict[str, str] = {
    "unreachable": N_("The source cannot be reached (connection refused, unknown host, or it is gone)."),
    "timeout": N_("The source did not answer in time."),
    "unauthorised": N_("The source refused the credentials (401 or 403)."),
    "not_mlflow": N_("This address answers, but it is not an MLflow tracking server."),
    "not_repository": N_("There is no Git repository at this address."),
    "branch_missing": N_("The repository has no such branch."),
    "host_not_allowed": N_("This host is not on the administrator's list of allowed hosts."),
    "path_not_allowed": N_("This path or transport is not allowed (outside the allowed folder)."),
    "bad_response": N_("The source sent an answer that could not be read."),
    "too_large": N_("The source sent more than the size limit allows."),
    "internal": N_("The sync stopped on an unexpected error; it has been logged."),
}


@dataclass(frozen=True)
class SourceInput:
    """A source as the form or the API gives it; credentials None keeps the stored ones."""

    kind: str
    name: str
    url: str
    branch: str | None
    experiment_filter: str | None
    credentials: secrets.Credentials | None
    enabled: bool = (
        True  # disabled sources keep their history but `hoshin sync` (and later the schedule) skips them
    )


@dataclass
class SourceStatus:
    """A source with its last sync, its last good sync and the signals that good sync stored."""

    source: Source
    last_run: SyncRun | None = None
    last_good: SyncRun | None = None
    signals: list[SignalValue] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """A sync is under way (a run left "running" by a process that died stops counting after a while)."""
        run = self.last_run
        return run is not None and run.status == SyncStatus.RUNNING and run.started_at > utcnow() - STALE_RUN

    @property
    def testing(self) -> bool:
        """A connection test is under way (one that never reported back stops counting after a while)."""
        tested = self.source.tested_at
        return self.source.test_status == "running" and tested is not None and tested > utcnow() - STALE_TEST


def error_words(kind: str | None) -> str:
    """The untranslated msgid describing a sync error kind."""
    return ERROR_WORDS.get(kind or "", ERROR_WORDS["internal"])


def get_source(session: Session, *, team_id: int, source_id: int) -> Source:
    """The team's source, or NotFound (a source of another team is not found either)."""
    source = session.get(Source, source_id)
    if source is None or source.team_id != team_id:
        raise NotFound
    return source


def team_sources(session: Session, *, team_id: int) -> list[SourceStatus]:
    """The team's sources, each with its last run, last good run and latest signals (four queries)."""
    sources = session.scalars(
        select(Source).where(Source.team_id == team_id).order_by(Source.name, Source.id)
    )
    rows = {s.id: SourceStatus(s) for s in sources}
    if not rows:
        return []
    ids = list(rows)
    for run in _latest_runs(session, source_ids=ids, status=None):
        rows[run.source_id].last_run = run
    for run in _latest_runs(session, source_ids=ids, status=SyncStatus.OK):
        rows[run.source_id].last_good = run
    for source_id, signals in latest_signals(session, source_ids=ids).items():
        rows[source_id].signals = signals
    return list(rows.values())


def _latest_runs(session: Session, *, source_ids: Sequence[int], status: str | None) -> Sequence[SyncRun]:
    newest = select(func.max(SyncRun.id)).where(SyncRun.source_id.in_(source_ids)).group_by(SyncRun.source_id)
    if status is not None:
        newest = newest.where(SyncRun.status == status)
    return session.scalars(select(SyncRun).where(SyncRun.id.in_(newest))).all()


def latest_signals(session: Session, *, source_ids: Sequence[int]) -> dict[int, list[SignalValue]]:
    """The signals of each source's last good sync, by source, sorted by key (one query)."""
    query = (
        select(SignalValue)
        .where(SignalValue.sync_run_id.in_(_last_good(source_ids)))
        .order_by(SignalValue.key)
    )
    found: dict[int, list[SignalValue]] = defaultdict(list)
    for signal in session.scalars(query.order_by(SignalValue.key)):
        found[signal.source_id].append(signal)
    return dict(found)


def latest_signal_rows(
    session: Session, *, source_ids: Sequence[int], keys: Collection[str] | None = None
) -> Sequence[Row[Any]]:
    """The same signals as plain rows (source_id, key, value, unit, observed_at, url, detail), sorted by key,
    only those named in `keys` when given: for what only reads them (the evidence beside every answer
    saved), without building ORM objects."""
    query: Select[Any] = select(
        SignalValue.source_id,
        SignalValue.key,
        SignalValue.value,
        SignalValue.unit,
        SignalValue.observed_at,
        SignalValue.url,
        SignalValue.detail,
    )
    query = query.where(SignalValue.sync_run_id.in_(_last_good(source_ids)))
    if keys is not None:
        query = query.where(SignalValue.key.in_(sorted(keys)))
    return session.execute(query.order_by(SignalValue.key, SignalValue.source_id)).all()


def _last_good(source_ids: Sequence[int]) -> Select[Any]:
    """The id of each source's last good sync."""
    return (
        select(func.max(SyncRun.id))
        .where(SyncRun.source_id.in_(source_ids), SyncRun.status == SyncStatus.OK)
        .group_by(SyncRun.source_id)
    )


def team_source_ids(session: Session, *, team_id: int | None, enabled_only: bool = True) -> list[int]:
    """Ids of the (enabled) sources of a team (None: every team), oldest first."""
    query = select(Source.id).order_by(Source.id)
    if enabled_only:
        query = query.where(Source.enabled.is_(True))
    if team_id is not None:
        query = query.where(Source.team_id == team_id)
    return list(session.scalars(query))


def due_source_ids(session: Session, *, now: datetime, interval: timedelta) -> list[int]:
    """Enabled sources whose last sync (of any outcome) started at least `interval` ago, or never."""
    last = (
        select(SyncRun.source_id, func.max(SyncRun.started_at).label("started"))
        .group_by(SyncRun.source_id)
        .subquery()
    )
    query = (
        select(Source.id)
        .outerjoin(last, last.c.source_id == Source.id)
        .where(Source.enabled.is_(True))
        .where((last.c.started.is_(None)) | (last.c.started <= now - interval))
        .order_by(Source.id)
    )
    return list(session.scalars(query))


def find_team(session: Session, *, ref: str) -> Team | None:
    """A team by its id or its slug (for the command line)."""
    if ref.isdigit() and len(ref) < 10:
        return session.get(Team, int(ref))
    return session.scalars(select(Team).where(Team.slug == ref.strip().lower())).first()


def public_fields(source: Source) -> dict[str, Any]:
    """What the audit log and exports may say about a source: never the credentials themselves."""
    return {
        "team_id": source.team_id,
        "kind": source.kind,
        "name": source.name,
        "url": source.url,
        "branch": source.branch,
        "experiment_filter": source.experiment_filter,
        "enabled": source.enabled,
        "has_credentials": source.credentials is not None,
    }


def create_source(
    session: Session, *, team_id: int, data: SourceInput, user: User, secret_key: str, now: datetime
) -> Source:
    """Add a source to the team (credentials encrypted); audited without them."""
    source = Source(team_id=team_id, created_by_id=user.id, created_at=now, enabled=True)
    _apply(source, data, secret_key)
    session.add(source)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="source.create",
        object_type="source",
        object_id=source.id,
        after=public_fields(source),
    )
    return source


def update_source(
    session: Session, *, source: Source, data: SourceInput, user: User, secret_key: str
) -> None:
    """Change a source; empty credentials keep the stored ones. The adapter's state starts over when
    where it reads from changes (an incremental sync of another server would miss everything)."""
    before = public_fields(source)
    if (data.kind, data.url, data.branch, data.experiment_filter) != (
        source.kind,
        source.url,
        source.branch,
        source.experiment_filter,
    ):
        source.state = None
    _apply(source, data, secret_key)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="source.update",
        object_type="source",
        object_id=source.id,
        before=before,
        after=public_fields(source),
    )


def _apply(source: Source, data: SourceInput, secret_key: str) -> None:
    source.kind, source.name, source.url = data.kind, data.name, data.url
    source.branch, source.experiment_filter = data.branch, data.experiment_filter
    source.enabled = data.enabled
    if data.credentials is not None:
        empty = data.credentials.is_empty()
        source.credentials = None if empty else secrets.encrypt(data.credentials, secret_key=secret_key)


def delete_source(session: Session, *, source: Source, user: User) -> str:
    """Remove a source with its runs and signals; audited. Returns the name of its cache folder, for
    sync.forget to delete once no sync of it runs."""
    folder = adapters.folder_name(source.id, source.created_at)
    before = public_fields(source)
    audit.record(
        session, actor=user, action="source.delete", object_type="source", object_id=source.id, before=before
    )
    session.delete(source)
    session.flush()
    return folder


def config_of(source: Source, *, secret_key: str) -> SourceConfig:
    """The adapter's view of a source (decrypts the credentials; UnreadableCredentials if it cannot)."""
    creds = secrets.decrypt(source.credentials, secret_key=secret_key) if source.credentials else None
    return SourceConfig(
        id=source.id,
        kind=source.kind,
        url=source.url,
        folder=adapters.folder_name(source.id, source.created_at),
        branch=source.branch,
        experiment_filter=source.experiment_filter,
        token=creds.token if creds else None,
        username=creds.username if creds else None,
        password=creds.password if creds else None,
    )


def claim(session: Session, *, source_id: int, now: datetime) -> SyncRun | None:
    """Start a run of the source, or None if one is running already (or the source is gone).

    On PostgreSQL the source row is locked (SKIP LOCKED: a second claimer gives up at once) while the
    running run is looked for and added; on SQLite the claim is a write transaction (BEGIN IMMEDIATE,
    behind the write gate), which serialises claims across threads and processes alike.
    """
    locked = select(Source).where(Source.id == source_id).with_for_update(skip_locked=True)
    if session.scalars(locked).first() is None:
        return None
    running = select(SyncRun.id).where(
        SyncRun.source_id == source_id,
        SyncRun.status == SyncStatus.RUNNING,
        SyncRun.started_at > now - STALE_RUN,
    )
    if session.scalars(running.limit(1)).first() is not None:
        return None
    run = SyncRun(source_id=source_id, started_at=now, status=SyncStatus.RUNNING.value, counts={})
    session.add(run)
    session.flush()
    return run


def finish_ok(session: Session, *, run: SyncRun, source: Source, result: SyncResult, now: datetime) -> None:
    """Store a good sync: its signals as a new point of the time series, the adapter's new state, counts."""
    session.add_all(
        SignalValue(
            source_id=source.id,
            sync_run_id=run.id,
            key=signal.key,
            value=float(signal.value),
            unit=signal.unit,
            detail=signal.detail,
            url=signal.url,
            observed_at=now,
        )
        for signal in result.signals
    )
    source.state = result.state
    _finish(run, SyncStatus.OK, now, counts={**result.counts, "signals": len(result.signals)})
    session.flush()


def finish_failed(session: Session, *, run: SyncRun, error: SyncError | None, now: datetime) -> None:
    """Record why a sync failed; the last good signals stay as they were."""
    run.error_kind = error.kind if error else "internal"
    run.error_message = error.message if error else None
    _finish(run, SyncStatus.FAILED, now, counts={})
    session.flush()


def _finish(run: SyncRun, status: SyncStatus, now: datetime, *, counts: dict[str, int]) -> None:
    run.status, run.finished_at, run.counts = status.value, now, counts
    run.duration_ms = max(0, int((now - run.started_at).total_seconds() * 1000))


def record_test(session: Session, *, source: Source, status: str, message: str, now: datetime) -> None:
    """Keep the outcome of "Test connection" ("ok" or a SyncError kind) for the page to show."""
    source.tested_at, source.test_status, source.test_message = now, status, message
    session.flush()


def record_test_started(session: Session, *, source: Source, now: datetime) -> None:
    """Mark a connection test as under way (the page polls until it ends)."""
    source.tested_at, source.test_status, source.test_message = now, "running", None
    session.flush()
