"""A key result's history chart: an escaped SVG that places check-ins over the objective's days."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from app.okrs.chart import HEIGHT, PAD, WIDTH, Frame, history_svg

FRAME = Frame(date(2027, 1, 1), date(2027, 3, 31), date(2027, 3, 31), start=0, target=80)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_chart_draws_a_dot_per_check_in_and_a_line_through_them() -> None:
    points = [(datetime(2027, 2, 14, tzinfo=UTC), 40.0), (datetime(2027, 1, 1, tzinfo=UTC), 0.0)]
    svg = _parse(history_svg(FRAME, points, title="Coverage"))
    ns = "{http://www.w3.org/2000/svg}"
    dots = svg.findall(f"{ns}circle")
    assert len(dots) == 2
    line = svg.find(f"{ns}polyline")
    assert line is not None
    first, second = (tuple(float(v) for v in p.split(",")) for p in line.attrib["points"].split())
    assert first == (PAD, HEIGHT - PAD)  # the first day, at the start value: sorted by time
    assert PAD < second[0] < WIDTH - PAD
    assert second[1] == HEIGHT / 2


def test_without_check_ins_the_chart_still_shows_the_target_and_expected_lines() -> None:
    svg = history_svg(FRAME, [], title="Coverage")
    assert "okr-chart-target" in svg
    assert "okr-chart-expected" in svg
    assert "<circle" not in svg
    assert "<polyline" not in svg


def test_the_title_is_escaped() -> None:
    svg = history_svg(FRAME, [], title='<script>alert(1)</script> & "x"\x00')
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&amp;" in svg
    assert "&quot;x&quot;" in svg
    _parse(svg)  # well-formed, the NUL dropped


def test_check_ins_outside_the_objectives_days_stay_inside_the_chart() -> None:
    points = [(datetime(2026, 12, 1, tzinfo=UTC), 10.0), (datetime(2027, 6, 1, tzinfo=UTC), 90.0)]
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', history_svg(FRAME, points, title="t"))]
    assert xs == [PAD, WIDTH - PAD]
