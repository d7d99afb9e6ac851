"""Personal API tokens for /api/v1: random, shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.audit import service as audit
from app.auth.service import Writer, in_session
from app.i18n import N_, gettext
from app.kit import limits
from app.models import ApiToken, User

PREFIX = "hsn_"
TOUCH_EVERY = timedelta(minutes=1)  # write last_used_at at most this often


class TokenInputError(ValueError):
    """A token name that cannot be used; the message is an untranslated msgid, `params` fill it in."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.params = params

    def text(self) -> str:
        translated = gettext(self.args[0])
        return translated % self.params if self.params else translated


@dataclass(frozen=True)
class NewToken:
    row: ApiToken
    secret: str  # shown to its owner once, never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(session: Session, *, user: User, name: str, actor: User | None = None) -> NewToken:
    """A new token for `user`; the plain secret is returned once and only its hash is kept."""
    try:
        name = " ".join(limits.check(name, limits.TOKEN_NAME).split())
    except limits.TextError as error:
        raise TokenInputError(error.message, **error.params) from None
    if not name:
        raise TokenInputError(N_("Give the token a name, e.g. the script that will use it."))
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=digest(secret))
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor or user,
        action="token.create",
        object_type="api_token",
        object_id=row.id,
        after={"user": user.email, "name": name, "prefix": row.prefix},
    )
    return NewToken(row, secret)


def for_user(session: Session, *, user_id: int) -> Sequence[ApiToken]:
    """The user's tokens, active ones first, newest first."""
    return session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def revoke(session: Session, *, user: User, token_id: int, now: datetime) -> ApiToken | None:
    """Revoke one of `user`'s own tokens; None when they have no such token."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).first()
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(
            session,
            actor=user,
            action="token.revoke",
            object_type="api_token",
            object_id=row.id,
            before={"name": row.name, "prefix": row.prefix, "revoked": False},
            after={"name": row.name, "prefix": row.prefix, "revoked": True},
        )
    return row


def resolve(session: Session, *, secret: str, now: datetime, write: Writer | None = None) -> User | None:
    """The active user a bearer token belongs to, or None when it is unknown or revoked."""
    row = session.scalars(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == digest(secret))
    ).first()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        apply = write or in_session(session)
        touch = update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
        apply(lambda s: s.execute(touch))
    return row.user
