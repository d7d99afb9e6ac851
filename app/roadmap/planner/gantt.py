"""The roadmap as a Gantt chart: a self-contained, escaped SVG string for pages and PDFs alike.

Month columns (a month name may hold a second line, e.g. its year, after a newline), the four phase
bands above them, one row per item with its full name wrapped over as many lines as it needs and a
bar coloured by status, and a dashed line at today that starts below the month names. Pure: plain
values in, text out.
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
NO_LINE_START = frozenset(
    "ー、。，．）」』】〕・：；？！ァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ,.;:!?)]}"
)
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
    label_width: float = 240
    month_width: float = 54
    row_height: float = 26  # of a one-line label; each further line adds `line_height`
    line_height: float = 15
    header: float = 62  # phase band + month names on two lines
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
    labels = [_wrap(bar.label, layout.label_width - 10, layout.font) for bar in bars]
    heights = [layout.row_height + (len(lines) - 1) * layout.line_height for lines in labels]
    tops = [layout.header + sum(heights[:n]) for n in range(len(bars))]
    height = layout.header + (sum(heights) if bars else layout.row_height) + 4
    body = [
        *_phase_bands(layout, phases, height),
        *_month_columns(layout, months, height),
        *(
            _row(layout, bar, lines, top, h)
            for bar, lines, top, h in zip(bars, labels, tops, heights, strict=True)
        ),
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
        for line, part in enumerate(name.split("\n")[:2]):
            shown = _clip(part, layout.month_width - 6, layout.font)
            out.append(_text(x + 4, 38 + line * layout.line_height, shown, {"fill": "#555"}))
    return out


def _row(layout: Layout, bar: Bar, lines: Sequence[str], y: float, height: float) -> str:
    x, width = layout.x(bar.start_month), (bar.end_month - bar.start_month) * layout.month_width
    rect = {
        "class": f"gantt-bar status-{bar.status}",
        "x": x + 2,
        "y": y + (height - layout.row_height) / 2 + 4,
        "width": width - 4,
        "height": layout.row_height - 8,
        "rx": 4,
        "fill": STATUS_FILL.get(bar.status, STATUS_FILL["planned"]),
        "stroke": "#1f2933" if bar.pinned else None,  # pinned bars are outlined
        "stroke-width": 2 if bar.pinned else None,
    }
    tip = f"<title>{_escape(bar.label)}</title>"
    first = y + layout.row_height * 0.65
    label = "".join(_text(6, first + n * layout.line_height, line, {}) for n, line in enumerate(lines))
    rule = {"x1": 0, "y1": y + height, "x2": layout.width, "y2": y + height, "stroke": "#eef0f4"}
    return "<g>" + label + _element("rect", rect, tip) + _element("line", rule) + "</g>"


def _today(layout: Layout, today: float | None, height: float) -> list[str]:
    if today is None or not 0 <= today <= MONTHS:
        return []
    x = layout.x(today)
    # From below the month names down: the marker never covers a label.
    line = {"class": "gantt-today", "x1": x, "y1": layout.header - 4, "x2": x, "y2": height}
    return [_element("line", {**line, "stroke": "#d35400", "stroke-width": 2, "stroke-dasharray": "4 3"})]


def _text(x: float, y: float, text: str, attrs: Mapping[str, str]) -> str:
    return _element("text", {"x": x, "y": y, **attrs}, _escape(text))


def _width(char: str) -> float:
    """A character's width in half-width units (full-width characters count double)."""
    return 2.0 if unicodedata.east_asian_width(char) in ("W", "F") else 1.0


def _wrap(text: str, room: float, font: float) -> list[str]:
    """The whole text in lines that fit in `room` pixels: Latin words break at spaces (or anywhere
    when too long for a line), Japanese between any characters, never before closing punctuation."""
    limit = room / (font * 0.6)
    lines: list[str] = []
    line, used = "", 0.0
    for word in re.split(r"(?<= )", " ".join(text.split())):
        latin = all(_width(c) == 1.0 for c in word)
        if latin and line and used + sum(_width(c) for c in word) > limit:
            lines.append(line.rstrip())
            line, used = "", 0.0
        for char in word:
            if line and used + _width(char) > limit and char not in NO_LINE_START:
                lines.append(line.rstrip())
                line, used = "", 0.0
            line, used = line + char, used + _width(char)
    return [*lines, line.rstrip()] if line.strip() or not lines else lines


def _clip(text: str, room: float, font: float) -> str:
    """Cut text that would not fit in `room` pixels (full-width characters count double)."""
    units, out = 0.0, list[str]()
    limit = room / (font * 0.6)
    for char in text:
        units += _width(char)
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
