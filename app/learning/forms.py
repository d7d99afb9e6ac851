"""Turning the session form's fields into a SessionInput, with errors that name the field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.errors import BadInput, checked_text
from app.i18n import N_
from app.kit import limits
from app.learning.service import KINDS, SessionInput


def session_input(
    *, held_on: str, kind: str, topic: str, attendee_ids: Sequence[str], lessons: str, led_to: str
) -> SessionInput:
    """A session needs a day, a kind and a topic; attendees and lessons are optional."""
    day = _day(held_on)
    if kind not in KINDS:
        raise BadInput(N_("Choose what kind of session this was."), field="kind")
    topic = checked_text(topic, limits.TITLE, "topic").strip()
    if not topic:
        raise BadInput(N_("Give the session a topic."), field="topic")
    lessons = checked_text(lessons, limits.NOTE, "lessons", multiline=True).strip()
    target = checked_text(led_to, limits.TITLE, "led_to").strip() or None
    return SessionInput(day, kind, topic, _people(attendee_ids), lessons, target)


def _day(value: str) -> date:
    value = value.strip()
    try:
        found = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        found = None
    if found is None or not limits.FIRST_YEAR <= found.year <= limits.LAST_YEAR:
        raise BadInput(N_("Enter the day of the session, for example 2027-03-31."), field="held_on")
    return found


def _people(values: Sequence[str]) -> tuple[int, ...]:
    if len(values) > limits.ATTENDEES:
        raise BadInput(N_("At most %(max)d attendees, please."), field="attendee_ids", max=limits.ATTENDEES)
    ids = {limits.row_id(v) for v in values if v.strip()}
    if None in ids:
        raise BadInput(N_("Choose attendees from the team's members."), field="attendee_ids")
    return tuple(sorted(i for i in ids if i is not None))
