"""Server-side sessions and sign-in attempts. Services flush; the request commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from app.auth import passwords
from app.models import LoginAttempt, User, UserSession

TOUCH_EVERY = timedelta(minutes=1)  # write last_seen at most this often
ATTEMPT_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 50


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, *, user: User, now: datetime, absolute: timedelta) -> str:
    """Create a session row and return the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(token_hash=_digest(token), user_id=user.id, last_seen_at=now, expires_at=now + absolute)
    )
    session.flush()
    return token


Change = Callable[[Session], object]
Writer = Callable[[Change], None]


def in_session(session: Session) -> Writer:
    """A writer that applies changes in the given session's own transaction."""

    def apply(change: Change) -> None:
        change(session)

    return apply


# Built once: every signed-in request runs it, and building it (with the eager load) cost more than
# running it on SQLite.
_SESSION_BY_TOKEN = (
    select(UserSession)
    .options(joinedload(UserSession.user))
    .where(UserSession.token_hash == bindparam("token_hash"))
)


def resolve_session(
    session: Session, *, token: str, now: datetime, idle: timedelta, write: Writer | None = None
) -> User | None:
    """The signed-in user for a cookie token, or None when it is unknown, idle too long or expired.

    Bookkeeping (last seen, removing an expired row) goes through `write`, which a read request may
    run in its own short transaction, or skip when the database is busy.
    """
    row = session.scalars(_SESSION_BY_TOKEN, {"token_hash": _digest(token)}).first()
    if row is None or not row.user.is_active:
        return None
    apply = write or in_session(session)
    if now >= row.expires_at or now - row.last_seen_at >= idle:
        forget = delete(UserSession).where(UserSession.id == row.id)
        apply(lambda s: s.execute(forget))
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        touch = update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
        apply(lambda s: s.execute(touch))
    return row.user


def end_session(session: Session, *, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def end_all_sessions(session: Session, *, user_id: int) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (in constant-ish time either way)."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    stored = user.password_hash if user is not None and user.is_active else None
    if not passwords.verify_password(stored, password) or user is None:
        return None
    if stored and passwords.needs_rehash(stored):
        user.password_hash = passwords.hash_password(password)
    return user


def is_rate_limited(session: Session, *, email: str, address: str, now: datetime) -> bool:
    """Too many recent failures for this account, or from this address."""
    since = now - ATTEMPT_WINDOW
    recent = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since)
    per_account = session.scalar(recent.where(LoginAttempt.email == email.strip().lower())) or 0
    per_address = session.scalar(recent.where(LoginAttempt.address == address)) or 0
    return per_account >= MAX_FAILURES_PER_ACCOUNT or per_address >= MAX_FAILURES_PER_ADDRESS


def record_failure(session: Session, *, email: str, address: str, now: datetime) -> None:
    session.add(LoginAttempt(email=email.strip().lower()[:254], address=address[:64], at=now))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - ATTEMPT_WINDOW))
    session.flush()
