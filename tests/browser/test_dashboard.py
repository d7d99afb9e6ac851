"""The dashboard at work in a real browser, in each language: a viewer narrows it to two teams, compares
two quarters side by side, opens one team's trend and compares that team's last two assessments answer
by answer. Every choice is made in the page's own forms; each step keeps the filters chosen before it.

The viewer's stored language is also switched by test_plan_track_report.py: each run chooses its own
first, so the order of the two tests does not matter."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser
VIEWER = "cto@example.com"  # leadership: sees every team, changes nothing
CHOSEN = ["Fraud Detection", "Recommendations"]
TEAM = "Recommendations"
AREAS = 5  # the full model's dimensions, the dashboard's default model (most used, then by name)

WORDS = {
    "en": {
        "dashboard": "Dashboard",
        "show": "Show",
        "compare_quarters": "Compare the quarters",
        "beside": "{a} beside {b}",
        "trend": "Trend",
        "team_title": "Trend of {team}",
        "compare_answers": "Compare the answers",
        "changed": r"\d+ answers? changed",
    },
    "ja": {
        "dashboard": "ダッシュボード",
        "show": "表示",
        "compare_quarters": "四半期を比較",
        "beside": "{a} と {b} の比較",
        "trend": "推移",
        "team_title": "{team} の推移",
        "compare_answers": "回答を比較",
        "changed": r"\d+ 件の回答が変わりました",
    },
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_viewer_filters_the_dashboard_compares_two_quarters_and_opens_a_teams_trend(  # type: ignore[no-untyped-def]
    page, live_server: LiveServer, lang: str
) -> None:
    words = WORDS[lang]
    sign_in(page, live_server, VIEWER)
    choose_language(page, lang)
    page.get_by_role("link", name=words["dashboard"], exact=True).click()
    page.wait_for_url("**/dashboard")

    filters = page.locator("form.dash-filters")
    filters.locator("#dash-team").select_option(label=CHOSEN)
    filters.get_by_role("button", name=words["show"], exact=True).click()
    page.wait_for_url(re.compile(r".*/dashboard\?.*team=\d+.*team=\d+"))
    assert page.locator("table.dash th.dash-team > a").all_inner_texts() == CHOSEN
    assert page.locator("svg.area-chart g.chart-series").count() == AREAS

    quarters = page.locator("#dash-quarter_a option").evaluate_all("options => options.map(o => o.value)")
    quarters = [q for q in quarters if q]
    assert len(quarters) >= 2, quarters
    first, last = quarters[0], quarters[-1]
    page.locator("#dash-quarter_a").select_option(first)
    page.locator("#dash-quarter_b").select_option(last)
    page.get_by_role("button", name=words["compare_quarters"], exact=True).click()
    page.wait_for_url(re.compile(r".*quarter_a=.*quarter_b=.*"))
    assert "team=" in page.url  # the team filter is kept
    compared = page.locator("#compare-quarters")
    assert words["beside"].format(a=first, b=last) in compared.locator("caption").inner_text()
    rows = compared.locator("tbody.dash-compare-teams th[scope=row]").all_inner_texts()
    assert rows, rows
    assert set(rows) <= set(CHOSEN), rows

    row = page.locator("table.dash tbody tr", has=page.locator("th.dash-team > a", has_text=TEAM))
    row.get_by_role("link", name=words["trend"], exact=True).click()
    page.wait_for_url(re.compile(r".*/dashboard/teams/\d+\?model=.*"))
    assert page.locator("h1").inner_text() == words["team_title"].format(team=TEAM)
    chart = page.locator("svg.area-chart[role=img]")
    assert TEAM in chart.get_attribute("aria-label")
    assert chart.locator("g.chart-series").count() == AREAS
    assert page.locator("#team-trend-table tbody tr").count() == AREAS + 1  # the areas, then overall

    page.get_by_role("button", name=words["compare_answers"], exact=True).click()
    page.wait_for_url("**/diff?from=*")
    assert re.search(words["changed"], page.locator("#diff-answers-h").inner_text())
    assert page.locator("#diff-levels tbody tr").count() == AREAS + 1
