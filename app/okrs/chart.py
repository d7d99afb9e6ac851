"""A key result's history as a small chart: its check-ins over the objective's days, the target, and the
straight line of expected progress. An escaped, self-contained SVG; pure (plain values in, text out)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

WIDTH, HEIGHT, PAD = 480.0, 160.0, 12.0
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Frame:
    """What the chart spans: the objective's days and the key result's way from start to target."""

    starts: date
    ends: date
    due: date  # where the expected line reaches the target
    start: float
    target: float


def _n(value: float) -> str:
    return format(round(value, 1) + 0.0, "g")


def _escape(text: str) -> str:
    return html.escape(_XML_INVALID.sub("", text), quote=True)


def _day(moment: datetime | date) -> float:
    """Days since the epoch, with the time of day as a fraction."""
    if isinstance(moment, datetime):
        return moment.timestamp() / 86400
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp() / 86400


def history_svg(frame: Frame, points: Sequence[tuple[datetime, float]], *, title: str) -> str:
    """The check-ins `points` (when, value; any order) as a line with a dot each, over the objective's
    days; a dashed target line and a dotted line of expected progress. `title` says it in words."""
    first, last = _day(frame.starts), _day(frame.ends) + 1
    values = [frame.start, frame.target, *(v for _, v in points)]
    low, high = min(values), max(values)
    span = high - low or 1.0

    def x(moment: datetime | date) -> float:
        share = (_day(moment) - first) / (last - first)
        return PAD + max(0.0, min(1.0, share)) * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)

    body = [
        f'<line x1="{_n(PAD)}" y1="{_n(HEIGHT - PAD)}" x2="{_n(WIDTH - PAD)}" y2="{_n(HEIGHT - PAD)}" '
        'class="okr-chart-axis"/>',
        f'<line x1="{_n(PAD)}" y1="{_n(y(frame.target))}" x2="{_n(WIDTH - PAD)}" y2="{_n(y(frame.target))}" '
        'class="okr-chart-target" stroke-dasharray="6 4"/>',
        f'<line x1="{_n(x(frame.starts))}" y1="{_n(y(frame.start))}" x2="{_n(x(frame.due))}" '
        f'y2="{_n(y(frame.target))}" class="okr-chart-expected" stroke-dasharray="2 3"/>',
    ]
    shown = sorted(points, key=lambda p: p[0])
    if len(shown) > 1:
        path = " ".join(f"{_n(x(when))},{_n(y(value))}" for when, value in shown)
        body.append(f'<polyline points="{path}" class="okr-chart-line" fill="none"/>')
    body += [f'<circle cx="{_n(x(w))}" cy="{_n(y(v))}" r="3" class="okr-chart-dot"/>' for w, v in shown]
    label = _escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="okr-chart" role="img" aria-label="{label}" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" preserveAspectRatio="none">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )
