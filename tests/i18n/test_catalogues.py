"""Every user-visible string in code and templates has a Japanese translation, and locale choice works."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT
from app.i18n import negotiate
from tests.conftest import csrf_token

METHODS = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {
    "templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
}


def _source_messages() -> set[str]:
    found = extract_from_dir(
        str(PROJECT_ROOT),
        METHODS,
        OPTIONS,
        keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)},
    )
    return {message[2] if isinstance(message[2], str) else message[2][0] for message in found}


def _translated(locale: str) -> dict[str, str]:
    path = Path(PROJECT_ROOT / "app/i18n/locales" / locale / "LC_MESSAGES/messages.po")
    with path.open("rb") as po_file:
        catalogue = read_po(po_file, locale=locale)
    out = {}
    for message in catalogue:
        if message.id and "fuzzy" not in message.flags:
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else message.string[0]
            out[key] = text
    return out


def test_every_message_in_code_and_templates_has_a_japanese_translation() -> None:
    japanese = _translated("ja")
    missing = sorted(m for m in _source_messages() if not japanese.get(m))
    assert missing == [], f"untranslated (run `make i18n`, then translate in ja/messages.po): {missing}"


def test_locale_follows_explicit_choice_then_browser_then_default() -> None:
    assert negotiate("ja", accept_language="en") == "ja"
    assert negotiate(None, accept_language="fr-FR,ja;q=0.8,en;q=0.5") == "ja"
    assert negotiate(None, accept_language="fr") == "en"
    assert negotiate("xx", accept_language="") == "en"


def test_browser_language_picks_japanese_page(client: TestClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Language": "ja,en;q=0.5"})
    assert '<html lang="ja">' in page.text
    assert "Hoshin にサインイン" in page.text


def test_language_switch_is_remembered_in_a_cookie(client: TestClient) -> None:
    response = client.post(
        "/language", data={"locale": "ja", "next": "/sign-in", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    page = client.get("/sign-in", headers={"Accept-Language": "en"})
    assert "Hoshin にサインイン" in page.text
