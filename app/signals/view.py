"""What the sources page shows beside the rows: ages in words, and the installation's sync context."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_timedelta
from starlette.requests import Request

from app.kit.time import utcnow
from app.signals import outbound
from app.signals.sync import Context


def age(moment: datetime | None, *, locale: str, now: datetime | None = None) -> str:
    """How long ago, in the reader's language ("5 minutes ago" / "5 分前")."""
    if moment is None:
        return ""
    return format_timedelta(moment - (now or utcnow()), add_direction=True, locale=locale)


def context_of(request: Request) -> Context:
    """The sync context of this server: its write sessions, secret key, outbound rules and cache folder."""
    state = request.app.state
    return Context(
        factory=state.write_session_factory,
        secret_key=state.secret_key,
        outbound=outbound.from_settings(state.settings),
        cache_dir=state.settings.var_dir / "sources",
        gate=state.write_gate,
    )
