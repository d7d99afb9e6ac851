"""The Gantt SVG: parses as XML, keeps bars inside the chart, escapes labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app.roadmap.planner.gantt import Bar, Layout, gantt_svg

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


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def test_long_item_names_are_shown_whole_over_several_lines() -> None:
    name = "Data drift and data-quality monitoring in production with alerts to the owning team"
    ja = "本番環境でのデータドリフトとデータ品質のモニタリング、担当チームへのアラート"
    root = _svg([Bar(name, 0, 3, "planned"), Bar(ja, 3, 6, "planned"), Bar("Short", 6, 7, "done")])
    texts = _texts(root)
    assert not [t for t in texts if "…" in t]
    assert " ".join(t for t in texts if t in name) == name
    assert "".join(t for t in texts if t in ja) == ja
    rows = [float(r.get("y") or 0) for r in root.iter(f"{NS}rect") if "gantt-bar" in (r.get("class") or "")]
    assert rows == sorted(rows)
    assert rows[1] - rows[0] > Layout().row_height  # the wrapped first row is taller


def test_month_names_may_carry_their_year_on_a_second_line() -> None:
    months = [f"M{n}\n2026" for n in range(12)]
    root = ET.fromstring(gantt_svg([], months=months, phases=PHASES, title="t"))
    texts = _texts(root)
    assert texts.count("2026") == 12
    assert "M0" in texts


def test_todays_marker_starts_below_the_month_names() -> None:
    root = _svg([Bar("A", 0, 3, "done")], today=0.0)
    [line] = [e for e in root.iter(f"{NS}line") if e.get("class") == "gantt-today"]
    lowest_month_name = max(
        float(t.get("y") or 0) for t in root.iter(f"{NS}text") if (t.text or "").startswith("M")
    )
    assert float(line.get("y1") or 0) > lowest_month_name


def test_japanese_names_fill_their_lines_and_no_line_starts_with_closing_punctuation() -> None:
    names = [
        "CI/CD パイプライン（ビルド、テスト、パッケージング）",
        "ソースコード管理とコードレビューとその先のレビュー",
    ]
    root = _svg([Bar(n, 0, 1, "planned") for n in names])
    lines = [t for t in _texts(root) if t and t[0] not in "MF" and t not in PHASES]
    assert lines[0].startswith("CI/CD パイプライン")  # the Latin word does not sit alone on its line
    assert not [t for t in lines if t[0] in "ー、。）"]
