"""The learning log: a team's sessions (best-practice sharing, study sessions, incident reviews), newest
first, and how many each team held per quarter (the quarterly review and the dashboard count them).

An incident review may name what it led to: a roadmap item ("item:<id>") or a checklist entry
("entry:<source>/<list>/<entry>"), chosen from what the team has now. Services take a session and
keyword arguments and only flush; every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.audit import service as audit_service
from app.errors import BadInput, NotFound
from app.i18n import N_
from app.kit.paging import Page, paginate
from app.kit.time import quarter_bounds, quarter_of
from app.maturity.schema import Text
from app.models import LearningAttendee, LearningSession, Membership, SessionKind, User
from app.roadmap import service as roadmap_service
from app.roadmap.checklists import service as checklists_service

KINDS = tuple(k.value for k in SessionKind)
PER_PAGE = 20
ITEM, ENTRY = "item:", "entry:"


@dataclass(frozen=True)
class SessionInput:
    """A session as a form or a script gives it, its text already checked."""

    held_on: date
    kind: str
    topic: str
    attendee_ids: tuple[int, ...]
    lessons: str
    led_to: str | None  # ITEM + item id, ENTRY + entry key; incident reviews only


@dataclass(frozen=True)
class Target:
    """Something an incident review can lead to: a roadmap item or a checklist entry."""

    value: str
    label: Text
    context: Text | None = None  # the checklist an entry is in


def page(session: Session, *, team_id: int, number: int) -> Page[LearningSession]:
    """The team's sessions, newest first, with attendees and who changed them (four queries)."""
    query = (
        select(LearningSession)
        .options(
            selectinload(LearningSession.attendees).joinedload(LearningAttendee.user),
            joinedload(LearningSession.updated_by),
        )
        .where(LearningSession.team_id == team_id)
        .order_by(LearningSession.held_on.desc(), LearningSession.id.desc())
    )
    found: Page[LearningSession] = paginate(session, query, page=number, per_page=PER_PAGE)
    return found


def get(session: Session, *, team_id: int, session_id: int) -> LearningSession:
    """One session of the team with its attendees, else 404."""
    found = session.scalars(
        select(LearningSession)
        .options(selectinload(LearningSession.attendees))
        .where(LearningSession.id == session_id, LearningSession.team_id == team_id)
    ).first()
    if found is None:
        raise NotFound
    return found


def targets(session: Session, *, team_id: int) -> list[Target]:
    """What an incident review can lead to: the roadmap's items, then every checklist entry."""
    found: list[Target] = []
    roadmap = roadmap_service.get(session, team_id=team_id)
    if roadmap is not None:
        plan = roadmap_service.view(session, roadmap=roadmap).plan
        found += [Target(ITEM + item.id, item.title) for item in plan.items]
    lists = checklists_service.team_lists(session, team_id=team_id).lists
    found += [Target(ENTRY + e.key, e.text, c.title) for c in lists for e in c.entries]
    return found


def create(
    session: Session,
    *,
    team_id: int,
    data: SessionInput,
    choices: Sequence[Target],
    user: User,
    now: datetime,
) -> LearningSession:
    """Log a session; attendees must be in the team and what it led to one of `choices`."""
    _check(session, team_id=team_id, data=data, choices=choices)
    row = LearningSession(team_id=team_id, created_by_id=user.id, created_at=now, attendees=[])
    _fill(row, data, user, now)
    _attend(row, data.attendee_ids)
    session.add(row)
    session.flush()
    _audit(session, row, user, "learning_session.create", after=_state(row, data.attendee_ids))
    return row


def update(
    session: Session,
    *,
    row: LearningSession,
    data: SessionInput,
    choices: Sequence[Target],
    user: User,
    now: datetime,
) -> None:
    """Change a session (its attendees `get` loaded); nothing is recorded when nothing changed."""
    _check(session, team_id=row.team_id, data=data, choices=choices)
    attendees = tuple(sorted(a.user_id for a in row.attendees))
    before = _state(row, attendees)
    after = {**_state(row, attendees), **_data_state(data)}
    if after == before:
        return
    _fill(row, data, user, now)
    _attend(row, data.attendee_ids)
    session.flush()
    changed = sorted(k for k in after if after[k] != before[k])
    _audit(
        session,
        row,
        user,
        "learning_session.update",
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )


