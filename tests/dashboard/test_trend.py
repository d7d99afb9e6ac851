"""The trend line: one point per quarter with a level, gaps where there is none, all text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.dashboard.trend import sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_trend_draws_a_dot_per_level_and_breaks_the_line_at_a_missing_quarter() -> None:
    root = ET.fromstring(sparkline_svg([1.0, 2.0, None, 3.0, 3.5], title="Trend"))
    assert len(root.findall(f"{SVG}circle")) == 4
    assert len(root.findall(f"{SVG}polyline")) == 2


def test_higher_levels_are_drawn_higher() -> None:
    root = ET.fromstring(sparkline_svg([0.0, 4.0], title="Trend"))
    low, high = (float(c.get("cy", "0")) for c in root.findall(f"{SVG}circle"))
    assert high < low


def test_trend_title_is_escaped_and_control_characters_dropped() -> None:
    svg = sparkline_svg([1.0], title='<b>"R&D"</b>\x01')
    root = ET.fromstring(svg)
    assert root.get("aria-label") == '<b>"R&D"</b>'
    assert "<b>" not in svg
