"""Turning a checklist entry's form fields (or the API's) into a change, with errors naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.checklists.team import FIELDS, STATUSES, Change
from app.errors import BadInput, checked_text
from app.i18n import N_
from app.kit import limits, urls


def change(values: Mapping[str, str]) -> Change:
    """The fields given in `values` (as typed; an empty owner or due date clears it), checked."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise BadInput(N_("Unknown field."), field=unknown[0])
    parsed: dict[str, object] = {}
    if "status" in values:
        parsed["status"] = status(values["status"])
    if "na_reason" in values:
        parsed["na_reason"] = checked_text(values["na_reason"], limits.REASON, "na_reason").strip()
    if "owner_id" in values:
        parsed["owner_id"] = owner(values["owner_id"])
    if "due" in values:
        parsed["due"] = due(values["due"])
    if "note" in values:
        parsed["note"] = checked_text(values["note"], limits.NOTE, "note", multiline=True).strip()
    if "link" in values:
        parsed["link"] = link(values["link"])
    return Change(**parsed, given=frozenset(values))  # type: ignore[arg-type]


def status(value: str) -> str:
    if value not in STATUSES:
        raise BadInput(N_("Choose a status."), field="status")
    return value


def owner(value: str) -> int | None:
    if not value.strip():
        return None
    found = limits.row_id(value)
    if found is None:
        raise BadInput(N_("Choose someone in the team as the owner."), field="owner_id")
    return found


def due(value: str) -> date | None:
    """A date as a date field sends it (2027-03-31); empty clears it."""
    value = value.strip()
    if not value:
        return None
    try:
        found = date.fromisoformat(value)
    except ValueError:
        found = None
    if found is None or len(value) != 10 or not limits.FIRST_YEAR <= found.year <= limits.LAST_YEAR:
        raise BadInput(N_("Enter the due date as a date, for example 2027-03-31."), field="due")
    return found


def link(value: str) -> str:
    """An http(s) address, shown as a link and never fetched; empty clears it."""
    value = checked_text(value, limits.URL, "link").strip()
    if value and not urls.is_web_address(value):
        raise BadInput(N_("The evidence link must be an http or https address."), field="link")
    return value
