"""Draw levels per axis as a self-contained SVG radar chart, for the results page and the PDF reports.

The SVG has no scripts and no external references. Colours and dashes are presentation attributes, so
it looks right where the page's CSS does not reach (WeasyPrint renders inline SVG as an isolated
image); the class names (`radar-current`, `radar-shape`, ...) let the page's CSS override them.
All text is escaped. With fewer than three axes a polygon says nothing, so those charts are drawn as
horizontal bars on the same 0..max_level scale. An axis that does not apply (a capability answered
"not applicable") is absent, not 0: no series has a point there, its spoke is dashed, its label muted
and marked, and the legend says what that means.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
GRID = "#d1d5db"
MUTED = "#6b7280"
INK = "#1f2937"
MAX_NAMED_AXES = 12  # beyond this, spokes are numbered and the names listed in a key below
_CLASS = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Attrs = Mapping[str, str | float | None]


@dataclass(frozen=True)
class RadarAxis:
    label: str
    absent: bool = False  # not applicable: no series is drawn on this axis


@dataclass(frozen=True)
class RadarSeries:
    name: str
    values: Sequence[float | None]  # one per axis; None plots at 0 with a hollow marker
    css_class: str  # e.g. "radar-current", "radar-target", "radar-previous"
    absent: frozenset[int] = frozenset()  # axes where only this series did not apply: no point there


@dataclass(frozen=True)
class Absence:
    """How an absent axis is named: a short mark under its label, and the legend's explanation."""

    mark: str = "(n/a)"
    legend: str = "(n/a): not applicable, so not scored"


@dataclass(frozen=True)
class _Look:
    stroke: str
    fill: str = "none"
    fill_opacity: str | None = None
    dasharray: str | None = None


_LOOKS = {
    "radar-current": _Look("#2563eb", fill="#2563eb", fill_opacity="0.25"),
    "radar-target": _Look("#15803d", dasharray="6 4"),
    "radar-previous": _Look("#6b7280", dasharray="2 3"),
}
_ABSENT_SPOKE: Attrs = {"class": "radar-spoke-absent", "stroke": "#9ca3af", "stroke-dasharray": "2 4"}
_OTHER_LOOKS = (_Look("#9333ea"), _Look("#c2410c"), _Look("#0e7490"), _Look("#be185d"))


@dataclass(frozen=True)
class _Frame:
    """The drawing's scale, shared by every helper."""

    size: float
    max_level: int
    absence: Absence = Absence()

    @property
    def width(self) -> float:
        return round(self.size * 3 / 2)  # wider than tall: side labels need the room

    @property
    def font(self) -> float:
        return max(9, round(self.size / 30))

    @property
    def line(self) -> float:
        return self.font * 1.25

    @property
    def cx(self) -> float:
        return self.width / 2

    @property
    def cy(self) -> float:
        return self.size / 2

    @property
    def radius(self) -> float:
        return self.size * 0.34


def radar_svg(
    axes: Sequence[RadarAxis],
    series: Sequence[RadarSeries],
    *,
    size: int = 360,
    max_level: int = 4,
    title: str,
    font_family: str | None = None,
    absence: Absence | None = None,
) -> str:
    """An inline SVG radar chart of the series over the axes (bars when there are 1 or 2 axes)."""
    _check(axes, series, size, max_level)
    frame = _Frame(size=size, max_level=max_level, absence=absence or Absence())
    body, height = _radar(frame, axes, series) if len(axes) >= 3 else _bars(frame, axes, series)
    legend, legend_height = _legend(frame, series, top=height, absent=_any_absent(axes, series))
    key, key_height = _key(frame, axes, top=height + legend_height)
    return _root(frame, height + legend_height + key_height, title, font_family, [*body, *legend, *key])


def _check(axes: Sequence[RadarAxis], series: Sequence[RadarSeries], size: int, max_level: int) -> None:
    if not axes:
        raise ValueError("a radar chart needs at least one axis")
    if size < 120 or max_level < 1:
        raise ValueError("size must be at least 120 and max_level at least 1")
    for one in series:
        if len(one.values) != len(axes):
            raise ValueError(f"series {one.name!r} has {len(one.values)} values for {len(axes)} axes")
        if not _CLASS.fullmatch(one.css_class):
            raise ValueError(f"series {one.name!r}: css_class must be one class name")


