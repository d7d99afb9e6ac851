"""OKR check-ins in a real browser, in each language: a member checks in on one key result while another
key result's check-in is half typed; only the first changes, the objective's progress follows."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser

# Demo data, Recommendations: (member, objective, key result checked in on, value, the other key result,
# the objective's progress after the check-in: the mean of its key results' progress)
CASES = {
    # deployments 1 -> 4 now 4 (100 %), canary 20 -> 90 % at 62 (40 %), rollback rehearsed (100 %)
    "en": ("kenji.mori@example.com", "Ship ranking models safely", "Model deployments per month", "4",
           "Share of releases behind a canary", "87%"),
    # drift monitoring 0 -> 80 % at 40 (50 %), alert time 60 -> 10 min at 30 (60 %)
    "ja": ("ayumi.kato@example.com", "Know when a model goes stale", "Features with drift monitoring", "40",
           "Median time from incident to alert", "55%"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_check_in_updates_its_key_result_and_keeps_the_other_half_typed(  # type: ignore[no-untyped-def]
    page, live_server: LiveServer, lang: str
) -> None:
    member, objective, checked, value, other, progress = CASES[lang]
    sign_in(page, live_server, member)
    choose_language(page, lang)
    page.get_by_role("link", name="Recommendations").first.click()
    page.locator("main a[href*='/teams/'][href$='/okrs']").first.click()  # the team's, not the organisation's
    page.wait_for_selector(f"html[lang={lang}] section.okr-objective")
    section = page.locator("section.okr-objective", has_text=objective)
    first = section.locator("li.okr-kr", has_text=checked)
    second = section.locator("li.okr-kr", has_text=other)

    second.locator("summary").click()
    second.locator("input[name=value]").fill("12")
    first.locator("summary").click()
    first.locator("input[name=value]").fill(value)
    first.locator("input[name=confidence]").fill("2")
    first.locator("button[type=submit]").click()

    first.locator(".badge.okr-off_track").wait_for()
    assert section.locator(".okr-total strong").inner_text() == progress
    assert section.locator("meter.okr-meter").first.get_attribute("aria-label").endswith(progress)
    assert second.locator("input[name=value]").input_value() == "12"  # not re-rendered: nothing lost
    assert second.locator("details").get_attribute("open") is not None
    announced = {"en": f"Check-in saved for {checked}.", "ja": f"{checked} の進捗を記録しました。"}[lang]
    assert page.locator("#okr-announce[role=status]").inner_text() == announced
