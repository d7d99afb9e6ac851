"""A manager starts a quarter from the playbook's OKR template in a real browser, in each language, and
checks in on one of its key results: the key result's status and progress and the objective's progress
follow, in place.

Fraud Detection's manager, in quarters far enough ahead that the demo's data (and the roadmap test's
adopted suggestions) leave them empty; each run sets its language first and the Japanese run sets English
back for the tests that share the server after it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.kit.time import utcnow
from app.okrs import service
from tests.browser.conftest import LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser
MANAGER = "daniel.weber@example.com"
# language -> (quarters ahead, the template's title and coverage key result, adopt, check in)
RUNS = {
    "en": (6, "Cut the time from model development to deployment by 50%",
           "Automated test coverage ≥ 80%", "Adopt this template", "Check in"),
    "ja": (7, "モデル開発からデプロイまでの時間を50%短縮する",
           "自動テストのカバレッジ80%以上", "このテンプレートを採用", "進捗を記録"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_manager_adopts_the_template_on_an_empty_quarter_and_checks_in(  # type: ignore[no-untyped-def]
    page, live_server: LiveServer, lang: str
) -> None:
    ahead, title, coverage, adopt, _check_in = RUNS[lang]
    sign_in(page, live_server, MANAGER)
    choose_language(page, lang)
    teams = page.request.get(f"{live_server.url}/api/v1/teams").json()
    team_id = next(t["id"] for t in teams if t["slug"] == "fraud-detection")
    period = service.shift_period(service.current_period(utcnow().date()), ahead)
    page.goto(f"{live_server.url}/teams/{team_id}/okrs?period={period}")

    page.get_by_role("button", name=adopt).click()
    section = page.locator("section.okr-objective", has_text=title)
    expect(section.locator("li.okr-kr")).to_have_count(3)
    kr = section.locator("li.okr-kr", has_text=coverage)
    kr.locator("summary").click()
    kr.locator("input[name=value]").fill("40")
    kr.locator("input[name=confidence]").fill("8")
    kr.locator("button[type=submit]").click()

    kr.locator(".badge.okr-on_track").wait_for()
    assert "50%" in kr.locator(".okr-meta").inner_text()  # 0 → 80 %, at 40
    assert section.locator(".okr-total strong").inner_text() == "17%"  # (0 + 50 + 0) / 3
    page.reload()
    assert page.locator("section.okr-objective li.okr-kr .badge.okr-on_track").count() == 1
    if lang == "ja":
        choose_language(page, "en")
