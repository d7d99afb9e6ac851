"""The quarterly review in a real browser, in each language: a manager writes the review, names a failure
pattern, decides an action and turns it into a roadmap item in one click; leadership then reads the
review and the new item in the roadmap PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.browser.conftest import DOWNLOAD_WAIT, LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser
SLUG = "demand-forecasting"
MANAGER = "sofia.rossi@example.com"
VIEWER = "cto@example.com"  # leadership: reads every team, changes nothing

WORDS = {
    "en": {"link": "Quarterly review", "saved": "Review saved.",
           "added": "Action added to the roadmap.", "add": "Add to the roadmap", "on": "On the roadmap",
           "pattern": "Tool dependency", "went_well": "Nightly pipelines ran all quarter",
           "action": "Hold a blameless post-mortem after each incident", "heading": "Quarterly review"},
    "ja": {"link": "四半期の振り返り", "saved": "振り返りを保存しました。",
           "added": "アクションをロードマップに追加しました。", "add": "ロードマップに追加",
           "on": "ロードマップに追加済み", "pattern": "ツールへの依存",
           "went_well": "夜間パイプラインが四半期を通して動いた",
           "action": "障害のたびに非難しない振り返りを開く", "heading": "四半期の振り返り"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_manager_writes_the_review_and_its_action_reaches_the_roadmap_pdf(  # type: ignore[no-untyped-def]
    page, live_server: LiveServer, lang: str
) -> None:
    words = WORDS[lang]
    sign_in(page, live_server, MANAGER)
    choose_language(page, lang)
    teams = page.request.get(f"{live_server.url}/api/v1/teams").json()
    team_id = next(t["id"] for t in teams if t["slug"] == SLUG)
    page.goto(f"{live_server.url}/teams/{team_id}")
    page.get_by_role("link", name=words["link"], exact=True).click()
    page.wait_for_selector("form.review-form")

    page.fill("#went_well", words["went_well"])
    page.fill("#bottleneck", "Reviews wait for one person")
    page.fill("#new_action", "   ")  # an empty action: refused beside the field, the rest kept
    page.get_by_label(words["pattern"]).check()
    page.locator("form.review-form button[type=submit]").click()
    page.locator("#new_action-error").wait_for()
    assert page.input_value("#went_well") == words["went_well"]
    assert page.is_checked("input[name=patterns][value='tool-dependency']")

    page.fill("#new_action", words["action"])
    page.locator("form.review-form button[type=submit]").click()
    page.locator(".alert[role=status]", has_text=words["saved"]).wait_for()
    row = page.locator(".review-action-list li", has_text=words["action"])
    row.get_by_role("button", name=words["add"]).click()
    page.locator(".alert[role=status]", has_text=words["added"]).wait_for()
    row = page.locator(".review-action-list li", has_text=words["action"])
    assert words["on"] in row.inner_text()

    page.context.clear_cookies()
    sign_in(page, live_server, VIEWER)
    pdf = page.request.get(
        f"{live_server.url}/reports/teams/{team_id}/roadmap.pdf?lang={lang}", timeout=DOWNLOAD_WAIT
    )
    assert pdf.ok
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    squeezed = text.replace("\n", "")
    assert words["heading"] in text
    assert words["went_well"] in squeezed
    assert squeezed.count(words["action"]) >= 2  # in the review, and as the roadmap item it became
