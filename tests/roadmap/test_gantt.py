"""The Gantt SVG: parses as XML, keeps bars inside the chart, escapes labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.roadmap.gantt import Bar, Layout, gantt_svg

MONTHS = [f"M{n}" for n in range(12)]
PHASES = ["Foundation", "Automation", "Monitoring", "Optimisation"]
NS = "{http://www.w3.org/2000/svg}"


def _svg(bars: list[Bar], today: float | None = 1.5) -> ET.Element:
    return ET.fromstring(gantt_svg(bars, months=MONTHS, phases=PHASES, title="Plan <&>", today=today))


def test_svg_parses_and_bars_stay_inside_the_chart() -> None:
    root = _svg([Bar("A", 0, 3, "done"), Bar("B", 9, 12, "blocked", pinned=True)])
    width = float(root.get("width") or 0)
    bars = [r for r in root.iter(f"{NS}rect") if "gantt-bar" in (r.get("class") or "")]
    assert len(bars) == 2
    for bar in bars:
        x, w = float(bar.get("x") or 0), float(bar.get("width") or 0)
        assert Layout().label_width <= x
        assert x + w <= width


def test_labels_are_escaped() -> None:
    text = gantt_svg([Bar("<script>&", 0, 1, "planned")], months=MONTHS, phases=PHASES, title="t")
    assert "<script>" not in text
    assert "&lt;script&gt;&amp;" in text
    ET.fromstring(text)


def test_today_marker_only_inside_the_year() -> None:
    assert len([e for e in _svg([], today=2).iter(f"{NS}line") if e.get("class") == "gantt-today"]) == 1
    assert not [e for e in _svg([], today=13).iter(f"{NS}line") if e.get("class") == "gantt-today"]


def test_bars_outside_the_year_are_refused() -> None:
    with pytest.raises(ValueError, match="months 11"):
        gantt_svg([Bar("x", 11, 13, "planned")], months=MONTHS, phases=PHASES, title="t")
