"""Quarter arithmetic for reviews: plain values in, plain values out."""

from __future__ import annotations

from datetime import date, timedelta


def bounds(period: str) -> tuple[date, date]:
    """The first and the last day of a quarter label such as "2027-Q1"."""
    year, quarter = (int(part) for part in period.split("-Q"))
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after - timedelta(days=1)


def as_of(period: str, today: date) -> date:
    """The day a review's figures are counted to: today in a running quarter, else its last day."""
    first, last = bounds(period)
    return max(first, min(today, last))
