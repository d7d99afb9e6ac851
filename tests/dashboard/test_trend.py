"""The trend line: one point per quarter with a level, gaps where there is none, all text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.dashboard.trend import Series, line_chart_svg, sparkline_svg

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


def test_area_chart_draws_a_line_per_area_and_labels_each_quarter() -> None:
    series = [Series("Data", (1.0, 2.0, 2.5)), Series("Ops", (0.5, None, 1.0))]
    root = ET.fromstring(line_chart_svg(["2026-Q1", "2026-Q2", "2026-Q3"], series, title="Areas"))
    groups = root.findall(f"{SVG}g")
    assert [g.get("class") for g in groups] == ["chart-series series-0", "chart-series series-1"]
    assert [g.findtext(f"{SVG}title") for g in groups] == ["Data", "Ops"]
    assert len(groups[0].findall(f"{SVG}polyline")) == 1
    assert len(groups[1].findall(f"{SVG}polyline")) == 0  # a gap leaves two single dots
    assert len(groups[1].findall(f"{SVG}circle")) == 2
    periods = [t.text for t in root.findall(f"{SVG}text") if t.get("class") == "chart-period"]
    assert periods == ["2026-Q1", "2026-Q2", "2026-Q3"]
    tips = [c.findtext(f"{SVG}title") for c in groups[0].findall(f"{SVG}circle")]
    assert tips == ["Data · 2026-Q1: 1.0", "Data · 2026-Q2: 2.0", "Data · 2026-Q3: 2.5"]


def test_area_chart_draws_higher_levels_higher_and_one_quarter_in_the_middle() -> None:
    root = ET.fromstring(line_chart_svg(["2026-Q1"], [Series("A", (4.0,)), Series("B", (0.0,))], title="T"))
    (high,), (low,) = (g.findall(f"{SVG}circle") for g in root.findall(f"{SVG}g"))
    assert float(high.get("cy", "0")) < float(low.get("cy", "0"))
    assert high.get("cx") == low.get("cx")


def test_area_chart_escapes_every_label() -> None:
    svg = line_chart_svg(['<b>"Q"</b>'], [Series("<script>x</script>&", (1.0,))], title="<i>t</i>\x02")
    root = ET.fromstring(svg)
    assert root.get("aria-label") == "<i>t</i>"
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert root.find(f"{SVG}g/{SVG}title").text == "<script>x</script>&"  # type: ignore[union-attr]
