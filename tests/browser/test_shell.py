"""The page shell as a person sees it in a real browser."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser


def test_admin_signs_in_and_sees_three_teams_at_different_levels(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "admin@example.com")
    cards = page.locator("article.team-card")
    assert cards.count() == 3
    levels = [float(text) for text in page.locator(".level-value").all_inner_texts()]
    assert max(levels) - min(levels) >= 1.5  # visibly different maturity


def test_language_switch_turns_the_page_japanese_and_back(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("button", name="日本語").click()
    page.wait_for_selector("html[lang=ja]")
    assert page.locator("h1").inner_text() == "チーム"
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Teams"


def test_unknown_page_shows_a_friendly_404(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(f"{live_server.url}/no/such/page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"


def test_pages_load_nothing_from_other_hosts(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, live_server, "admin@example.com")
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested


def test_the_page_fits_a_phone_screen(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server, "admin@example.com")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_back_after_sign_out_does_not_show_the_confidential_page_again(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "admin@example.com")
    page.locator("article.team-card h2 a").first.click()
    page.wait_for_url(re.compile(r".*/teams/\d+$"))  # the team's page, not the list still on screen
    confidential = page.url
    secret = page.locator("h1").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in**")

    page.go_back()

    page.wait_for_load_state()
    assert "/sign-in" in page.url, (confidential, page.url)
    assert page.locator("h1").inner_text() != secret


_WORD_RECTS = """(cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let text = walker.nextNode();
    while (text && !text.textContent.trim()) text = walker.nextNode();
    const range = document.createRange();
    const out = [];
    for (const match of text.textContent.matchAll(/\\S+/g)) {
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        out.push([match[0], range.getClientRects().length]);
    }
    return out;
}"""


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_team_names_in_the_dashboard_table_break_only_between_words(
    page, live_server: LiveServer, lang: str
) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "cto@example.com")
    choose_language(page, lang)
    page.goto(f"{live_server.url}/dashboard")
    # the team names of the quarters table (the area figures' table below sits folded in a <details>)
    cells = page.locator("section[aria-labelledby=quarters-h] table th[scope=row]")
    assert cells.count() >= 3
    for index in range(cells.count()):
        for word, lines in cells.nth(index).evaluate(_WORD_RECTS):
            assert lines == 1, f"{word!r} is broken over {lines} lines"
