"""What the sources page shows beside the rows: ages in words, signals in people's words, and the
installation's sync context."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from anyio import CapacityLimiter, to_thread
from babel.dates import format_timedelta
from starlette.requests import Request

from app import i18n
from app.catalogue.labels import format_value, signal_name, signal_note
from app.kit.time import utcnow
from app.models import SignalValue
from app.signals import outbound
from app.signals.adapters.base import Summary
from app.signals.sync import Context


def age(moment: datetime | None, *, locale: str, now: datetime | None = None) -> str:
    """How long ago, in the reader's language ("5 minutes ago" / "5 分前")."""
    if moment is None:
        return ""
    return format_timedelta(moment - (now or utcnow()), add_direction=True, locale=locale)


def tested(message: str | None) -> str:
    """A connection test's note in the reader's language: a success's summary translated; a failure's
    detail (the source's or git's own words) as it is."""
    summary = Summary.from_json(message) if message else None
    if summary is None:
        return message or ""
    return i18n.gettext(summary.message) % summary.values


@dataclass(frozen=True)
class SignalLine:
    """One signal as the Sources page shows it: the catalogue's name, the key, the value in words."""

    key: str
    name: str
    """The catalogue's name in the reader's language; the key itself for a signal the catalogue lacks."""
    value: str
    note: str
    """How it is measured where that matters (e.g. a proxy for a DORA measure), else ""."""
    url: str | None


def signal_lines(signals: Sequence[SignalValue], *, locale: str) -> list[SignalLine]:
    """The signals of one source, named and formatted for a reader in `locale` (in the given order)."""
    return [
        SignalLine(
            key=s.key,
            name=signal_name(s.key, locale),
            value=format_value(s.value, s.unit, locale),
            note=signal_note(s.key, locale),
            url=s.url if s.url and s.url.startswith(("https://", "http://")) else None,
        )
        for s in signals
    ]


def context_of(request: Request) -> Context:
    """The sync context of this server: its write sessions, secret key, outbound rules and cache folder."""
    state = request.app.state
    return Context(
        factory=state.write_session_factory,
        reads=state.session_factory,
        secret_key=state.secret_key,
        outbound=outbound.from_settings(state.settings),
        cache_dir=state.settings.var_dir / "sources",
        gate=state.write_gate,
        followers=state.sync_followers,
    )


# Syncs and connection tests run on threads of their own limit, never on the request threadpool's: a
# slow source then never takes a thread a page needs, and waiting for SQLite's write gate cannot starve
# the request that holds it.
_background_threads = CapacityLimiter(4)


async def in_background(func: Callable[..., Any], /, **kwargs: Any) -> None:
    """Run a sync or a test (after the response: BackgroundTasks calls this)."""
    await to_thread.run_sync(functools.partial(func, **kwargs), limiter=_background_threads)
