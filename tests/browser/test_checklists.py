"""The team's checklist page and learning log in a real browser, in each language: a member ticks a
playbook entry, marks another not applicable (refused until a reason is given, nothing typed lost), and
logs a study session with an attendee."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser

# (member, entry ticked, entry marked not applicable, the reason, the session's topic, an attendee)
CASES = {
    "en": ("mika.ito@example.com", "technical--documentation", "organisational--business-metrics",
           "Internal tooling: no business metric", "Study: MLflow model aliases", "Kenji Mori"),
    "ja": ("ayumi.kato@example.com", "technical--reproducible-environments",
           "organisational--responsibility-and-authority", "二人のチームのため", "勉強会：Feast 入門",
           "Mika Ito"),
}  # fmt: skip
ERROR = {"en": "Say why this entry does not apply.", "ja": "この項目が対象外である理由を書いてください。"}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_member_ticks_and_marks_checklist_entries_and_logs_a_study_session(  # type: ignore[no-untyped-def]
    page, live_server: LiveServer, lang: str
) -> None:
    member, ticked, skipped, reason, topic, attendee = CASES[lang]
    sign_in(page, live_server, member)
    choose_language(page, lang)
    page.get_by_role("link", name="Recommendations").first.click()
    page.locator("a[href$='/checklists']").first.click()
    page.wait_for_url(re.compile(r".*/teams/\d+/checklists$"))  # loaded: htmx wired up before the first tick

    tick = page.locator(f"#check-playbook-{ticked}")
    assert tick.get_attribute("data-status") != "done"
    tick.locator("input[type=checkbox]").check()
    page.locator(f"#check-playbook-{ticked}[data-status=done]").wait_for()
    assert (
        page.locator(f"#check-playbook-{ticked} .check-changed")
        .inner_text()
        .startswith({"en": "Changed by Mika Ito", "ja": "Ayumi Kato"}[lang])
    )

    entry = page.locator(f"#check-playbook-{skipped}")
    entry.locator("summary").click()
    entry.locator("select[name=status]").select_option("not_applicable")
    entry.locator("textarea[name=note]").fill("Agreed at the retro")
    entry.locator("form.entry-form button[type=submit]").click()
    error = page.locator(f"#check-playbook-{skipped} .field-error")
    error.wait_for()
    assert error.inner_text() == ERROR[lang]
    entry = page.locator(f"#check-playbook-{skipped}")
    assert entry.locator("textarea[name=note]").input_value() == "Agreed at the retro"  # nothing lost
    entry.locator("input[name=na_reason]").fill(reason)
    entry.locator("form.entry-form button[type=submit]").click()
    page.locator(f"#check-playbook-{skipped}[data-status=not_applicable]").wait_for()
    assert reason in page.locator(f"#check-playbook-{skipped}").inner_text()

    page.reload()  # saved, not only shown
    assert page.locator(f"#check-playbook-{ticked}").get_attribute("data-status") == "done"
    assert page.locator(f"#check-playbook-{skipped}").get_attribute("data-status") == "not_applicable"

    page.locator("a[href$='/learning']").first.click()
    page.locator("a[href$='/learning/new']").first.click()
    page.fill("input[name=topic]", topic)
    page.select_option("select[name=kind]", "study")
    page.get_by_label(attendee).check()
    page.fill("textarea[name=lessons]", "Aliases replace stages.")
    page.locator("form.form button[type=submit]").first.click()
    session = page.locator("li.learning-session", has_text=topic)
    session.wait_for()
    assert attendee in session.inner_text()
    assert session.get_attribute("data-kind") == "study"
