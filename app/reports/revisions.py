"""The data revision: a counter that every commit changing the organisation's data moves on, in the same
transaction. A cache of something derived from the data (a report's document key) remembers the revision
it was made at, and one cheap query tells it whether anything could have changed since.

Every session of the app counts: listeners on the Session class note changes at each flush and on bulk
statements, and move the counter just before the commit (on PostgreSQL the row lock is held only for the
commit itself, not for the whole transaction). Bookkeeping tables (sessions, sign-in attempts, the PDF
cache, audit events) feed no report and do not count."""

from __future__ import annotations

from itertools import chain
from typing import Any, cast

from sqlalchemy import Table, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from app.models import DataRevision

UNTRACKED = frozenset(
    {"data_revisions", "user_sessions", "login_attempts", "report_cache", "api_tokens", "one_time_links"}
    | {"audit_events"}
)
_CHANGED = "hoshin_data_changed"


def current(session: Session) -> int | None:
    """The revision the session sees (None on a database without the row: then nothing may rely on it)."""
    return session.scalar(select(DataRevision.revision).where(DataRevision.id == 1))


def _tracked(table: Any) -> bool:
    return getattr(table, "name", None) not in UNTRACKED


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    # after_flush still sees what the flush wrote in new, dirty and deleted
    if any(
        _tracked(getattr(o, "__table__", None)) for o in chain(session.new, session.dirty, session.deleted)
    ):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _tracked(
        getattr(state.statement, "table", None)
    ):
        state.session.info[_CHANGED] = True


# Made once, run on the connection: the ORM's bulk update (building the statement, looking for objects to
# bring up to date; no DataRevision object is ever kept in a session) was a tenth of a check-in's time.
_REVISIONS = cast(Table, DataRevision.__table__)
_BUMP = update(_REVISIONS).where(_REVISIONS.c.id == 1).values(revision=_REVISIONS.c.revision + 1)


@event.listens_for(Session, "before_commit")
def _move_on(session: Session) -> None:
    session.flush()  # what is still pending is noted before deciding
    if session.info.pop(_CHANGED, False):
        session.connection().execute(_BUMP)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (the flag was taken then) or rolled back: nothing to count
        session.info.pop(_CHANGED, None)