def _root(frame: _Frame, height: float, title: str, font_family: str | None, body: list[str]) -> str:
    # No font-family by default: in a page the text inherits the page font (Japanese included);
    # WeasyPrint does not cascade page CSS into inline SVG, so PDFs pass the font name explicitly.
    attrs: Attrs = {
        "xmlns": SVG_NS,
        "class": "radar",
        "role": "img",
        "aria-label": title,
        "viewBox": f"0 0 {_num(frame.width)} {_num(height)}",
        "width": frame.width,
        "height": height,
        "font-family": font_family,
        "font-size": frame.font,
    }
    return _element("svg", attrs, "\n".join([_text_element("title", {}, title), *body]))


# --- radar layout ------------------------------------------------------------------------------


def _radar(
    frame: _Frame, axes: Sequence[RadarAxis], series: Sequence[RadarSeries]
) -> tuple[list[str], float]:
    angles = [2 * math.pi * index / len(axes) for index in range(len(axes))]
    parts = [_rings(frame), _spokes(frame, axes, angles), _axis_labels(frame, axes, angles)]
    parts += [_polygon(frame, one, axes, angles, index) for index, one in enumerate(series)]
    return parts, frame.size


def _point(frame: _Frame, angle: float, level: float) -> tuple[float, float]:
    """Where a level sits on the spoke at `angle` (0 = straight up, clockwise)."""
    return _polar(frame, angle, frame.radius * level / frame.max_level)


def _polar(frame: _Frame, angle: float, distance: float) -> tuple[float, float]:
    return frame.cx + distance * math.sin(angle), frame.cy - distance * math.cos(angle)


def _rings(frame: _Frame) -> str:
    rings = [
        _element("circle", {"class": "radar-ring", "cx": frame.cx, "cy": frame.cy, "r": _ring(frame, level)})
        for level in range(1, frame.max_level + 1)
    ]
    numbers = [
        _text_element("text", {"x": frame.cx + 4, "y": frame.cy - _ring(frame, level) - 3}, str(level))
        for level in range(frame.max_level + 1)
    ]
    grid = _element("g", {"class": "radar-grid", "fill": "none", "stroke": GRID}, "".join(rings))
    levels = _element(
        "g", {"class": "radar-level-numbers", "fill": MUTED, "font-size": frame.font * 0.8}, "".join(numbers)
    )
    return grid + levels


def _ring(frame: _Frame, level: int) -> float:
    return frame.radius * level / frame.max_level


def _spokes(frame: _Frame, axes: Sequence[RadarAxis], angles: Sequence[float]) -> str:
    lines = []
    for axis, angle in zip(axes, angles, strict=True):
        x, y = _point(frame, angle, frame.max_level)
        ends: Attrs = {"x1": frame.cx, "y1": frame.cy, "x2": x, "y2": y}
        lines.append(_element("line", {**ends, **(_ABSENT_SPOKE if axis.absent else {})}))
    return _element("g", {"class": "radar-spokes", "stroke": GRID}, "".join(lines))


def _axis_labels(frame: _Frame, axes: Sequence[RadarAxis], angles: Sequence[float]) -> str:
    labels = [_axis_label(frame, axis, angles, index) for index, axis in enumerate(axes)]
    return _element("g", {"class": "radar-labels", "fill": INK}, "".join(labels))


def _axis_label(frame: _Frame, axis: RadarAxis, angles: Sequence[float], index: int) -> str:
    """The label just outside the outer ring, anchored away from the chart, in at most two lines."""
    angle = angles[index]
    x, y = _polar(frame, angle, frame.radius + 10)
    across = math.sin(angle)
    anchor = "middle" if abs(across) < 0.15 else "start" if across > 0 else "end"
    between_neighbours = 2 * (frame.radius + 10) * math.sin(angles[1])
    room = {"start": frame.width - x, "end": x, "middle": min(frame.radius * 1.4, between_neighbours)}[anchor]
    dense = len(angles) > MAX_NAMED_AXES
    lines = (str(index + 1),) if dense else _wrap(axis.label, (room - 6) / (frame.font * 0.55))
    lines = _marked(frame, axis, lines)
    height = len(lines) * frame.line
    top = y - height / 2 * (1 + math.cos(angle))  # above the top spoke, below the bottom one
    return _label_block(axis, lines, x, top, anchor, frame)