def delete_session(session: Session, *, row: LearningSession, user: User) -> None:
    """Remove a session from the log (its attendance goes with it)."""
    attendees = tuple(sorted(a.user_id for a in row.attendees))
    _audit(session, row, user, "learning_session.delete", before=_state(row, attendees))
    session.delete(row)
    session.flush()


def sessions_per_quarter(
    session: Session, *, team_ids: Sequence[int], quarters: Sequence[str]
) -> dict[int, dict[str, int]]:
    """How many sessions each team held in each quarter ("2026-Q4"), in one query whatever the number
    of teams and quarters; every team and quarter asked about is in the answer (0 when none)."""
    counts = {team_id: dict.fromkeys(quarters, 0) for team_id in team_ids}
    if not team_ids or not quarters:
        return counts
    bounds = [quarter_bounds(q) for q in quarters]
    query = select(LearningSession.team_id, LearningSession.held_on).where(
        LearningSession.team_id.in_(list(team_ids)),
        LearningSession.held_on >= min(start for start, _ in bounds),
        LearningSession.held_on < max(end for _, end in bounds),
    )
    for team_id, held_on in session.execute(query):
        quarter = quarter_of(held_on)
        if quarter in counts[team_id]:
            counts[team_id][quarter] += 1
    return counts


def _check(session: Session, *, team_id: int, data: SessionInput, choices: Sequence[Target]) -> None:
    if data.attendee_ids:
        members = set(
            session.scalars(
                select(Membership.user_id).where(
                    Membership.team_id == team_id, Membership.user_id.in_(data.attendee_ids)
                )
            )
        )
        if set(data.attendee_ids) - members:
            raise BadInput(N_("Choose attendees from the team's members."), field="attendee_ids")
    if data.led_to is not None:
        if data.kind != SessionKind.INCIDENT_REVIEW:
            raise BadInput(
                N_("Only an incident review leads to a roadmap item or checklist entry."), field="led_to"
            )
        if data.led_to not in {c.value for c in choices}:
            raise BadInput(N_("Choose a roadmap item or checklist entry of this team."), field="led_to")


def _fill(row: LearningSession, data: SessionInput, user: User, now: datetime) -> None:
    row.held_on, row.kind, row.topic, row.lessons = data.held_on, data.kind, data.topic, data.lessons
    item = data.led_to[len(ITEM) :] if data.led_to and data.led_to.startswith(ITEM) else None
    entry = data.led_to[len(ENTRY) :] if data.led_to and data.led_to.startswith(ENTRY) else None
    row.led_to_item, row.led_to_entry = item, entry
    row.updated_by_id, row.updated_at = user.id, now


def _attend(row: LearningSession, user_ids: Sequence[int]) -> None:
    """Make the session's attendees these people (those already listed stay; the rest go or come)."""
    wanted = set(user_ids)
    kept = [a for a in row.attendees if a.user_id in wanted]
    present = {a.user_id for a in kept}
    row.attendees = kept + [LearningAttendee(user_id=u) for u in sorted(wanted - present)]


def led_to(row: LearningSession) -> str | None:
    """What the session led to, as a Target's value."""
    if row.led_to_item:
        return ITEM + row.led_to_item
    return ENTRY + row.led_to_entry if row.led_to_entry else None


def _state(row: LearningSession, attendees: Sequence[int]) -> dict[str, Any]:
    return {
        "held_on": row.held_on.isoformat() if row.held_on else None,
        "kind": row.kind,
        "topic": row.topic,
        "lessons": row.lessons,
        "attendee_ids": sorted(attendees),
        "led_to": led_to(row),
    }


def _data_state(data: SessionInput) -> dict[str, Any]:
    return {
        "held_on": data.held_on.isoformat(),
        "kind": data.kind,
        "topic": data.topic,
        "lessons": data.lessons,
        "attendee_ids": sorted(set(data.attendee_ids)),
        "led_to": data.led_to,
    }


def _audit(
    session: Session,
    row: LearningSession,
    user: User,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit_service.record(
        session,
        actor=user,
        action=action,
        object_type="learning_session",
        object_id=f"{row.team_id}/{row.id}",
        before=before,
        after=after,
    )
