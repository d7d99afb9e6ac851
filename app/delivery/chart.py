"""A small line chart of one metric over time: an escaped, self-contained SVG with axis labels.

Pure: positions and already formatted labels in, text out. The x axis is time (days), so uneven syncs
stay uneven; the y axis starts at 0 (every delivery metric is a count, a rate, a share or a duration).
A single point is drawn as a dot in the middle. Colours are presentation attributes (the page's CSS may
override them through the class names); no scripts, no external references.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 340.0, 150.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 12.0, 10.0, 24.0
FONT = 10
INK, MUTED, GRID, LINE = "#1d2433", "#6b7589", "#dfe3ea", "#2f5bd3"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Tick:
    at: float  # in the data's units (x: days from the first point; y: the value)
    label: str


def line_chart_svg(
    points: Sequence[tuple[float, float]],
    *,
    x_ticks: Sequence[Tick],
    y_ticks: Sequence[Tick],
    x_span: float,
    y_max: float,
    title: str,
    desc: str,
) -> str:
    """A line through `points` (x in days from the start, y ≥ 0), a dot on each, the last one marked."""
    if y_max <= 0:
        raise ValueError("y_max must be positive")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: float) -> float:
        return LEFT + (plot_w / 2 if x_span <= 0 else at * plot_w / x_span)

    def y(value: float) -> float:
        return TOP + plot_h - max(0.0, min(value, y_max)) * plot_h / y_max

    body: list[str] = []
    for tick in y_ticks:
        body.append(
            f'<line class="chart-grid" x1="{_n(LEFT)}" y1="{_n(y(tick.at))}" x2="{_n(WIDTH - RIGHT)}" '
            f'y2="{_n(y(tick.at))}" stroke="{GRID}"/>'
        )
        body.append(
            f'<text class="chart-y-label" x="{_n(LEFT - 6)}" y="{_n(y(tick.at) + FONT / 3)}" '
            f'text-anchor="end" fill="{MUTED}">{_escape(tick.label)}</text>'
        )
    body.append(
        f'<line class="chart-axis" x1="{_n(LEFT)}" y1="{_n(TOP + plot_h)}" x2="{_n(WIDTH - RIGHT)}" '
        f'y2="{_n(TOP + plot_h)}" stroke="{MUTED}"/>'
    )
    for index, tick in enumerate(x_ticks):
        anchor = "middle" if len(x_ticks) == 1 else ("start" if index == 0 else "end")
        body.append(
            f'<text class="chart-x-label" x="{_n(x(tick.at))}" y="{_n(HEIGHT - 6)}" '
            f'text-anchor="{anchor}" fill="{MUTED}">{_escape(tick.label)}</text>'
        )
    placed = [(x(a), y(v)) for a, v in points]
    if len(placed) > 1:
        path = " ".join(f"{_n(px)},{_n(py)}" for px, py in placed)
        body.append(
            f'<polyline class="chart-line" points="{path}" fill="none" stroke="{LINE}" stroke-width="1.8" '
            'stroke-linejoin="round"/>'
        )
    for index, (px, py) in enumerate(placed):
        last = index == len(placed) - 1
        css, fill, radius = ("chart-dot chart-last", INK, 3.4) if last else ("chart-dot", LINE, 2.4)
        body.append(f'<circle class="{css}" cx="{_n(px)}" cy="{_n(py)}" r="{radius}" fill="{fill}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="delivery-chart" role="img" '
        f'aria-label="{_escape(title)}" viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" width="{_n(WIDTH)}" '
        f'height="{_n(HEIGHT)}" font-size="{FONT}">'
        f"<title>{_escape(title)}</title><desc>{_escape(desc)}</desc>{''.join(body)}</svg>"
    )


def nice_max(value: float) -> float:
    """A round upper bound for the y axis: 1, 2, 2.5 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10.0 ** _floor_log10(value)
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power + 1e-12:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _floor_log10(value: float) -> int:
    exponent = 0
    while value >= 10:
        value /= 10
        exponent += 1
    while value < 1:
        value *= 10
        exponent -= 1
    return exponent


def _n(value: float) -> str:
    return format(round(value, 1) + 0.0, "g")


def _escape(text: str) -> str:
    return html.escape(_XML_INVALID.sub("", text), quote=True)