def _polygon(
    frame: _Frame, one: RadarSeries, axes: Sequence[RadarAxis], angles: Sequence[float], index: int
) -> str:
    """The series' shape through its points, going straight past the axes where it has none."""
    look = _look(one.css_class, index)
    shown = [(a, v) for n, (a, v) in enumerate(zip(angles, one.values, strict=True)) if _drawn(axes, one, n)]
    points = [_point(frame, a, _plotted(v, frame.max_level)) for a, v in shown]
    shape_attrs = {"class": "radar-shape", "points": " ".join(f"{_num(x)},{_num(y)}" for x, y in points)}
    shape = [_element("polygon", {**shape_attrs, **_paint(look)})] if points else []
    markers = [_marker(x, y, look, _missing(v)) for (x, y), (_, v) in zip(points, shown, strict=True)]
    return _series_group(one, [*shape, *markers])


# --- bar layout (1 or 2 axes) ------------------------------------------------------------------


@dataclass(frozen=True)
class _BarGrid:
    frame: _Frame
    rows: int  # bars per axis: one per series, at least one so an empty chart keeps its shape

    @property
    def left(self) -> float:
        return self.frame.width * 0.34

    @property
    def right(self) -> float:
        return self.frame.width - 16

    @property
    def top(self) -> float:
        return self.frame.font * 2

    @property
    def block(self) -> float:
        return self.rows * (self.frame.font + 4) + self.frame.font

    def x(self, level: float) -> float:
        return self.left + (self.right - self.left) * level / self.frame.max_level

    def bar_y(self, axis: int, row: int) -> float:
        return self.top + axis * self.block + self.frame.font / 2 + row * (self.frame.font + 4)


def _bars(frame: _Frame, axes: Sequence[RadarAxis], series: Sequence[RadarSeries]) -> tuple[list[str], float]:
    grid = _BarGrid(frame, rows=max(1, len(series)))
    bottom = grid.top + len(axes) * grid.block
    parts = [_bar_scale(grid, bottom), _bar_labels(grid, axes)]
    parts += [_bar_series(grid, one, axes, index) for index, one in enumerate(series)]
    return parts, bottom + frame.font


def _bar_scale(grid: _BarGrid, bottom: float) -> str:
    lines, numbers = [], []
    for level in range(grid.frame.max_level + 1):
        x = grid.x(level)
        lines.append(
            _element("line", {"class": "radar-ring", "x1": x, "y1": grid.top - 4, "x2": x, "y2": bottom})
        )
        numbers.append(_text_element("text", {"x": x, "y": grid.top - 8}, str(level)))
    number_attrs: Attrs = {"class": "radar-level-numbers", "fill": MUTED, "font-size": grid.frame.font * 0.8}
    scale = _element("g", {**number_attrs, "text-anchor": "middle"}, "".join(numbers))
    return _element("g", {"class": "radar-grid", "stroke": GRID}, "".join(lines)) + scale


def _bar_labels(grid: _BarGrid, axes: Sequence[RadarAxis]) -> str:
    frame, labels = grid.frame, []
    for index, axis in enumerate(axes):
        lines = _marked(frame, axis, _wrap(axis.label, (grid.left - 14) / (frame.font * 0.55)))
        top = grid.top + index * grid.block + (grid.block - len(lines) * frame.line) / 2
        labels.append(_label_block(axis, lines, grid.left - 8, top, "end", frame))
    return _element("g", {"class": "radar-labels", "fill": INK}, "".join(labels))


