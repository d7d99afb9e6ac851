"""A team's delivery metrics: release frequency, lead times and the revert share of each of its sources,
as trends over the synced history (one point per day: the last good sync of that day) and their latest
values. Read-only; four queries whatever the number of sources, syncs or keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import N_
from app.kit.time import zone
from app.models import SignalValue, Source, SyncRun, SyncStatus
from app.signals import service as signals

DAYS = 180  # how far back the trends go


@dataclass(frozen=True)
class Metric:
    """A delivery measure: the signal it reads, what it answers, and what its absence means."""

    key: str
    kind: str  # the source kind that measures it: git or mlflow
    group: str  # frequency, lead_time or failures
    how: str  # how it is measured, where the catalogue has no note (msgid)
    absent: str  # what a good sync without this key means (msgid)


METRICS: tuple[Metric, ...] = (
    Metric(
        "git.delivery.release_tags_per_month",
        "git",
        "frequency",
        N_("Release tags created in the 90 days before each sync, divided by 3."),
        N_("No release tags in the last 90 days."),
    ),
    Metric(
        "git.delivery.lead_time_hours",
        "git",
        "lead_time",
        N_("Median time from a commit's author date to the first release tag that contains it."),
        N_("No release in the last 90 days, so there is no lead time to measure."),
    ),
    Metric(
        "git.delivery.revert_share",
        "git",
        "failures",
        N_("Revert commits among the commits of the 90 days before each sync."),
        N_("No commits in the last 90 days, so there is nothing to compare reverts with."),
    ),
    Metric(
        "mlflow.releases.versions_per_week",
        "mlflow",
        "frequency",
        N_("Model versions registered in the 90 days before each sync, per week."),
        N_("No model versions to count."),
    ),
    Metric(
        "mlflow.releases.production_changes_90d",
        "mlflow",
        "frequency",
        N_(
            "Times a production alias was set on a version in the 90 days before each sync, counted from "
            "the first sync on (MLflow keeps no alias history)."
        ),
        N_("No production changes recorded yet."),
    ),
    Metric(
        "mlflow.lead_time.run_to_version",
        "mlflow",
        "lead_time",
        N_("Median time from the end of a training run to the model version registered from it."),
        N_("No model version comes from a finished run, so there is no lead time to measure."),
    ),
    Metric(
        "mlflow.lead_time.run_to_production",
        "mlflow",
        "lead_time",
        N_("Median time from the end of a training run to its version becoming production."),
        N_("No production version comes from a finished run, so there is no lead time to measure."),
    ),
)
KEYS = tuple(metric.key for metric in METRICS)


@dataclass(frozen=True)
class Point:
    """One point of a trend: the last good value of a day (in the reader's time zone)."""

    day: date
    observed_at: datetime
    value: float


@dataclass
class Series:
    """A metric of one source: its daily points and the value its last good sync measured (None: absent)."""

    metric: Metric
    points: list[Point] = field(default_factory=list)
    latest: SignalValue | None = None

    @property
    def bucket(self) -> str | None:
        """The Four Keys bucket the latest value falls in, where the adapter gives one."""
        found = (self.latest.detail or {}).get("bucket") if self.latest is not None else None
        return found if isinstance(found, str) else None


@dataclass
class SourceDelivery:
    """A source with its last run, last good run, how many good syncs it had, and its metrics."""

    source: Source
    last_run: SyncRun | None = None
    last_good: SyncRun | None = None
    good_syncs: int = 0
    series: list[Series] = field(default_factory=list)

    @property
    def state(self) -> str:
        """never_synced, failed (no good sync ever), or ok (a good sync exists; the last may have failed)."""
        if self.last_good is not None:
            return "ok"
        if self.last_run is None or self.last_run.status == SyncStatus.RUNNING:
            return "never_synced"
        return "failed"

    @property
    def last_failed(self) -> bool:
        """The newest run failed (whether or not an earlier one was good)."""
        return self.last_run is not None and self.last_run.status == SyncStatus.FAILED

    @property
    def running(self) -> bool:
        return self.last_run is not None and self.last_run.status == SyncStatus.RUNNING

    @property
    def error_words(self) -> str:
        """The msgid that says why the newest run failed."""
        return signals.error_words(self.last_run.error_kind if self.last_run else None)


def metrics_of(kind: str) -> list[Metric]:
    """The delivery metrics a source of this kind measures, in the page's order."""
    return [metric for metric in METRICS if metric.kind == kind]


def team_delivery(
    session: Session, *, team_id: int, now: datetime, tz: str | None, days: int = DAYS
) -> list[SourceDelivery]:
    """The team's sources with their delivery trends over the last `days` days (four queries)."""
    sources = session.scalars(
        select(Source).where(Source.team_id == team_id).order_by(Source.name, Source.id)
    ).all()
    rows = {s.id: SourceDelivery(s) for s in sources}
    if not rows:
        return []
    _attach_runs(session, rows)
    last_good = [row.last_good.id for row in rows.values() if row.last_good is not None]
    for row in rows.values():
        row.series = [Series(metric) for metric in metrics_of(row.source.kind)]
    if not last_good:
        return list(rows.values())
    values = _values(session, source_ids=list(rows), since=now - timedelta(days=days), last_good=last_good)
    local = zone(tz)
    for row in rows.values():
        good_id = row.last_good.id if row.last_good else None
        for one in row.series:
            found = values.get((row.source.id, one.metric.key), [])
            one.points = _daily(found, local)
            one.latest = next((v for v in reversed(found) if v.sync_run_id == good_id), None)
    return list(rows.values())


def _attach_runs(session: Session, rows: dict[int, SourceDelivery]) -> None:
    """Each source's newest run, newest good run and count of good runs (two queries)."""
    ok = SyncRun.status == SyncStatus.OK
    summary = session.execute(
        select(
            SyncRun.source_id,
            func.max(SyncRun.id),
            func.max(case((ok, SyncRun.id))),
            func.count(case((ok, SyncRun.id))),
        )
        .where(SyncRun.source_id.in_(list(rows)))
        .group_by(SyncRun.source_id)
    ).all()
    wanted = {run_id for _, newest, good, _ in summary for run_id in (newest, good) if run_id is not None}
    runs = {run.id: run for run in session.scalars(select(SyncRun).where(SyncRun.id.in_(wanted)))}
    for source_id, newest, good, count in summary:
        row = rows[source_id]
        row.last_run = runs.get(newest)
        row.last_good = runs.get(good) if good is not None else None
        row.good_syncs = int(count)


def _values(
    session: Session, *, source_ids: Sequence[int], since: datetime, last_good: Sequence[int]
) -> dict[tuple[int, str], list[SignalValue]]:
    """The delivery signals of the sources since `since`, plus those of each last good sync however old,
    oldest first by (source, key): one query along ix_signals_source_id_key_observed_at. Only good syncs
    store signals, so no join with the runs is needed."""
    query = (
        select(SignalValue)
        .where(
            SignalValue.source_id.in_(source_ids),
            SignalValue.key.in_(KEYS),
            or_(SignalValue.observed_at >= since, SignalValue.sync_run_id.in_(last_good)),
        )
        .order_by(SignalValue.source_id, SignalValue.key, SignalValue.observed_at, SignalValue.id)
    )
    found: dict[tuple[int, str], list[SignalValue]] = defaultdict(list)
    for value in session.scalars(query):
        found[(value.source_id, value.key)].append(value)
    return found


def _daily(values: Sequence[SignalValue], local: Any) -> list[Point]:
    """One point per local day: the last value observed that day (values come oldest first)."""
    by_day: dict[date, SignalValue] = {}
    for value in values:
        by_day[value.observed_at.astimezone(local).date()] = value
    return [Point(day, value.observed_at, value.value) for day, value in sorted(by_day.items())]
