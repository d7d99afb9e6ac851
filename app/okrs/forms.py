"""Turning the OKR forms' text fields into service inputs, with errors that name the field."""

from __future__ import annotations

import math
from datetime import date

from app.errors import BadInput, checked_text
from app.i18n import N_
from app.kit import limits
from app.models import Direction, KeyResultKind
from app.okrs.service import CheckInInput, KeyResultInput, ObjectiveInput

KINDS = tuple(k.value for k in KeyResultKind)
DIRECTIONS = tuple(d.value for d in Direction)


def objective(
    *,
    title: str,
    description: str,
    owner_id: str = "",
    starts_on: str = "",
    ends_on: str = "",
    org_objective_id: str = "",
) -> ObjectiveInput:
    """An objective needs a title; owner, own dates and the organisation objective are optional (the
    service checks they fit the team and quarter)."""
    title = checked_text(title, limits.TITLE, "title").strip()
    if not title:
        raise BadInput(N_("Give the objective a title."), field="title")
    description = checked_text(description, limits.DESCRIPTION, "description", multiline=True)
    return ObjectiveInput(
        title=title,
        description=description.strip(),
        owner_id=_owner(owner_id),
        starts_on=day(starts_on, "starts_on"),
        ends_on=day(ends_on, "ends_on"),
        org_objective_id=_row_id(org_objective_id, "org_objective_id"),
    )


def key_result(
    *,
    title: str,
    kind: str,
    start_value: str,
    target_value: str,
    unit: str,
    owner_id: str,
    direction: str = "",
    due_on: str = "",
) -> KeyResultInput:
    """A key result: a title, a kind, and (unless a milestone) numbers for start and target; the service
    checks they differ and agree with the direction, and that the due date lies within the objective."""
    title = checked_text(title, limits.TITLE, "title").strip()
    if not title:
        raise BadInput(N_("Give the key result a title."), field="title")
    if kind not in KINDS:
        raise BadInput(N_("Choose what kind of key result this is."), field="kind")
    if direction and direction not in DIRECTIONS:
        raise BadInput(N_("Choose whether higher or lower is better."), field="direction")
    owner, due = _owner(owner_id), day(due_on, "due_on")
    if kind == KeyResultKind.MILESTONE:
        return KeyResultInput(title, kind, 0.0, 1.0, "", owner, None, due)
    start = number(start_value, "start_value")
    target = number(target_value, "target_value")
    unit = "%" if kind == KeyResultKind.PERCENTAGE else checked_text(unit, limits.UNIT, "unit").strip()
    return KeyResultInput(title, kind, start, target, unit, owner, direction or None, due)


def check_in(*, value: str, confidence: str, note: str, client_token: str) -> CheckInInput:
    """A check-in: a number, a confidence from 0 to 10 and an optional note."""
    parsed = number(value, "value")
    try:
        level = int(confidence)
    except ValueError:
        level = -1
    if not 0 <= level <= 10:
        raise BadInput(N_("Confidence goes from 0 (no chance) to 10 (certain)."), field="confidence")
    note = checked_text(note, limits.CHECK_IN_NOTE, "note", multiline=True)
    token = checked_text(client_token, limits.CLIENT_TOKEN, "client_token").strip()
    return CheckInInput(parsed, level, note.strip(), token or None)


def number(text: str, field: str) -> float:
    """A finite number as typed."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limits.MAX_NUMBER:
        raise BadInput(N_("Enter a number."), field=field)
    return value


def day(text: str, field: str) -> date | None:
    """A date as a date field sends it (YYYY-MM-DD), or None when left empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _not_a_day(field)
    except ValueError:
        return _not_a_day(field)


def _not_a_day(field: str) -> date:
    raise BadInput(N_("Enter a date such as 2027-03-31."), field=field)


def _row_id(value: str, field: str) -> int | None:
    if not value.strip():
        return None
    try:
        found = int(value)
    except ValueError:
        found = 0
    if not 1 <= found <= limits.MAX_ID:
        raise BadInput(N_("Choose one of the organisation's objectives for this quarter."), field=field)
    return found


def _owner(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise BadInput(N_("Choose someone in the team as the owner."), field="owner_id") from None
