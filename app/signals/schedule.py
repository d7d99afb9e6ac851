"""When periodic syncs happen: the cron line of an interval, and which ticks of it are real (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MINUTES_A_DAY = 24 * 60


def cron_for(minutes: int) -> str:
    """A cron line that fires every `minutes` (or every minute, when no cron line fits the interval)."""
    if minutes < 60 and 60 % minutes == 0:
        return f"*/{minutes} * * * *" if minutes > 1 else "* * * * *"
    if minutes % 60 == 0 and MINUTES_A_DAY % minutes == 0:
        hours = minutes // 60
        return {1: "0 * * * *", 24: "0 0 * * *"}.get(hours, f"0 */{hours} * * *")
    return "* * * * *"  # e.g. 45 or 90 minutes: fire each minute, and is_tick() picks the real ticks


def is_tick(timestamp: int, minutes: int) -> bool:
    """Whether a cron firing at this Unix time is one of the interval's ticks (counted from the epoch)."""
    return minutes > 0 and (timestamp // 60) % minutes == 0


def next_sync(
    *, now: datetime, minutes: int, last_started: datetime | None, embedded: bool
) -> datetime | None:
    """About when a source's next periodic sync starts (None when periodic syncs are off). The embedded
    server syncs a source once its last sync started `minutes` ago (looking each minute); PostgreSQL's
    workers sync every source at each tick of the interval, counted from the epoch."""
    if minutes <= 0:
        return None
    if embedded:
        due = last_started + timedelta(minutes=minutes) if last_started is not None else now
        return max(due, now)
    tick = (int(now.timestamp()) // 60 // minutes + 1) * minutes * 60
    return datetime.fromtimestamp(tick, tz=now.tzinfo or UTC)
