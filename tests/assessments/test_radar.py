"""The radar chart SVG: well-formed, geometrically sound, inert whatever the labels say."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assessments.radar import MAX_NAMED_AXES, Absence, RadarAxis, RadarSeries, radar_svg

NS = "{http://www.w3.org/2000/svg}"
CI = settings(deadline=None, max_examples=100)
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "a & b 'c'", "]]><!--")


def chart(labels: list[str], *series: RadarSeries, title: str = "Maturity") -> ET.Element:
    return ET.fromstring(radar_svg([RadarAxis(label) for label in labels], series, title=title))


def current(*values: float | None) -> RadarSeries:
    return RadarSeries("Current", list(values), "radar-current")


def polygons(root: ET.Element) -> list[list[tuple[float, float]]]:
    return [[point(pair) for pair in p.attrib["points"].split()] for p in root.iter(f"{NS}polygon")]


def point(pair: str) -> tuple[float, float]:
    x, y = pair.split(",")
    return float(x), float(y)


def outer_ring(root: ET.Element) -> tuple[float, float, float]:
    rings = [c for c in root.iter(f"{NS}circle") if c.get("class") == "radar-ring"]
    ring = max(rings, key=lambda c: float(c.attrib["r"]))
    return float(ring.attrib["cx"]), float(ring.attrib["cy"]), float(ring.attrib["r"])


def axis_titles(root: ET.Element) -> list[str]:
    return [g.findtext(f"{NS}title", "") for g in root.iter(f"{NS}g") if g.get("class") == "radar-axis"]


def test_chart_is_an_accessible_image_named_by_its_title() -> None:
    root = chart(["a", "b", "c"], current(1, 2, 3), title="Team <A> maturity")
    assert root.tag == f"{NS}svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "Team <A> maturity"
    assert root.findtext(f"{NS}title") == "Team <A> maturity"
    assert root.attrib["viewBox"].startswith("0 0 ")


@pytest.mark.parametrize("count", [3, 5, 12, 30])
def test_one_polygon_per_series_with_a_point_per_axis(count: int) -> None:
    target = RadarSeries("Target", [3] * count, "radar-target")
    previous = RadarSeries("Previous", [None] * count, "radar-previous")
    root = chart([f"axis {n}" for n in range(count)], current(*[2] * count), target, previous)
    assert [len(points) for points in polygons(root)] == [count, count, count]
    classes = [g.get("class") for g in root.iter(f"{NS}g") if "radar-series" in g.get("class", "")]
    assert classes == [
        "radar-series radar-current",
        "radar-series radar-target",
        "radar-series radar-previous",
    ]


@CI
@given(
    st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), min_size=3, max_size=20)
)
def test_points_lie_within_the_outer_ring(values: list[float | None]) -> None:
    root = chart([str(n) for n in range(len(values))], current(*values))
    cx, cy, r = outer_ring(root)
    for x, y in polygons(root)[0]:
        assert math.hypot(x - cx, y - cy) <= r + 0.2  # coordinates are rounded to 0.1


def test_a_full_score_reaches_the_outer_ring_and_zero_the_centre() -> None:
    root = chart(["a", "b", "c"], current(4, 0, 4))
    cx, cy, r = outer_ring(root)
    distances = [math.hypot(x - cx, y - cy) for x, y in polygons(root)[0]]
    assert distances == pytest.approx([r, 0, r], abs=0.2)


def test_missing_values_plot_at_zero_with_a_hollow_marker() -> None:
    root = chart(["a", "b", "c"], current(2, None, float("nan")))
    markers = [c for c in root.iter(f"{NS}circle") if "radar-point" in c.get("class", "")]
    assert ["radar-missing" in m.attrib["class"] for m in markers] == [False, True, True]
    assert all(m.attrib["fill"] == "#ffffff" for m in markers[1:])


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_come_out_as_inert_text(label: str) -> None:
    series = RadarSeries(label, [1, 2, 3], "radar-current")
    svg = radar_svg([RadarAxis(label)] * 3, [series], title=label)
    root = ET.fromstring(svg)
    assert axis_titles(root) == [label] * 3
    assert root.attrib["aria-label"] == label
    assert not [e for e in root.iter() if e.tag.split("}")[-1].lower() in {"script", "img", "foreignobject"}]
    assert not [name for e in root.iter() for name in e.attrib if name.lower().startswith("on")]


@CI
@given(
    st.lists(
        st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")),
        min_size=1,
        max_size=6,
    )
)
def test_any_label_text_survives_escaping_unchanged(labels: list[str]) -> None:
    root = chart(labels, current(*[1.0] * len(labels)))
    assert axis_titles(root) == labels


def test_characters_xml_cannot_carry_are_dropped_rather_than_breaking_the_document() -> None:
    root = chart(["bad\x00\x1bname", "b", "c"], current(1, 1, 1))
    assert axis_titles(root)[0] == "badname"


def test_chart_has_no_scripts_styles_or_external_references() -> None:
    svg = radar_svg([RadarAxis("a"), RadarAxis("b"), RadarAxis("c")], [current(1, 2, 3)], title="t")
    root = ET.fromstring(svg)
    tags = {e.tag.split("}")[-1] for e in root.iter()}
    assert tags <= {"svg", "title", "g", "circle", "line", "text", "polygon", "rect"}
    assert not [name for e in root.iter() for name in e.attrib if "href" in name]
    assert "url(" not in svg


def test_long_labels_wrap_to_two_lines_and_keep_the_full_text_as_a_tooltip() -> None:
    label = "Organisation, documentation and governance of machine learning systems"
    root = chart([label, "b", "c"], current(1, 1, 1))
    axis = next(g for g in root.iter(f"{NS}g") if g.get("class") == "radar-axis")
    lines = [t.text or "" for t in axis.iter(f"{NS}text")]
    assert len(lines) == 2
    assert label.startswith(lines[0])
    assert axis.findtext(f"{NS}title") == label


def test_japanese_labels_wrap_between_characters() -> None:
    label = "組織・ドキュメント・ガバナンス体制の整備と継続的な改善"
    root = chart(["a", label, "c"], current(1, 1, 1))
    axis = [g for g in root.iter(f"{NS}g") if g.get("class") == "radar-axis"][1]
    lines = [t.text or "" for t in axis.iter(f"{NS}text")]
    assert len(lines) == 2
    assert label.startswith(lines[0])


def test_side_labels_are_anchored_away_from_the_chart() -> None:
    root = chart(["top", "right", "bottom", "left"], current(1, 1, 1, 1))
    anchors = [t.attrib["text-anchor"] for t in root.iter(f"{NS}text") if t.get("text-anchor")]
    assert anchors == ["middle", "start", "middle", "end"]


def test_dense_charts_number_the_spokes_and_name_them_in_a_key() -> None:
    labels = [f"capability <{n}>" for n in range(MAX_NAMED_AXES + 1)]
    root = chart(labels, current(*[1] * len(labels)))
    spokes = [
        t.text for g in root.iter(f"{NS}g") if g.get("class") == "radar-axis" for t in g.iter(f"{NS}text")
    ]
    assert spokes == [str(n + 1) for n in range(len(labels))]
    key = next(g for g in root.iter(f"{NS}g") if g.get("class") == "radar-key")
    assert [t.text for t in key.iter(f"{NS}text")] == [f"{n + 1}. {label}" for n, label in enumerate(labels)]
    assert axis_titles(root) == labels


def test_series_are_listed_in_a_legend() -> None:
    target = RadarSeries("Target & goal", [3, 3, 3], "radar-target")
    root = chart(["a", "b", "c"], current(1, 2, 3), target)
    legend = next(g for g in root.iter(f"{NS}g") if g.get("class") == "radar-legend")
    assert [t.text for t in legend.iter(f"{NS}text")] == ["Current", "Target & goal"]


def test_presentation_attributes_style_the_chart_without_page_css() -> None:
    root = chart(["a", "b", "c"], current(1, 2, 3), RadarSeries("Target", [3, 3, 3], "radar-target"))
    current_shape, target_shape = root.iter(f"{NS}polygon")
    assert current_shape.attrib["fill"] != "none"
    assert "fill-opacity" in current_shape.attrib
    assert target_shape.attrib["fill"] == "none"
    assert "stroke-dasharray" in target_shape.attrib


def test_font_is_inherited_from_the_page_unless_one_is_named() -> None:
    axes = [RadarAxis("a"), RadarAxis("b"), RadarAxis("c")]
    assert "font-family" not in ET.fromstring(radar_svg(axes, [], title="t")).attrib
    named = ET.fromstring(radar_svg(axes, [], title="t", font_family='"Noto Sans JP", sans-serif'))
    assert named.attrib["font-family"] == '"Noto Sans JP", sans-serif'


def test_output_is_deterministic() -> None:
    axes = [RadarAxis(label) for label in ("データ", "Model", "Deploy", "Monitor")]
    series = [current(1.25, None, 3, 4), RadarSeries("Target", [2, 3, 3, 4], "radar-target")]
    assert radar_svg(axes, series, title="t") == radar_svg(list(axes), list(series), title="t")


@pytest.mark.parametrize("count", [1, 2])
def test_fewer_than_three_axes_draw_one_bar_per_series_and_axis(count: int) -> None:
    target = RadarSeries("Target", [3] * count, "radar-target")
    root = chart([f"axis {n}" for n in range(count)], current(*[None] * count), target)
    assert polygons(root) == []
    groups = [g for g in root.iter(f"{NS}g") if "radar-series" in g.get("class", "")]
    assert [len(g.findall(f"{NS}rect")) for g in groups] == [count, count]
    assert len([c for c in root.iter(f"{NS}circle") if "radar-missing" in c.get("class", "")]) == count
    assert axis_titles(root) == [f"axis {n}" for n in range(count)]


def test_bars_scale_with_the_level() -> None:
    root = chart(["a"], current(4), RadarSeries("Half", [2], "radar-target"))
    full, half = (float(r.attrib["width"]) for r in root.iter(f"{NS}rect") if r.get("class") == "radar-shape")
    assert half == pytest.approx(full / 2, abs=0.1)


def test_a_chart_without_axes_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one axis"):
        radar_svg([], [], title="t")


def test_series_must_have_one_value_per_axis() -> None:
    with pytest.raises(ValueError, match="'Current' has 2 values for 3 axes"):
        radar_svg([RadarAxis("a"), RadarAxis("b"), RadarAxis("c")], [current(1, 2)], title="t")


def test_css_class_must_be_a_single_class_name() -> None:
    with pytest.raises(ValueError, match="css_class"):
        radar_svg([RadarAxis("a")], [RadarSeries("x", [1], 'a" onload="x')], title="t")


# --- axes that do not apply ---------------------------------------------------------------------


def absent_chart(
    labels: list[str], absent: set[int], *series: RadarSeries, absence: Absence | None = None
) -> ET.Element:
    axes = [RadarAxis(label, absent=index in absent) for index, label in enumerate(labels)]
    return ET.fromstring(radar_svg(axes, series, title="Maturity", absence=absence))


def markers(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(f"{NS}circle") if "radar-point" in c.get("class", "")]


def test_an_absent_axis_gets_no_point_from_any_series_rather_than_zero() -> None:
    target = RadarSeries("Target", [3, 3, 3, 3], "radar-target")
    root = absent_chart(["a", "b", "c", "d"], {1}, current(2, None, 3, 1), target)
    cx, cy, _ = outer_ring(root)
    assert [len(points) for points in polygons(root)] == [3, 3]
    assert all(math.hypot(x - cx, y - cy) > 1 for points in polygons(root) for x, y in points)
    assert len(markers(root)) == 6
    assert not any("radar-missing" in m.attrib["class"] for m in markers(root))


def test_an_absent_axis_has_a_dashed_spoke_and_a_muted_label_marked_as_not_applicable() -> None:
    root = absent_chart(
        ["Data", "Serving", "Ops"], {1}, current(1, None, 2), absence=Absence("(n/a)", "(n/a): x")
    )
    spokes = next(g for g in root.iter(f"{NS}g") if g.get("class") == "radar-spokes")
    assert [line.get("class") for line in spokes] == [None, "radar-spoke-absent", None]
    labels = [g for g in root.iter(f"{NS}g") if "radar-axis" in g.get("class", "")]
    assert [g.get("class") for g in labels] == ["radar-axis", "radar-axis radar-absent", "radar-axis"]
    assert [t.text for t in labels[1].iter(f"{NS}text")] == ["Serving", "(n/a)"]
    assert labels[1].findtext(f"{NS}title") == "Serving (n/a)"


def test_the_legend_explains_absent_axes_only_when_a_chart_has_some() -> None:
    absence = Absence("（対象外）", "（対象外）：該当しないため採点していません")
    with_absent = absent_chart(["a", "b", "c"], {2}, current(1, 2, None), absence=absence)
    legend = next(g for g in with_absent.iter(f"{NS}g") if g.get("class") == "radar-legend")
    assert [t.text for t in legend.iter(f"{NS}text")] == [
        "Current",
        "（対象外）：該当しないため採点していません",
    ]
    without = absent_chart(["a", "b", "c"], set(), current(1, 2, None), absence=absence)
    assert "radar-absent" not in ET.tostring(without, encoding="unicode")


def test_a_series_can_lack_one_axis_that_the_others_keep() -> None:
    previous = RadarSeries("Previous", [1, None, 1], "radar-previous", absent=frozenset({1}))
    root = absent_chart(["a", "b", "c"], set(), current(2, 2, 2), previous)
    assert [len(points) for points in polygons(root)] == [3, 2]
    assert "radar-absent" in ET.tostring(root, encoding="unicode")


def test_every_axis_absent_draws_no_shape_at_all() -> None:
    root = absent_chart(["a", "b", "c"], {0, 1, 2}, current(None, None, None))
    assert polygons(root) == []
    assert markers(root) == []


def test_bars_leave_out_an_absent_axis() -> None:
    root = absent_chart(
        ["Data", "Serving"], {1}, current(3, None), RadarSeries("Target", [3, 3], "radar-target")
    )
    groups = [g for g in root.iter(f"{NS}g") if "radar-series" in g.get("class", "")]
    assert [len(g.findall(f"{NS}rect")) for g in groups] == [1, 1]
    assert markers(root) == []


def test_dense_charts_mark_absent_axes_in_the_key() -> None:
    labels = [f"c{n}" for n in range(MAX_NAMED_AXES + 1)]
    root = absent_chart(labels, {0}, current(*[1] * len(labels)))
    key = next(g for g in root.iter(f"{NS}g") if g.get("class") == "radar-key")
    assert next(key.iter(f"{NS}text")).text == "1. c0 (n/a)"


@pytest.mark.parametrize("text", HOSTILE)
def test_absence_texts_come_out_as_inert_text(text: str) -> None:
    root = absent_chart(["a", "b", "c"], {0}, current(1, 1, 1), absence=Absence(text, text))
    legend = next(g for g in root.iter(f"{NS}g") if g.get("class") == "radar-legend")
    assert list(legend.iter(f"{NS}text"))[-1].text == " ".join(text.split())
    assert " ".join(text.split()) in [t.text for t in root.iter(f"{NS}text")]


@CI
@given(st.lists(st.tuples(st.booleans(), st.one_of(st.none(), st.floats(0, 4))), min_size=3, max_size=20))
def test_each_series_has_a_point_on_exactly_the_axes_that_apply(
    axes: list[tuple[bool, float | None]],
) -> None:
    absent = {index for index, (is_absent, _) in enumerate(axes) if is_absent}
    root = absent_chart([str(n) for n in range(len(axes))], absent, current(*(v for _, v in axes)))
    shown = len(axes) - len(absent)
    assert len(markers(root)) == shown
    assert [len(points) for points in polygons(root)] == ([shown] if shown else [])
