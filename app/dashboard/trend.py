"""A small trend line of a team's overall level over the shown quarters: an escaped, self-contained SVG.

Pure: plain values in, text out. Quarters without a level leave a gap in the line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

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
    label = html.escape(_XML_INVALID.sub("", title), quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" aria-label="{label}" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(HEIGHT)}" width="{_n(WIDTH)}" height="{_n(HEIGHT)}">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )
