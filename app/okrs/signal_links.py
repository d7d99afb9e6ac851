"""Key results linked to a signal: which signals fit which key result, a signal's value on the key
result's scale, and whether the signal still arrives (for the OKR pages).

A percentage key result takes a ratio signal (0..1 stored, its % number checked in: 0.64 → 64); a
numeric key result takes a count, a rate, days or hours, as the signal gives them. Milestones and yes/no
signals are not linked (a milestone is a person's call; yes/no signals tick checklists instead).

A linked key result of the current quarter expects a value from every sync of the team's sources. It
says the signal has stopped arriving when no enabled source's latest good sync holds the key, or when
the ones that do have not synced successfully for more than twice the sync interval.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Catalogue, SignalUnit
from app.errors import BadInput
from app.i18n import N_
from app.models import (
    CheckIn,
    CheckInSource,
    Direction,
    KeyResult,
    KeyResultKind,
    SignalValue,
    Source,
    SyncRun,
    SyncStatus,
)

FITS: dict[str, frozenset[str]] = {
    KeyResultKind.PERCENTAGE.value: frozenset({SignalUnit.RATIO.value}),
    KeyResultKind.NUMERIC.value: frozenset(
        {SignalUnit.COUNT, SignalUnit.PER_WEEK, SignalUnit.PER_MONTH, SignalUnit.DAYS, SignalUnit.HOURS}
    ),
}
GROUPS = (("mlflow", "MLflow"), ("git", "Git"))
TOKEN_PREFIX = "signal:"  # noqa: S105 (a client token, not a secret)
"""A signal check-in's client token is "signal:<id of the sync run that measured the value>"."""


def fits(kind: str, unit: str) -> bool:
    """Whether a signal in `unit` can feed a key result of `kind`."""
    return unit in FITS.get(kind, frozenset())


def kr_value(value: float, unit: str, kind: str) -> float:
    """A signal's value on the key result's scale: a ratio as a percentage number, else as it is."""
    if unit == SignalUnit.RATIO and kind == KeyResultKind.PERCENTAGE:
        return round(value * 100, 4)
    return value


def token(run_id: int) -> str:
    return f"{TOKEN_PREFIX}{run_id}"


def run_of(client_token: str | None) -> int | None:
    """The sync run a signal check-in's token names, if it is one."""
    if not client_token or not client_token.startswith(TOKEN_PREFIX):
        return None
    rest = client_token.removeprefix(TOKEN_PREFIX)
    return int(rest) if rest.isdigit() else None


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


def choices(kind: str, locale: str, catalogue: Catalogue | None = None) -> list[tuple[str, list[Choice]]]:
    """The catalogue's signals that fit a key result of `kind`, by name, grouped MLflow / Git."""
    known = (catalogue or builtin_catalogue()).signals
    out = []
    for prefix, label in GROUPS:
        found = [
            Choice(s.key, s.name.get(locale))
            for s in known
            if s.key.startswith(prefix + ".") and fits(kind, s.unit)
        ]
        if found:
            out.append((label, sorted(found, key=lambda c: c.label.lower())))
    return out


def checked_signal(key: str | None, kind: str, catalogue: Catalogue | None = None) -> str | None:
    """The signal key to link (None: unlink), or BadInput naming the field `signal`."""
    key = (key or "").strip()
    if not key:
        return None
    info = (catalogue or builtin_catalogue()).signal(key)
    if info is None:
        raise BadInput(N_("Choose one of the signals listed."), field="signal")
    if kind == KeyResultKind.MILESTONE:
        raise BadInput(
            N_("A milestone cannot be linked to a signal: it is done when the team says so."), field="signal"
        )
    if not fits(kind, info.unit):
        if info.unit == SignalUnit.RATIO:
            raise BadInput(N_("This signal is a share: link it to a percentage key result."), field="signal")
        raise BadInput(N_("This signal is not a share: link it to a numeric key result."), field="signal")
    return key


def signal_name(key: str, locale: str, catalogue: Catalogue | None = None) -> str:
    info = (catalogue or builtin_catalogue()).signal(key)
    return info.name.get(locale) if info is not None else key


# --- Does the signal still arrive? -------------------------------------------------------------

LIVE = "live"
REMOVED = "removed"  # the source that last gave a value was removed
PAUSED = "paused"  # ... is paused
MISSING = "missing"  # ... synced, but its latest good sync has no such signal
STALE = "stale"  # ... has not synced successfully for more than twice the interval
NEVER = "never"  # no source of the team measures it


@dataclass(frozen=True)
class LinkState:
    """What a linked key result says about its signal."""

    key: str
    name: str
    state: str  # LIVE or why it stopped
    value: float | None = None  # the latest value, on the key result's scale (LIVE)
    source_name: str | None = None  # the source that gave it (LIVE), or that the reason is about
    at: datetime | None = None  # when that source last synced successfully
    since: datetime | None = None  # the last check-in from the signal, if any

    @property
    def live(self) -> bool:
        return self.state == LIVE


@dataclass(frozen=True)
class _Good:
    source: Source
    run_id: int
    finished: datetime
    values: dict[str, SignalValue]


