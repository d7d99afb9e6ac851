"""Turning the OKR forms' text fields into service inputs, with errors that name the field."""

from __future__ import annotations

import math

from app.errors import BadInput, checked_text
from app.i18n import N_
from app.kit import limits
from app.models import KeyResultKind
from app.okrs.service import CheckInInput, KeyResultInput, ObjectiveInput

KINDS = tuple(k.value for k in KeyResultKind)


def objective(*, title: str, description: str) -> ObjectiveInput:
    """An objective needs a title."""
    title = checked_text(title, limits.TITLE, "title").strip()
    if not title:
        raise BadInput(N_("Give the objective a title."), field="title")
    description = checked_text(description, limits.DESCRIPTION, "description", multiline=True)
    return ObjectiveInput(title=title, description=description.strip())


def key_result(
    *, title: str, kind: str, start_value: str, target_value: str, unit: str, owner_id: str
) -> KeyResultInput:
    """A key result: a title, a kind, and (unless a milestone) start and target values that differ."""
    title = checked_text(title, limits.TITLE, "title").strip()
    if not title:
        raise BadInput(N_("Give the key result a title."), field="title")
    if kind not in KINDS:
        raise BadInput(N_("Choose what kind of key result this is."), field="kind")
    owner = _owner(owner_id)
    if kind == KeyResultKind.MILESTONE:
        return KeyResultInput(title, kind, 0.0, 1.0, "", owner)
    start = number(start_value, "start_value")
    target = number(target_value, "target_value")
    if start == target:
        raise BadInput(N_("The target must differ from the start value."), field="target_value")
    unit = "%" if kind == KeyResultKind.PERCENTAGE else checked_text(unit, limits.UNIT, "unit").strip()
    return KeyResultInput(title, kind, start, target, unit, owner)


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


def _owner(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise BadInput(N_("Choose someone in the team as the owner."), field="owner_id") from None
