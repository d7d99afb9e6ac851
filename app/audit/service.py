"""Recording and reading audit events. Services take a session and keyword arguments; they only flush."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.kit.paging import Page, paginate
from app.kit.spreadsheet import csv_line
from app.kit.time import utcnow
from app.models import Assessment, AuditEvent, KeyResult, Membership, Objective, OrgObjective, Team, User

CSV_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "before", "after")


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event, e.g. action "membership.update" on object_type "membership" (actor None: the system)."""
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    session.add(event)
    session.flush()
    return event


# What the log calls each kind of object `changed` is given (its object_type, and its actions' prefix).
KINDS: dict[type[Any], str] = {
    Assessment: "assessment",
    KeyResult: "key_result",
    Membership: "membership",
    Objective: "objective",
    OrgObjective: "org_objective",
    Team: "team",
    User: "user",
}


def changed(
    session: Session,
    *,
    actor: User | None,
    obj: Assessment | KeyResult | Membership | Objective | OrgObjective | Team | User,
    verb: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `verb` to `obj`, from `before` to `after`: kind and id come from the object
    (`verb="update"` on an Objective is action "objective.update" on object "objective" `obj.id`)."""
    kind = KINDS[type(obj)]
    return record(
        session,
        actor=actor,
        action=f"{kind}.{verb}",
        object_type=kind,
        object_id=obj.id,
        before=before,
        after=after,
    )


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else json.loads(json.dumps(value, default=str))


@dataclass(frozen=True)
class Filters:
    actor: str = ""  # part of the actor's email or name
    action: str = ""  # prefix, e.g. "membership" or "token.create"
    object_type: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    actor: User | None


def _query(filters: Filters) -> Select[AuditEvent, User]:
    query = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    if filters.actor:
        pattern = f"%{filters.actor.strip().lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.name).like(pattern)))
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action.strip(), autoescape=True))
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at < filters.until)
    return query


def search(session: Session, *, filters: Filters, page: int, per_page: int = 50) -> Page[Row]:
    """One page of events, newest first, with their actors (two queries)."""
    query = _query(filters).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    result = paginate(session, query, page=page, per_page=per_page)
    return result.map(lambda pair: Row(pair[0], pair[1]))


def object_types(session: Session) -> Sequence[str]:
    """The object types that occur in the log, for the filter menu."""
    return session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)).all()


def export_csv(session: Session, *, filters: Filters, batch: int = 500) -> Iterator[str]:
    """The filtered log as CSV lines, oldest first, read in batches so a long log is not held in memory."""
    yield csv_line(CSV_COLUMNS)
    query = _query(filters).order_by(AuditEvent.at, AuditEvent.id).execution_options(yield_per=batch)
    for event, actor in session.execute(query):
        yield csv_line(
            (
                event.at.isoformat(),
                actor.email if actor else "",
                event.action,
                event.object_type,
                event.object_id,
                json.dumps(event.before, ensure_ascii=False) if event.before is not None else "",
                json.dumps(event.after, ensure_ascii=False) if event.after is not None else "",
            )
        )