def latest_good(session: Session, *, team_id: int, keys: Iterable[str]) -> dict[int, _Good]:
    """Per source of the team (paused ones too): its latest good sync and that sync's values of `keys`."""
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.team_id == team_id))}
    if not sources:
        return {}
    runs = session.execute(
        select(SyncRun.id, SyncRun.source_id, SyncRun.finished_at).where(
            SyncRun.id.in_(
                select(func.max(SyncRun.id))
                .where(SyncRun.source_id.in_(list(sources)), SyncRun.status == SyncStatus.OK)
                .group_by(SyncRun.source_id)
            )
        )
    ).all()
    found = {
        source_id: _Good(sources[source_id], run_id, finished or datetime.min, {})
        for run_id, source_id, finished in runs
    }
    by_run = {good.run_id: good for good in found.values()}
    wanted = sorted(set(keys))
    if by_run and wanted:
        values = select(SignalValue).where(
            SignalValue.sync_run_id.in_(list(by_run)), SignalValue.key.in_(wanted)
        )
        for value in session.scalars(values):
            by_run[value.sync_run_id].values[value.key] = value
    return found


def best(kr: KeyResult, goods: Iterable[_Good]) -> tuple[_Good, SignalValue] | None:
    """The value most in the key result's favour among the enabled sources' latest good syncs (on a tie,
    the latest sync), or None when none of them holds the signal or fits the key result."""
    direction = -1 if kr.direction == Direction.DOWN else 1  # the key result says which way is better
    found = [
        (good, good.values[kr.signal])
        for good in goods
        if kr.signal and good.source.enabled and kr.signal in good.values
        if fits(kr.kind, good.values[kr.signal].unit)
    ]
    if not found:
        return None
    return max(found, key=lambda pair: (direction * pair[1].value, pair[0].run_id))


def link_states(
    session: Session,
    *,
    team_id: int,
    key_results: Sequence[KeyResult],
    now: datetime,
    interval_minutes: int,
    locale: str,
) -> dict[int, LinkState]:
    """Per linked key result id: its signal's name, latest value, and whether it still arrives (four
    queries, whatever the number of key results)."""
    linked = [kr for kr in key_results if kr.signal]
    if not linked:
        return {}
    goods = latest_good(session, team_id=team_id, keys={kr.signal or "" for kr in linked})
    last = _last_signal_check_ins(session, [kr.id for kr in linked])
    origins = _run_sources(session, {run_of(c.client_token) for c in last.values()} - {None})
    fresh_after = now - timedelta(minutes=2 * interval_minutes) if interval_minutes > 0 else None
    out: dict[int, LinkState] = {}
    for kr in linked:
        key = kr.signal or ""
        name = signal_name(key, locale)
        previous = last.get(kr.id)
        since = previous.created_at if previous is not None else None
        fresh = [g for g in goods.values() if fresh_after is None or g.finished >= fresh_after]
        top = best(kr, fresh)
        if top is not None:
            good, value = top
            out[kr.id] = LinkState(
                key,
                name,
                LIVE,
                kr_value(value.value, value.unit, kr.kind),
                good.source.name,
                good.finished,
                since,
            )
            continue
        origin_id = origins.get(run_of(previous.client_token) or 0) if previous is not None else None
        out[kr.id] = _why_not(key, name, since, previous is not None, origin_id, goods)
    return out


def _why_not(
    key: str,
    name: str,
    since: datetime | None,
    had_value: bool,
    origin_id: int | None,
    goods: dict[int, _Good],
) -> LinkState:
    """Why no value arrives: about the source that gave the last one, else about any that measures it."""
    if had_value and origin_id is None:
        return LinkState(key, name, REMOVED, since=since)
    if origin_id is not None and origin_id not in goods:
        return LinkState(key, name, REMOVED, since=since)
    candidates = (
        [goods[origin_id]]
        if origin_id is not None
        else sorted(goods.values(), key=lambda g: (key not in g.values, not g.source.enabled, -g.run_id))
    )
    if not candidates:
        return LinkState(key, name, NEVER, since=since)
    good = candidates[0]
    if origin_id is None and key not in good.values:
        return LinkState(key, name, NEVER, since=since)
    if not good.source.enabled:
        state = PAUSED
    elif key not in good.values:
        state = MISSING
    else:
        state = STALE
    return LinkState(key, name, state, source_name=good.source.name, at=good.finished, since=since)


def _last_signal_check_ins(session: Session, key_result_ids: list[int]) -> dict[int, CheckIn]:
    newest = (
        select(func.max(CheckIn.id))
        .where(CheckIn.key_result_id.in_(key_result_ids), CheckIn.source == CheckInSource.SIGNAL)
        .group_by(CheckIn.key_result_id)
    )
    return {c.key_result_id: c for c in session.scalars(select(CheckIn).where(CheckIn.id.in_(newest)))}


def _run_sources(session: Session, run_ids: set[int | None]) -> dict[int, int]:
    """Sync run id → its source id, for the runs that still exist (a removed source takes its runs)."""
    ids = [r for r in run_ids if r is not None]
    if not ids:
        return {}
    return dict(session.execute(select(SyncRun.id, SyncRun.source_id).where(SyncRun.id.in_(ids))).all())


def sources_of_runs(session: Session, run_ids: Iterable[int]) -> dict[int, str]:
    """Sync run id → its source's name (for check-in history lines), for the runs that still exist."""
    ids = sorted(set(run_ids))
    if not ids:
        return {}
    query = (
        select(SyncRun.id, Source.name)
        .join(Source, Source.id == SyncRun.source_id)
        .where(SyncRun.id.in_(ids))
    )
    return dict(session.execute(query).all())
