"""Signals in people's words: the catalogue's name of a key, and a value formatted by its unit.

Ratios read as percentages, hours over two days as days, yes/no signals as yes/no, rates with their
period — in the reader's language. An unknown key (a signal an adapter added before the catalogue
named it) shows its key and plain number rather than nothing.
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Catalogue, SignalUnit
from app.i18n import translations

HOURS_AS_DAYS_FROM = 48


def signal_name(key: str, locale: str, catalogue: Catalogue | None = None) -> str:
    """The catalogue's name of the signal `key` in `locale`, or the key itself when it has none."""
    info = (catalogue or builtin_catalogue()).signal(key)
    return info.name.get(locale) if info else key


def signal_note(key: str, locale: str, catalogue: Catalogue | None = None) -> str:
    """How the signal is measured, where the catalogue says (e.g. that it is a proxy), else ""."""
    info = (catalogue or builtin_catalogue()).signal(key)
    return info.note.get(locale) if info and info.note else ""


def format_value(value: float, unit: str, locale: str) -> str:
    """`value` in `unit` for a reader in `locale`: "64%", "3.5 days", "yes", "2.1 a week"."""
    words = translations(locale)
    number = _number(value, locale)
    match unit:
        case SignalUnit.BOOL:
            return words.gettext("yes") if value else words.gettext("no")
        case SignalUnit.RATIO:
            return format_percent(value, format="#,##0.#%", locale=locale)
        case SignalUnit.PER_WEEK:
            return words.gettext("%(number)s a week") % {"number": number}
        case SignalUnit.PER_MONTH:
            return words.gettext("%(number)s a month") % {"number": number}
        case SignalUnit.DAYS:
            return words.gettext("%(number)s days") % {"number": number}
        case SignalUnit.HOURS if value >= HOURS_AS_DAYS_FROM:
            return words.gettext("%(number)s days") % {"number": _number(value / 24, locale)}
        case SignalUnit.HOURS:
            return words.gettext("%(number)s hours") % {"number": number}
        case _:
            return number


def _number(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.#" if abs(value) < 100 else "#,##0", locale=locale)
