"""The questionnaire's safety rails in a real browser, in English and Japanese: the "say why" error waits
for the person to leave a question without a reason, typed text is not lost without a warning, a
conflict shows what the other person saved, and submit, reopen and a RACI reset ask first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.browser.conftest import LiveServer, htmx_settled, sign_in

pytestmark = pytest.mark.browser
MANAGER = "ren.sato@example.com"
MEMBER = "mika.ito@example.com"  # the same team as the manager
# Periods before the demo's history (and before test_assessment_flow's), one draft per test and language.
PERIODS = {
    "reason": {"en": "2024-Q1", "ja": "2024-Q2"},
    "unsaved": {"en": "2024-Q3", "ja": "2024-Q4"},
    "conflict": {"en": "2023-Q1", "ja": "2023-Q2"},
    "confirm": {"en": "2023-Q3", "ja": "2023-Q4"},
}
TEXT = {
    "en": {
        "say_why": "Say why this question does not apply.",
        "conflict": "Someone else saved this answer while you were editing.",
        "saved_by": "Saved by Mika Ito",
        "their_note": "Their note",
        "their_links": "Their evidence links",
        "your_choice": "Your choice",
        "submit": "Submit this assessment? Unanswered questions count as not assessed.",
        "reopen": "Reopen this assessment so its answers can change?",
        "raci": "Throw away this team's changes and go back to the default matrix?",
    },
    "ja": {
        "say_why": "この質問が該当しない理由を入力してください。",
        "conflict": "編集中に他のユーザーがこの回答を保存しました。",
        "saved_by": "Mika Ito さんが保存",
        "their_note": "相手のメモ",
        "their_links": "相手のエビデンスのリンク",
        "your_choice": "あなたの選択",
        "submit": "このアセスメントを提出しますか？未回答の質問は未評価として扱われます。",
        "reopen": "このアセスメントを再開して回答を変更できるようにしますか？",
        "raci": "このチームでの変更を破棄して、初期設定のマトリクスに戻しますか？",
    },
}
LANGS = ("en", "ja")


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Pages in their own browser contexts (one per person), in the given language."""
    contexts = []

    def open_one(lang: str) -> Page:
        context = browser.new_context(
            locale=lang, extra_http_headers={"Accept-Language": lang}, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page: Page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_one
    for context in contexts:
        context.close()


def _team_id(page: Page, server: LiveServer) -> int:
    return int(page.request.get(f"{server.url}/api/v1/assessments").json()[0]["team_id"])


def _start_draft(page: Page, server: LiveServer, period: str) -> str:
    """The manager starts an empty draft for the period; its questionnaire's address."""
    sign_in(page, server, MANAGER)
    page.goto(f"{server.url}/teams/{_team_id(page, server)}/assessments")
    page.fill("#period", period)
    page.uncheck("#copy_last")
    page.click("form[action$='/assessments'] button[type=submit]")
    page.wait_for_selector("article.question")
    page.wait_for_load_state()  # every question parsed and htmx wired up
    return page.url.split("#")[0]


def _question(page: Page, index: int) -> Any:
    return page.locator("article.question").nth(index)


def _choose_not_applicable(question: Any) -> None:
    question.locator("label.choice.na").click()


@pytest.mark.parametrize("lang", LANGS)
def test_choosing_not_applicable_asks_for_the_reason_and_says_why_only_when_the_question_is_left(
    browser: Any, live_server: LiveServer, open_page: Any, lang: str
) -> None:
    page = open_page(lang)
    _start_draft(page, live_server, PERIODS["reason"][lang])
    first, second = _question(page, 0), _question(page, 1)

    _choose_not_applicable(first)
    htmx_settled(page)
    expect(first.locator("input[name=na_reason]")).to_be_visible()
    expect(first.locator(".alert")).to_have_count(0)  # no error before they could type the reason
    first.locator("input[name=na_reason]").fill("No training data of our own")
    page.keyboard.press("Tab")  # leaving the field saves the answer with its reason
    expect(first.locator(".saved")).to_be_visible()
    expect(first.locator(".alert")).to_have_count(0)

    _choose_not_applicable(second)
    page.locator("h1").click()  # they move on without saying why
    expect(second.locator("[role=alert]")).to_have_text(TEXT[lang]["say_why"])
    expect(second.locator("input[name=na_reason]")).to_have_attribute("aria-invalid", "true")
    htmx_settled(page)  # the question swapped in with its error is wired up before they type
    second.locator("input[name=na_reason]").fill("Data comes from a partner")
    page.keyboard.press("Tab")
    expect(second.locator(".saved")).to_be_visible()
    expect(second.locator("[role=alert]")).to_have_count(0)  # the error goes once it is right

    page.reload()
    for question, reason in ((first, "No training data of our own"), (second, "Data comes from a partner")):
        expect(question.locator("label.choice.na input")).to_be_checked()
        expect(question.locator("input[name=na_reason]")).to_have_value(reason)


@pytest.mark.parametrize("lang", LANGS)
def test_typed_but_unsaved_note_is_warned_about_before_the_page_is_left(
    browser: Any, live_server: LiveServer, open_page: Any, lang: str
) -> None:
    page = open_page(lang)
    url = _start_draft(page, live_server, PERIODS["unsaved"][lang])
    question = _question(page, 0)
    question.locator("summary").click()
    question.locator("textarea[name=note]").click()
    page.keyboard.type("DVC since June")  # typed, not yet saved: the field still has the focus

    dialog = _answers_dialog(page, ".crumbs a", accept=False)  # stay
    assert dialog.type == "beforeunload"
    expect(question.locator("textarea[name=note]")).to_have_value("DVC since June")
    assert page.url.startswith(url)

    page.keyboard.press("Tab")  # leaving the field saves it; then leaving the page asks nothing
    expect(question.locator(".saved")).to_be_visible()
    htmx_settled(page)
    asked_again: list[Dialog] = []
    page.on("dialog", lambda d: (asked_again.append(d), d.dismiss()))
    page.locator(".crumbs a").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert asked_again == []
    page.goto(url)
    expect(_question(page, 0).locator("textarea[name=note]")).to_have_value("DVC since June")


@pytest.mark.parametrize("lang", LANGS)
def test_two_people_on_one_answer_see_the_others_choice_note_and_links(
    browser: Any, live_server: LiveServer, open_page: Any, lang: str
) -> None:
    mine = open_page(lang)
    url = _start_draft(mine, live_server, PERIODS["conflict"][lang])
    theirs = open_page(lang)
    sign_in(theirs, live_server, MEMBER)
    theirs.goto(url)

    their_question = _question(theirs, 0)
    their_question.locator("summary").click()
    their_question.locator("textarea[name=note]").fill("DVC since June")
    their_question.locator("textarea[name=evidence]").fill("https://git.example.com/data/dvc")
    their_question.locator("label.choice").nth(3).click()
    expect(their_question.locator(".saved")).to_be_visible()  # perhaps the note's save, on leaving it
    htmx_settled(theirs)  # the saves with the links and the choice were queued behind it

    my_question = _question(mine, 0)  # loaded before their save
    my_question.locator("label.choice").nth(1).click()
    panel = my_question.locator(".conflict")
    expect(my_question.locator("[role=alert]")).to_contain_text(TEXT[lang]["conflict"])
    expect(panel).to_contain_text(TEXT[lang]["saved_by"])
    expect(panel).to_contain_text(TEXT[lang]["their_note"])
    expect(panel).to_contain_text("DVC since June")
    expect(panel).to_contain_text(TEXT[lang]["their_links"])
    expect(panel.locator("a[href='https://git.example.com/data/dvc']")).to_be_visible()
    expect(panel).to_contain_text(TEXT[lang]["your_choice"])
    expect(my_question.locator("input[name=choice]").nth(3)).to_be_checked()  # their answer, as stored

    my_question.locator("label.choice").nth(1).click()  # choosing again replaces theirs, knowingly
    expect(my_question.locator(".saved")).to_be_visible()
    expect(my_question.locator(".conflict")).to_have_count(0)
    mine.reload()
    expect(_question(mine, 0).locator("input[name=choice]").nth(1)).to_be_checked()


def _answers_dialog(page: Page, click: str, accept: bool) -> Dialog:
    """Click, answer the dialog that comes up (a confirmation, or the browser's "leave the page?"),
    and return it."""
    asked: list[Dialog] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", answer)
    page.locator(click).first.click()
    assert len(asked) == 1, "nothing asked"
    return asked[0]


@pytest.mark.parametrize("lang", LANGS)
def test_submit_and_reopen_ask_first_and_a_no_changes_nothing(
    browser: Any, live_server: LiveServer, open_page: Any, lang: str
) -> None:
    page = open_page(lang)
    url = _start_draft(page, live_server, PERIODS["confirm"][lang])
    submit = "form[action$='/submit'] button[type=submit]"
    reopen = "form[action$='/reopen'] button[type=submit]"

    assert _answers_dialog(page, submit, accept=False).message == TEXT[lang]["submit"]
    page.reload()
    expect(page.locator(".badge.draft").first).to_be_visible()  # still a draft
    assert _answers_dialog(page, submit, accept=True).message == TEXT[lang]["submit"]
    page.wait_for_url("**/results")

    page.goto(url)
    assert _answers_dialog(page, reopen, accept=False).message == TEXT[lang]["reopen"]
    page.reload()
    expect(page.locator(".badge.submitted").first).to_be_visible()  # still submitted
    assert _answers_dialog(page, reopen, accept=True).message == TEXT[lang]["reopen"]
    expect(page.locator(submit)).to_be_visible()  # a draft again


@pytest.mark.parametrize("lang", LANGS)
def test_resetting_the_raci_matrix_asks_first(
    browser: Any, live_server: LiveServer, open_page: Any, lang: str
) -> None:
    page = open_page(lang)
    sign_in(page, live_server, MANAGER)
    page.goto(f"{live_server.url}/teams/{_team_id(page, live_server)}/raci")
    cell = page.locator("table.raci select").first
    with page.expect_response(lambda response: response.url.endswith("/raci/cell")):
        cell.select_option(index=0 if cell.input_value() else 1)  # any change makes the matrix the team's own
    page.reload()
    reset = "form[action$='/raci/reset'] button[type=submit]"

    assert _answers_dialog(page, reset, accept=False).message == TEXT[lang]["raci"]
    page.reload()
    expect(page.locator(reset)).to_be_visible()  # still customised
    assert _answers_dialog(page, reset, accept=True).message == TEXT[lang]["raci"]
    expect(page.locator(reset)).to_have_count(0)
