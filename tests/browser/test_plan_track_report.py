"""Plan, track and report in a real browser, in each language: a manager regenerates the team's roadmap
from its page, sets one item's status and ticks one action-plan checklist entry, both kept over a reload;
a viewer compares the teams on the dashboard and downloads the roadmap and action plan PDFs.

Both languages work on Demand Forecasting, whose roadmap and checklists no other browser test reads.
Its manager and the viewer are no other shared-server test's users either, so their stored language is
ours to switch. Each run picks an item still planned and an entry not yet ticked, and reads the version number
from the page: the other language's run may have gone first on the same server."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import DOWNLOAD_WAIT, LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser
TEAM, SLUG = "Demand Forecasting", "demand-forecasting"
MANAGER, MANAGER_NAME = "sofia.rossi@example.com", "Sofia Rossi"
VIEWER = "cto@example.com"  # leadership: sees every team, changes nothing
TEAMS = ["Demand Forecasting", "Fraud Detection", "Recommendations"]  # the dashboard's default order

# The pages' and reports' words in each language (templates and app/i18n/locales/ja/.../messages.po).
WORDS = {
    "en": {
        "roadmap": "Roadmap",
        "version": r"Version (\d+), from the",
        "generated": "Roadmap generated. Your pins, drops and other changes were kept.",
        "phases": ["Foundation (months 1–3)", "Automation (months 4–6)", "Monitoring (months 7–9)",
                   "Optimisation (months 10–12)"],
        "in_progress": "In progress",
        "action_plan": "3-month action plan",
        "done_by": f"Done by {MANAGER_NAME}",
        "dashboard": "Dashboard",
        "trend": "Overall level of {team} by quarter: ",
        "roadmap_pdf": "Roadmap report (PDF)",
        "action_plan_pdf": "Action plan (PDF)",
        "roadmap_report": "Roadmap report",
        "colon": ": ",
        "pdf_version": "Version {n}, starting",
        "summary": "Executive summary",
        "twelve_months": "Twelve months at a glance",
        "first_three_months": "The first three months",
    },
    "ja": {
        "roadmap": "ロードマップ",
        "version": r"バージョン (\d+)（",
        "generated": "ロードマップを生成しました。固定・除外などの変更はそのまま残っています。",
        "phases": ["基盤整備（1〜3か月目）", "自動化（4〜6か月目）", "モニタリング（7〜9か月目）",
                   "最適化（10〜12か月目）"],
        "in_progress": "進行中",
        "action_plan": "3か月アクションプラン",
        "done_by": f"{MANAGER_NAME} が完了",
        "dashboard": "ダッシュボード",
        "trend": "{team} の四半期ごとの総合レベル：",
        "roadmap_pdf": "ロードマップレポート（PDF）",
        "action_plan_pdf": "アクションプラン（PDF）",
        "roadmap_report": "ロードマップレポート",
        "colon": "：",
        "pdf_version": "バージョン {n}（",
        "summary": "エグゼクティブサマリー",
        "twelve_months": "12 か月の全体像",
        "first_three_months": "最初の 3 か月",
    },
}  # fmt: skip
OTHER = {"en": "ja", "ja": "en"}


def _sign_in_speaking(page, server: LiveServer, email: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in and choose the language with the header's buttons (it is stored on the account)."""
    sign_in(page, server, email)
    choose_language(page, lang)


