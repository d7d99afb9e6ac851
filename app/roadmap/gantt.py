"""The roadmap as a Gantt chart: a self-contained, escaped SVG string for pages and PDFs alike.

Month columns, the four phase bands above them, one row per item with a bar coloured by status,
and a dashed line at today. Pure: plain values in, text out.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
MONTHS = 12
STATUS_FILL = {
    "planned": "#8aa4c8",
    "in_progress": "#2f6fb3",
    "done": "#3c8d5a",
    "blocked": "#c0392b",
}
PHASE_FILL = ("#eef3fa", "#f4f1fa", "#eef8f2", "#fbf5ea")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Bar:
    label: str
    start_month: int  # 0-based
    end_month: int  # exclusive
    status: str  # a key of STATUS_FILL
    pinned: bool = False


@dataclass(frozen=True)
class Layout:
    label_width: float = 220
    month_width: float = 56
    row_height: float = 26
    header: float = 50  # phase band + month names
    font: float = 12

    @property
    def width(self) -> float:
        return self.label_width + MONTHS * self.month_width + 8

    def x(self, month: float) -> float:
        return self.label_width + month * self.month_width


def gantt_svg(
    bars: Sequence[Bar],
    *,
    months: Sequence[str],
    phases: Sequence[str],
    title: str,
    today: float | None = None,
    font_family: str | None = None,
    layout: Layout = Layout(),
) -> str:
    """An SVG Gantt chart; `today` is a fractional month index (None or outside 0–12: no marker)."""
    if len(months) != MONTHS or len(phases) != MONTHS // 3:
        raise ValueError("a Gantt chart needs 12 month names and 4 phase names")
    for bar in bars:
        if not 0 <= bar.start_month < bar.end_month <= MONTHS:
            raise ValueError(f"bar {bar.label!r} has months {bar.start_month}–{bar.end_month}")
    height = layout.header + max(len(bars), 1) * layout.row_height + 4
    body = [
        *_phase_bands(layout, phases, height),
        *_month_columns(layout, months, height),
        *(_row(layout, bar, n) for n, bar in enumerate(bars)),
        *_today(layout, today, height),
    ]
    attrs: dict[str, object] = {
        "xmlns": SVG_NS,
        "class": "gantt",
        "role": "img",
        "aria-label": title,
        "viewBox": f"0 0 {_num(layout.width)} {_num(height)}",
        "width": _num(layout.width),
        "height": _num(height),
        "font-size": _num(layout.font),
        "font-family": font_family,
    }
    return _element("svg", attrs, "".join([f"<title>{_escape(title)}</title>", *body]))


def _phase_bands(layout: Layout, phases: Sequence[str], height: float) -> list[str]:
    out = []
    for n, name in enumerate(phases):
        x, width = layout.x(3 * n), 3 * layout.month_width
        out.append(
            _element("rect", {"x": x, "y": 0, "width": width, "height": height, "fill": PHASE_FILL[n]})
        )
        out.append(_text(x + 6, 16, _clip(name, width - 12, layout.font), {"font-weight": "bold"}))
    return out


def _month_columns(layout: Layout, months: Sequence[str], height: float) -> list[str]:
    out = []
    for n, name in enumerate(months):
        x = layout.x(n)
        out.append(_element("line", {"x1": x, "y1": 22, "x2": x, "y2": height, "stroke": "#d5dbe3"}))
        out.append(_text(x + 4, 40, _clip(name, layout.month_width - 6, layout.font), {"fill": "#555"}))
    return out


def _row(layout: Layout, bar: Bar, index: int) -> str:
    y = layout.header + index * layout.row_height
    label = _clip(bar.label, layout.label_width - 10, layout.font)
    x, width = layout.x(bar.start_month), (bar.end_month - bar.start_month) * layout.month_width
    rect = {
        "class": f"gantt-bar status-{bar.status}",
        "x": x + 2,
        "y": y + 4,
        "width": width - 4,
        "height": layout.row_height - 8,
        "rx": 4,
        "fill": STATUS_FILL.get(bar.status, STATUS_FILL["planned"]),
        "stroke": "#1f2933" if bar.pinned else None,  # pinned bars are outlined
        "stroke-width": 2 if bar.pinned else None,
    }
    tip = f"<title>{_escape(bar.label)}</title>"
    return "<g>" + _text(6, y + layout.row_height * 0.65, label, {}) + _element("rect", rect, tip) + "</g>"


def _today(layout: Layout, today: float | None, height: float) -> list[str]:
    if today is None or not 0 <= today <= MONTHS:
        return []
    x = layout.x(today)
    line = {"class": "gantt-today", "x1": x, "y1": 22, "x2": x, "y2": height}
    return [_element("line", {**line, "stroke": "#d35400", "stroke-width": 2, "stroke-dasharray": "4 3"})]


def _text(x: float, y: float, text: str, attrs: Mapping[str, str]) -> str:
    return _element("text", {"x": x, "y": y, **attrs}, _escape(text))


def _clip(text: str, room: float, font: float) -> str:
    """Cut text that would not fit in `room` pixels (full-width characters count double)."""
    units, out = 0.0, list[str]()
    limit = room / (font * 0.6)
    for char in text:
        units += 2.0 if unicodedata.east_asian_width(char) in ("W", "F") else 1.0
        if units > limit:
            return "".join(out).rstrip() + "…"
        out.append(char)
    return text


def _escape(value: str) -> str:
    return html.escape(_XML_INVALID.sub("", value), quote=True)


def _num(value: float) -> str:
    return format(round(value, 1) + 0.0, "g")


def _element(tag: str, attrs: Mapping[str, object], content: str = "") -> str:
    shown = "".join(
        f' {k}="{_escape(v if isinstance(v, str) else _num(float(v)))}"'  # type: ignore[arg-type]
        for k, v in attrs.items()
        if v is not None
    )
    return f"<{tag}{shown}>{content}</{tag}>" if content else f"<{tag}{shown}/>"