def _bar_series(grid: _BarGrid, one: RadarSeries, axes: Sequence[RadarAxis], index: int) -> str:
    look, bars = _look(one.css_class, index), []
    for axis, value in enumerate(one.values):
        if not _drawn(axes, one, axis):
            continue
        y, length = grid.bar_y(axis, index), grid.x(_plotted(value, grid.frame.max_level)) - grid.left
        rect: Attrs = {
            "class": "radar-shape",
            "x": grid.left,
            "y": y,
            "width": length,
            "height": grid.frame.font,
        }
        bars.append(_element("rect", {**rect, **_paint(look)}))
        if _missing(value):
            bars.append(_marker(grid.left, y + grid.frame.font / 2, look, missing=True))
    return _series_group(one, bars)


# --- shared pieces -----------------------------------------------------------------------------


def _legend(
    frame: _Frame, series: Sequence[RadarSeries], top: float, absent: bool
) -> tuple[list[str], float]:
    items = [
        _legend_item(frame, one, index, top + (index + 1) * frame.line * 1.3)
        for index, one in enumerate(series)
    ]
    if absent:
        items.append(_absent_legend_item(frame, top + (len(items) + 1) * frame.line * 1.3))
    height = len(items) * frame.line * 1.3 + (frame.font if items else 0)
    return ([_element("g", {"class": "radar-legend"}, "".join(items))] if items else []), height


def _legend_item(frame: _Frame, one: RadarSeries, index: int, baseline: float) -> str:
    look = _look(one.css_class, index)
    box: Attrs = {
        "class": "radar-swatch",
        "x": 12,
        "y": baseline - frame.font * 0.8,
        "width": 22,
        "height": frame.font * 0.8,
    }
    name = _clip(" ".join(_clean(one.name).split()), (frame.width - 60) / (frame.font * 0.55))
    label = _text_element("text", {"x": 42, "y": baseline, "fill": INK}, name)
    return _element(
        "g",
        {"class": f"radar-legend-item {one.css_class}"},
        _element("rect", {**box, **_paint(look)}) + label,
    )


def _absent_legend_item(frame: _Frame, baseline: float) -> str:
    """A dashed spoke and what it means: an axis left out because it does not apply."""
    middle = baseline - frame.font * 0.4
    spoke = _element(
        "line", {"x1": 12, "y1": middle, "x2": 34, "y2": middle, "stroke-width": 2, **_ABSENT_SPOKE}
    )
    text = _clip(" ".join(_clean(frame.absence.legend).split()), (frame.width - 60) / (frame.font * 0.55))
    label = _text_element("text", {"x": 42, "y": baseline, "fill": MUTED}, text)
    return _element("g", {"class": "radar-legend-item radar-absent"}, spoke + label)


