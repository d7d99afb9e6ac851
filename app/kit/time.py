"""Time helpers: everything is stored in UTC and shown in the user's time zone and language."""

from __future__ import annotations

from datetime import UTC, date, datetime
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


def format_day(day: date | None, *, locale: str) -> str:
    """A calendar day (a due date, the day a session was held) in the reader's language; it has no zone."""
    return format_date(day, format="medium", locale=locale) if day is not None else ""


def quarter_of(moment: date) -> str:
    """The calendar quarter label used for assessment periods, e.g. 2026-Q4 (of a day or a moment)."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date]:
    """The first day of a quarter ("2026-Q4", as app/kit/limits.py's `period` reads it) and the first
    day after it."""
    year, number = (int(part) for part in label.split("-Q"))
    start = date(year, 3 * number - 2, 1)
    return start, date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
