"""The core flow in a real browser: start an assessment, answer every question with mouse and keyboard,
reload, submit, read the results with the radar chart, in English and in Japanese."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer, htmx_settled, sign_in

pytestmark = pytest.mark.browser
# Periods before the demo's history, so the teams' latest results (which other tests read) stay as loaded.
MANAGER = "ren.sato@example.com"


@pytest.mark.parametrize(
    ("lang", "period", "results_heading"), [("en", "2025-Q1", "Results"), ("ja", "2025-Q2", "結果")]
)
def test_manager_answers_every_question_reloads_submits_and_sees_results(  # type: ignore[no-untyped-def]
    browser, live_server: LiveServer, lang: str, period: str, results_heading: str
) -> None:
    context = browser.new_context(locale=lang, extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        sign_in(page, live_server, MANAGER)
        team_id = page.request.get(f"{live_server.url}/api/v1/assessments").json()[0]["team_id"]
        page.goto(f"{live_server.url}/teams/{team_id}/assessments")
        page.fill("#period", period)
        page.uncheck("#copy_last")
        page.click("form[action$='/assessments'] button[type=submit]")
        page.wait_for_selector("article.question")
        page.wait_for_load_state()  # every question parsed and htmx wired up before the first click
        questions = page.locator("article.question")
        chosen: dict[str, int] = {}
        for index in range(questions.count()):
            question = questions.nth(index)
            qid = question.get_attribute("id")
            radios = question.locator("input[type=radio][name=choice]")
            if index % 2 == 0:  # the mouse: click the label of the third choice
                question.locator("label.choice").nth(2).click()
                chosen[qid] = 2
            else:  # the keyboard: focus, Space selects, ArrowDown moves on; each change saves
                radios.first.focus()
                page.keyboard.press("Space")
                page.keyboard.press("ArrowDown")
                chosen[qid] = 1
            page.locator(f"#{qid} .saved").wait_for()
        htmx_settled(page)  # the keyboard's second save (ArrowDown) may still be queued behind the first
        page.reload()
        for qid, position in chosen.items():
            assert page.locator(f"#{qid} input[type=radio][name=choice]").nth(position).is_checked(), qid
        assert page.locator("#progress .progress-total strong").inner_text() == "100%"
        page.click("form[action$='/submit'] button[type=submit]")
        page.wait_for_url("**/results")
        assert page.locator("h1").inner_text().startswith(results_heading)
        assert page.locator(".radar-wrap svg polygon").count() >= 2
        assert page.locator("html").get_attribute("lang") == lang
    finally:
        context.close()