def _version(page, lang: str) -> int:  # type: ignore[no-untyped-def]
    found = re.search(WORDS[lang]["version"], page.locator(".page-head").inner_text())
    assert found, page.locator(".page-head").inner_text()
    return int(found.group(1))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_manager_regenerates_the_roadmap_sets_an_item_status_and_ticks_a_checklist_entry(  # type: ignore[no-untyped-def]
    page, live_server: LiveServer, lang: str
) -> None:
    words = WORDS[lang]
    _sign_in_speaking(page, live_server, MANAGER, lang)
    team_id = next(
        t["id"] for t in page.request.get(f"{live_server.url}/api/v1/teams").json() if t["slug"] == SLUG
    )
    page.goto(f"{live_server.url}/teams/{team_id}/roadmap")
    before = _version(page, lang)

    page.click("#regenerate")  # a plain form: the server redirects back to the page with a message
    page.locator(".alert[role=status]", has_text=words["generated"]).wait_for()
    page.wait_for_load_state()
    assert _version(page, lang) == before + 1
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == words["roadmap"]
    assert page.locator("section.phase > h2").all_inner_texts() == words["phases"]
    assert page.locator(".gantt-scroll svg rect.gantt-bar").count() >= 3

    statuses = page.locator("article.roadmap-item select[name=status]")
    planned = statuses.evaluate_all("nodes => nodes.filter(n => n.value === 'planned').map(n => n.id)")
    item = planned[0].removeprefix("status-")
    page.select_option(f"#status-{item}", "in_progress")
    page.fill(f"#progress-{item}", "40")
    page.locator(f"#item-{item} form.status-form button[type=submit]").click()
    badge = page.locator(f"#item-{item} .item-head .badge")
    page.locator(f"#item-{item} .item-head .badge.status-in_progress").wait_for()
    assert badge.inner_text() == f"{words['in_progress']} · 40%"
    page.reload()
    assert page.input_value(f"#status-{item}") == "in_progress"
    assert page.input_value(f"#progress-{item}") == "40"
    assert badge.inner_text() == f"{words['in_progress']} · 40%"

    page.get_by_role("link", name=words["action_plan"], exact=True).click()
    page.wait_for_url(f"**/teams/{team_id}/roadmap/action-plan")
    assert page.locator("h1").inner_text() == words["action_plan"]
    boxes = page.locator("input[type=checkbox][id^='cb-']")
    key = boxes.evaluate_all("nodes => nodes.filter(n => !n.checked).map(n => n.id)")[0].removeprefix("cb-")
    page.check(f"#cb-{key}")  # htmx saves on change and swaps the entry back, ticked and signed
    page.locator(f"#check-{key}.is-done .check-by").wait_for()
    assert page.locator(f"#check-{key} .check-by").inner_text().startswith(words["done_by"])
    page.reload()
    assert page.is_checked(f"#cb-{key}")
    assert page.locator(f"#check-{key} .check-by").inner_text().startswith(words["done_by"])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_viewer_compares_the_teams_and_downloads_the_roadmap_and_action_plan_pdfs(  # type: ignore[no-untyped-def]
    page, live_server: LiveServer, lang: str, tmp_path: Path
) -> None:
    words, other = WORDS[lang], WORDS[OTHER[lang]]
    _sign_in_speaking(page, live_server, VIEWER, lang)
    page.get_by_role("link", name=words["dashboard"], exact=True).click()
    page.wait_for_url("**/dashboard")
    assert page.locator("h1").inner_text() == words["dashboard"]
    assert page.locator("table.dash th.dash-team > a").all_inner_texts() == TEAMS
    for team in TEAMS:  # each team's trend over the quarters: a line, named in words for screen readers
        chart = _dashboard_row(page, team).locator("td.dash-trend svg.trend[role=img]")
        assert chart.get_attribute("aria-label").startswith(words["trend"].format(team=team))
        assert chart.locator("polyline.trend-line").count() == 1, team

    _dashboard_row(page, TEAM).get_by_role("link", name=words["roadmap"], exact=True).click()
    page.wait_for_url("**/roadmap")
    assert page.locator("#regenerate").count() == 0  # a viewer reads the plan, changes nothing
    assert page.locator("form.status-form").count() == 0
    version = _version(page, lang)

    roadmap = _download(page, words["roadmap_pdf"], f"hoshin-roadmap-{SLUG}-{lang}.pdf", tmp_path)
    assert f"{words['roadmap_report']}{words['colon']}{TEAM}" in roadmap
    assert words["pdf_version"].format(n=version) in roadmap
    assert words["summary"] in roadmap
    assert words["twelve_months"] in roadmap
    assert other["summary"] not in roadmap

    action_plan = _download(page, words["action_plan_pdf"], f"hoshin-action-plan-{SLUG}-{lang}.pdf", tmp_path)
    assert f"{words['action_plan']}{words['colon']}{TEAM}" in action_plan
    assert words["pdf_version"].format(n=version) in action_plan
    assert words["first_three_months"] in action_plan
    assert words["twelve_months"] not in action_plan  # the action plan alone, not the whole roadmap
    assert other["first_three_months"] not in action_plan


def _dashboard_row(page, team: str):  # type: ignore[no-untyped-def]
    """The team's row in the dashboard's table of levels by quarter."""
    return page.locator("table.dash tbody tr", has=page.locator("th.dash-team > a", has_text=team))


def _download(page, link: str, filename: str, folder: Path) -> str:  # type: ignore[no-untyped-def]
    """Click a download link on the page; the file must be a PDF named `filename`; returns its text."""
    with page.expect_download(timeout=DOWNLOAD_WAIT) as info:
        page.get_by_role("link", name=link, exact=True).click(timeout=DOWNLOAD_WAIT)
    download = info.value
    assert download.suggested_filename == filename
    path = folder / filename
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), data[:40]
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
