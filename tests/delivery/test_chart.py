"""The delivery line chart: escaped text, a dot per point on a time axis, a round y scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.delivery.chart import Tick, line_chart_svg, nice_max

NS = "{http://www.w3.org/2000/svg}"


def _svg(points: list[tuple[float, float]], span: float, title: str = "t") -> ET.Element:
    text = line_chart_svg(
        points,
        x_ticks=[Tick(0, "Sep 1"), Tick(span, "Dec 1")],
        y_ticks=[Tick(0, "0"), Tick(5, "5"), Tick(10, "10")],
        x_span=span,
        y_max=10,
        title=title,
        desc="3 points",
    )
    return ET.fromstring(text)


def test_each_point_is_a_dot_placed_by_its_day_and_the_text_is_escaped() -> None:
    svg = _svg([(0, 0), (10, 5), (90, 10)], 90, title='<script>alert("x")</script> & co')
    assert svg.find(f"{NS}title").text == '<script>alert("x")</script> & co'  # type: ignore[union-attr]
    assert svg.find(f"{NS}desc").text == "3 points"  # type: ignore[union-attr]
    assert svg.get("role") == "img"
    dots = svg.findall(f"{NS}circle")
    assert len(dots) == 3
    xs = [float(d.get("cx")) for d in dots]  # type: ignore[arg-type]
    assert xs[0] < xs[1] < xs[2]
    assert (xs[1] - xs[0]) * 8 < xs[2] - xs[1]  # 10 days, then 80: time, not sync count
    ys = [float(d.get("cy")) for d in dots]  # type: ignore[arg-type]
    assert ys[0] > ys[1] > ys[2]  # higher values higher up
    assert dots[-1].get("class") == "chart-dot chart-last"
    assert svg.find(f"{NS}polyline") is not None
    labels = [t.text for t in svg.findall(f"{NS}text")]
    assert labels == ["0", "5", "10", "Sep 1", "Dec 1"]


def test_a_single_point_is_a_dot_in_the_middle_without_a_line() -> None:
    svg = _svg([(0, 4)], 0)
    assert len(svg.findall(f"{NS}circle")) == 1
    assert svg.find(f"{NS}polyline") is None


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 1), (0.004, 0.005), (0.13, 0.2), (1.3, 2), (2.2, 2.5), (4, 5), (72, 100), (100, 100)],
)
def test_the_y_scale_ends_on_a_round_number(value: float, top: float) -> None:
    assert nice_max(value) == pytest.approx(top)
