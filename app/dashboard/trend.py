"""Trend charts as escaped, self-contained SVG: a small line of a team's overall level over the shown
quarters, and a line chart of levels by area over quarters (one line per area).

Pure: plain values in, text out. Quarters without a level leave a gap in the line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 96.0, 28.0, 4.0
MAX_LEVEL = 4.0
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(index: int, count: int) -> float:
    if count <= 1:
        return WIDTH / 2
    return PAD + index * (WIDTH - 2 * PAD) / (count - 1)


def _y(level: float) -> float:
    return HEIGHT - PAD - max(0.0, min(MAX_LEVEL, level)) * (HEIGHT - 2 * PAD) / MAX_LEVEL


def _n(value: float) -> str:
    return format(round(value, 1) + 0.0, "g")


def _text(value: str) -> str:
    """Text for an attribute or element: escaped, without the characters XML does not allow."""
    return html.escape(_XML_INVALID.sub("", value), quote=True)


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def sparkline_svg(levels: Sequence[float | None], *, title: str) -> str:
    """A line through the levels (0–4), a dot on each, the last one marked; `title` says it in words."""
    points = [None if v is None else (_x(i, len(levels)), _y(v)) for i, v in enumerate(levels)]
    body = [
        f'<line x1="{_n(PAD)}" y1="{_n(_y(0))}" x2="{_n(WIDTH - PAD)}" y2="{_n(_y(0))}" class="trend-axis"/>'
    ]
    for run in _segments(points):
        if len(run) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
            body.append(f'<polyline points="{path}" class="trend-line" fill="none"/>')
    shown = [p for p in points if p is not None]
    for point in shown:
        last = point is shown[-1]
        css = "trend-dot trend-last" if last else "trend-dot"
        body.append(
            f'<circle cx="{_n(point[0])}" cy="{_n(point[1])}" r="{2.6 if last else 1.8}" class="{css}"/>'
        )
    label = _text(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" aria-label="{label}" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" width="{_n(WIDTH)}" height="{_n(HEIGHT)}">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


# The area chart: a plot of levels 0–4 with the quarters along the bottom; its legend is HTML beside it.
CHART_WIDTH, CHART_HEIGHT = 640.0, 220.0
LEFT, RIGHT, TOP, BOTTOM = 28.0, 14.0, 10.0, 24.0
PALETTE = 8  # series colours (CSS classes series-0 … series-7), used in turn


@dataclass(frozen=True)
class Series:
    """One line: its name (e.g. an area's) and a level (or None) per quarter."""

    label: str
    levels: tuple[float | None, ...]


def _chart_x(index: int, count: int) -> float:
    if count <= 1:
        return LEFT + (CHART_WIDTH - LEFT - RIGHT) / 2
    return LEFT + index * (CHART_WIDTH - LEFT - RIGHT) / (count - 1)


def _chart_y(level: float) -> float:
    return TOP + (MAX_LEVEL - max(0.0, min(MAX_LEVEL, level))) * (CHART_HEIGHT - TOP - BOTTOM) / MAX_LEVEL


def _grid(periods: Sequence[str]) -> list[str]:
    """Level lines with their numbers on the left, and each quarter's label under the plot."""
    out = []
    for level in range(int(MAX_LEVEL) + 1):
        y = _n(_chart_y(level))
        out.append(
            f'<line x1="{_n(LEFT)}" y1="{y}" x2="{_n(CHART_WIDTH - RIGHT)}" y2="{y}" class="chart-grid"/>'
        )
        out.append(f'<text x="{_n(LEFT - 8)}" y="{y}" class="chart-level" text-anchor="end">{level}</text>')
    bottom = _n(CHART_HEIGHT - 6)
    for index, period in enumerate(periods):
        x = _n(_chart_x(index, len(periods)))
        out.append(
            f'<text x="{x}" y="{bottom}" class="chart-period" text-anchor="middle">{_text(period)}</text>'
        )
    return out


def _line(number: int, series: Series, periods: Sequence[str]) -> str:
    """One series: its line (broken where a quarter has no level) and a dot per level, each titled."""
    count = len(periods)
    points = [None if v is None else (_chart_x(i, count), _chart_y(v)) for i, v in enumerate(series.levels)]
    body = [f"<title>{_text(series.label)}</title>"]
    for run in _segments(points):
        if len(run) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
            body.append(f'<polyline points="{path}" class="chart-line" fill="none"/>')
    for period, level, point in zip(periods, series.levels, points, strict=True):
        if point is not None and level is not None:
            tip = _text(f"{series.label} · {period}: {level:.1f}")
            dot = f'<circle cx="{_n(point[0])}" cy="{_n(point[1])}" r="3" class="chart-dot">'
            body.append(f"{dot}<title>{tip}</title></circle>")
    return f'<g class="chart-series series-{number % PALETTE}">{"".join(body)}</g>'


def line_chart_svg(periods: Sequence[str], series: Sequence[Series], *, title: str) -> str:
    """Levels (0–4) by quarter, one line per series; `title` says what it shows in words."""
    lines = [_line(number, s, periods) for number, s in enumerate(series)]
    label = _text(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="area-chart" role="img" aria-label="{label}" '
        f'viewBox="0 0 {_n(CHART_WIDTH)} {_n(CHART_HEIGHT)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{label}</title>{''.join(_grid(periods))}{''.join(lines)}</svg>"
    )
