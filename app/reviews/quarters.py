"""Quarter arithmetic for reviews: plain values in, plain values out."""

from __future__ import annotations

from datetime import date, timedelta

from app.roadmap.planner.plan import add_months


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


def carried_due(due: date | None, *, into: str) -> date | None:
    """A carried key result's due date in the quarter `into`: one before that quarter moves on a quarter at
    a time until it is in it, keeping where the deadline stood within its quarter (the same day three
    months later; a month's last day stays its month's last day, so a quarter's end stays a quarter's
    end); one in it or later stays, and none stays none (the objective's last day)."""
    first = bounds(into)[0]
    while due is not None and due < first:
        month_end = (due + timedelta(days=1)).day == 1
        due = add_months(due, 3)
        if month_end:
            due = add_months(due.replace(day=1), 1) - timedelta(days=1)
    return due