def _key(frame: _Frame, axes: Sequence[RadarAxis], top: float) -> tuple[list[str], float]:
    """Numbered axis names in two columns, for charts too dense to name each spoke."""
    if len(axes) <= MAX_NAMED_AXES:
        return [], 0.0
    rows = math.ceil(len(axes) / 2)
    room = (frame.width / 2 - 30) / (frame.font * 0.55)
    entries = [
        _text_element(
            "text",
            {"x": 12 + (index // rows) * frame.width / 2, "y": top + (index % rows + 1) * frame.line},
            f"{index + 1}. {_clip(' '.join(_clean(_key_label(frame, axis)).split()), room)}",
        )
        for index, axis in enumerate(axes)
    ]
    return [_element("g", {"class": "radar-key", "fill": INK}, "".join(entries))], (rows + 1) * frame.line


def _series_group(one: RadarSeries, children: list[str]) -> str:
    content = _text_element("title", {}, one.name) + "".join(children)
    return _element("g", {"class": f"radar-series {one.css_class}"}, content)


def _marker(x: float, y: float, look: _Look, missing: bool) -> str:
    """A dot on each value; hollow where there was no value, so 'unscored' does not read as 0."""
    fill = "#ffffff" if missing else look.stroke
    css = "radar-point radar-missing" if missing else "radar-point"
    return _element("circle", {"class": css, "cx": x, "cy": y, "r": 3, "fill": fill, "stroke": look.stroke})


def _label_block(
    axis: RadarAxis, lines: Sequence[str], x: float, top: float, anchor: str, frame: _Frame
) -> str:
    """Lines of a label stacked from `top`, with the full label as a tooltip and accessible name."""
    texts = [
        _text_element(
            "text", {"x": x, "y": top + frame.line * index + frame.font * 0.9, "text-anchor": anchor}, line
        )
        for index, line in enumerate(lines)
    ]
    title = _text_element("title", {}, _key_label(frame, axis) if axis.absent else axis.label)
    attrs: Attrs = {"class": "radar-axis radar-absent", "fill": MUTED, "font-style": "italic"}
    return _element("g", attrs if axis.absent else {"class": "radar-axis"}, title + "".join(texts))


def _marked(frame: _Frame, axis: RadarAxis, lines: tuple[str, ...]) -> tuple[str, ...]:
    """An absent axis's label lines with the absence mark as one more line."""
    return (*lines, " ".join(_clean(frame.absence.mark).split())) if axis.absent else lines


def _key_label(frame: _Frame, axis: RadarAxis) -> str:
    return f"{axis.label} {frame.absence.mark}" if axis.absent else axis.label


def _drawn(axes: Sequence[RadarAxis], one: RadarSeries, index: int) -> bool:
    """Whether the series has a point on this axis (none where the axis or the series does not apply)."""
    return not axes[index].absent and index not in one.absent


def _any_absent(axes: Sequence[RadarAxis], series: Sequence[RadarSeries]) -> bool:
    return any(a.absent for a in axes) or any(one.absent for one in series)


def _look(css_class: str, index: int) -> _Look:
    return _LOOKS.get(css_class, _OTHER_LOOKS[index % len(_OTHER_LOOKS)])


def _paint(look: _Look) -> Attrs:
    return {
        "fill": look.fill,
        "fill-opacity": look.fill_opacity,
        "stroke": look.stroke,
        "stroke-width": 2,
        "stroke-dasharray": look.dasharray,
        "stroke-linejoin": "round",
    }


def _missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _plotted(value: float | None, max_level: int) -> float:
    """Where a value is drawn: missing at 0, anything else clamped to the scale."""
    return 0.0 if value is None or math.isnan(value) else min(max(value, 0.0), float(max_level))


# --- text and XML ------------------------------------------------------------------------------


def _wrap(label: str, room: float) -> tuple[str, ...]:
    """The label in one line, or two with the second clipped; `room` counts half-width characters."""
    text = " ".join(_clean(label).split())
    if _units(text) <= room:
        return (text,)
    cut = _fit(text, room)
    space = text.rfind(" ", 0, cut + 1)
    first, rest = (text[:space], text[space + 1 :]) if space > 0 else (text[:cut], text[cut:])
    return first, _clip(rest, room)


def _clip(text: str, room: float) -> str:
    return text if _units(text) <= room else text[: _fit(text, room - 2)].rstrip() + "…"


def _fit(text: str, room: float) -> int:
    """How many leading characters fit in `room` (at least one, so wrapping always moves on)."""
    used = 0.0
    for index, char in enumerate(text):
        used += _char_units(char)
        if used > room:
            return max(index, 1)
    return len(text)


def _units(text: str) -> float:
    return sum(_char_units(char) for char in text)


def _char_units(char: str) -> float:
    # Japanese and other full-width characters take about twice the width of Latin ones
    return 2.0 if unicodedata.east_asian_width(char) in ("W", "F") else 1.0


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry even when escaped."""
    return _XML_INVALID.sub("", text)


def _escape(value: str) -> str:
    return html.escape(_clean(value), quote=True)


def _num(value: float) -> str:
    return format(round(value, 1) + 0.0, "g")  # + 0.0 turns -0.0 into 0.0


def _element(tag: str, attrs: Attrs, content: str = "") -> str:
    return f"<{tag}{_attrs(attrs)}>{content}</{tag}>" if content else f"<{tag}{_attrs(attrs)}/>"


def _text_element(tag: str, attrs: Attrs, text: str) -> str:
    return f"<{tag}{_attrs(attrs)}>{_escape(text)}</{tag}>"


def _attrs(attrs: Attrs) -> str:
    """Attributes in the given order; None leaves one out. Names are ours, values may be user data."""
    return "".join(
        f' {name}="{_escape(value if isinstance(value, str) else _num(value))}"'
        for name, value in attrs.items()
        if value is not None
    )
