"""Time helpers: everything is stored in UTC and shown in the user's time zone and language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_local(moment: datetime | None, *, tz: str | None, locale: str, with_time: bool = True) -> str:
    """A timestamp as the user reads it: their zone, their language's conventions."""
    if moment is None:
        return ""
    local = moment.astimezone(zone(tz))
    if with_time:
        return format_datetime(local, format="medium", tzinfo=local.tzinfo, locale=locale)
    return format_date(local.date(), format="medium", locale=locale)


def quarter_of(moment: datetime) -> str:
    """The calendar quarter label used for assessment periods, e.g. 2026-Q4."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
