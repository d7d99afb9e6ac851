"""Translations from gettext catalogues (app/i18n/locales), and the locale of the current request."""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterable
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("en", "ja")
DEFAULT_LOCALE = "en"
LANGUAGE_COOKIE = "hoshin_lang"  # the language chosen before signing in (or by no user at all)
CATALOGUE_DIR = Path(__file__).parent / "locales"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The compiled catalogue for a locale (compiled in memory from the .po file, once per process)."""
    path = CATALOGUE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po_file:
        catalogue = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(current_locale.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).npgettext(context, singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


# How a list reads inside a sentence: Japanese uses the ideographic comma, never ASCII ", ".
LIST_SEPARATORS = {"en": ", ", "ja": "、"}


# A label before its value, and an aside in brackets: "Owner: Mika", "2026-Q4 (current)" in English,
# 「担当：Mika」「2026-Q4（今期）」 in Japanese (full-width marks carry their own spacing).
COLONS = {"en": ": ", "ja": "："}
BRACKETS = {"en": (" (", ")"), "ja": ("（", "）")}


def colon(label: str, locale: str | None = None) -> str:
    """A label followed by the locale's colon (and space, where the locale spaces)."""
    return label + COLONS.get(locale or current_locale.get(), ": ")


def brackets(aside: str, locale: str | None = None) -> str:
    """An aside in the locale's brackets, spaced from what precedes it where the locale spaces."""
    opening, closing = BRACKETS.get(locale or current_locale.get(), BRACKETS["en"])
    return opening + aside + closing


def full_stop(locale: str | None = None) -> str:
    """The mark that ends a sentence: "." / "。"."""
    return "。" if (locale or current_locale.get()) == "ja" else "."


def join_list(items: Iterable[str], locale: str | None = None) -> str:
    """The items as one list in the current (or given) locale's punctuation."""
    return LIST_SEPARATORS.get(locale or current_locale.get(), ", ").join(items)


def negotiate(*candidates: str | None, accept_language: str = "") -> str:
    """The first supported locale among explicit choices, then the browser's Accept-Language."""
    for candidate in candidates:
        if candidate in LOCALES:
            return candidate
    for language in _parse_accept_language(accept_language):
        if language in LOCALES:
            return language
    return DEFAULT_LOCALE


def _parse_accept_language(header: str) -> list[str]:
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            weighted.append((quality, tag.split("-")[0].lower()))
    return [tag for quality, tag in sorted(weighted, key=lambda item: -item[0]) if quality > 0]
