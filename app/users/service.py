"""Creating and changing user accounts: invitations, roles, deactivation, passwords.
Services take a session and keyword arguments; they only flush."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import passwords
from app.auth import service as auth_service
from app.i18n import N_
from app.kit import limits
from app.kit.paging import Page, paginate
from app.models import OneTimeLink, Role, User
from app.users.forms import FieldError, checked_text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INVITE_VALID = timedelta(days=7)
RESET_VALID = timedelta(days=1)


class UserInputError(ValueError):
    """Input that cannot make a valid account; the message names the field."""


def create(
    session: Session, *, email: str, name: str, role: str, password: str, locale: str | None = None
) -> User:
    """A new active local account with a hashed password."""
    email = email.strip().lower()
    if len(email) > limits.EMAIL:
        raise UserInputError(f"email: at most {limits.EMAIL} characters, please (this has {len(email)})")
    if not EMAIL.match(email):
        raise UserInputError(f"email: {email!r} is not an email address")
    try:
        name = clean_name(name)
    except FieldError as error:  # the CLI's one-line error names the field
        raise UserInputError(f"name: {error.text()}") from None
    if role not in {r.value for r in Role}:
        raise UserInputError(f"role: {role!r} is not one of {', '.join(r.value for r in Role)}")
    if len(password) < passwords.MIN_LENGTH:
        raise UserInputError(f"password: must be at least {passwords.MIN_LENGTH} characters")
    if len(password) > limits.PASSWORD:
        raise UserInputError(f"password: at most {limits.PASSWORD} characters, please")
    user = User(
        email=email,
        name=name,
        role=role,
        locale=locale,
        password_hash=passwords.hash_password(password),
        timezone="UTC",
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_email(session: Session, *, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


@dataclass(frozen=True)
class IssuedLink:
    link: OneTimeLink
    token: str  # goes into the URL; only its hash is stored


def invite(session: Session, *, email: str, role: str, actor: User | None, now: datetime) -> IssuedLink:
    """A one-time invitation link for a new account with `role` (no mail is sent: show or print it)."""
    email = email.strip().lower()
    if len(email) > limits.EMAIL:
        raise FieldError("email", limits.TOO_LONG, max=limits.EMAIL, length=len(email))
    if not EMAIL.match(email):
        raise FieldError("email", N_("Enter an email address like name@example.com."))
    if role not in {r.value for r in Role}:
        raise FieldError("role", N_("Choose one of the roles."))
    if by_email(session, email=email) is not None:
        raise FieldError("email", N_("Someone with this email already has an account."))
    token = secrets.token_urlsafe(32)
    link = OneTimeLink(
        kind="invite",
        email=email,
        role=role,
        token_hash=_digest(token),
        created_by_id=actor.id if actor else None,
        expires_at=now + INVITE_VALID,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.invite",
        object_type="invitation",
        object_id=link.id,
        after={"email": email, "role": role},
    )
    return IssuedLink(link, token)


def password_reset_link(session: Session, *, user: User, actor: User, now: datetime) -> IssuedLink:
    """A one-time link with which `user` sets a new password (their old one keeps working until then)."""
    token = secrets.token_urlsafe(32)
    link = OneTimeLink(
        kind="reset",
        email=user.email,
        role=user.role,
        user_id=user.id,
        token_hash=_digest(token),
        created_by_id=actor.id,
        expires_at=now + RESET_VALID,
    )
    session.add(link)
    session.flush()
    audit.changed(session, actor=actor, obj=user, verb="reset_link")
    return IssuedLink(link, token)


def usable_link(session: Session, *, token: str, kind: str, now: datetime) -> OneTimeLink | None:
    """The unused, unexpired link of this kind for `token`, or None."""
    link = session.scalars(
        select(OneTimeLink).where(OneTimeLink.token_hash == _digest(token), OneTimeLink.kind == kind)
    ).first()
    if link is None or link.used_at is not None or now >= link.expires_at:
        return None
    return link


def check_new_password(password: str, confirm: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise FieldError("password", N_("Use at least %(min)d characters."), min=passwords.MIN_LENGTH)
    if len(password) > limits.PASSWORD:
        raise FieldError("password", limits.TOO_LONG, max=limits.PASSWORD, length=len(password))
    if password != confirm:
        raise FieldError("confirm", N_("The two passwords are not the same."))


def clean_name(name: str) -> str:
    cleaned = " ".join(checked_text(name, limits.NAME, "name").split())
    if not cleaned:
        raise FieldError("name", N_("Enter your name as colleagues know it."))
    return cleaned


def accept_invite(
    session: Session, *, link: OneTimeLink, name: str, password: str, confirm: str, now: datetime
) -> User:
    """Create the invited account and use up the link; nothing is written when the input is bad."""
    cleaned = clean_name(name)
    check_new_password(password, confirm)
    if by_email(session, email=link.email) is not None:
        raise FieldError("name", N_("This invitation has already been used."))
    user = User(
        email=link.email,
        name=cleaned,
        role=link.role,
        password_hash=passwords.hash_password(password),
        timezone="UTC",
        is_active=True,
    )
    session.add(user)
    link.used_at = now
    session.flush()
    audit.changed(
        session,
        actor=user,
        obj=user,
        verb="create",
        after={"email": user.email, "name": user.name, "role": user.role},
    )
    return user


def reset_password(
    session: Session, *, link: OneTimeLink, password: str, confirm: str, now: datetime
) -> User | None:
    """Set a new password from a reset link, use the link up and end every session of the user."""
    check_new_password(password, confirm)
    user = session.get(User, link.user_id) if link.user_id else None
    if user is None or not user.is_active:
        return None
    user.password_hash = passwords.hash_password(password)
    link.used_at = now
    auth_service.end_all_sessions(session, user_id=user.id)
    audit.changed(session, actor=user, obj=user, verb="password_reset")
    return user


def change_password(session: Session, *, user: User, current: str, password: str, confirm: str) -> None:
    """Change the signed-in user's password after checking the current one; ends all their sessions
    (the caller starts a fresh one for this browser)."""
    if not user.password_hash or not passwords.verify_password(user.password_hash, current):
        raise FieldError("current", N_("This is not your current password."))
    check_new_password(password, confirm)
    user.password_hash = passwords.hash_password(password)
    auth_service.end_all_sessions(session, user_id=user.id)
    audit.changed(session, actor=user, obj=user, verb="password_change")


def set_role(session: Session, *, user: User, role: str, actor: User) -> None:
    """Change a user's installation role (an admin cannot demote themselves: someone must stay admin)."""
    if role not in {r.value for r in Role}:
        raise FieldError("role", N_("Choose one of the roles."))
    if user.id == actor.id and role != user.role:
        raise FieldError("role", N_("You cannot change your own role; ask another admin."))
    if role == user.role:
        return
    before = user.role
    user.role = role
    audit.changed(session, actor=actor, obj=user, verb="role", before={"role": before}, after={"role": role})


def set_active(session: Session, *, user: User, active: bool, actor: User) -> None:
    """Deactivate (ends their sessions; tokens stop working) or reactivate an account."""
    if user.id == actor.id and not active:
        raise FieldError("active", N_("You cannot deactivate your own account."))
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        auth_service.end_all_sessions(session, user_id=user.id)
    audit.changed(
        session,
        actor=actor,
        obj=user,
        verb="activate" if active else "deactivate",
        before={"active": not active},
        after={"active": active},
    )


class UserSort(StrEnum):
    NAME = "name"
    EMAIL = "email"
    ROLE = "role"
    LAST_LOGIN = "last_login"
    CREATED = "created"


_SORT_COLUMNS = {
    UserSort.NAME: User.name,
    UserSort.EMAIL: User.email,
    UserSort.ROLE: User.role,
    UserSort.LAST_LOGIN: User.last_login_at,
    UserSort.CREATED: User.created_at,
}


def search(
    session: Session,
    *,
    text: str = "",
    role: str = "",
    sort: UserSort = UserSort.NAME,
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> Page[User]:
    """One page of users matching `text` (name or email) and `role`, sorted as asked."""
    query = select(User)
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
    if role:
        query = query.where(User.role == role)
    column = _SORT_COLUMNS[sort]
    order = column.desc() if descending else column.asc()
    query = query.order_by(order.nulls_last(), User.id)
    result: Page[User] = paginate(session, query, page=page, per_page=per_page)
    return result


def pending_invitations(session: Session, *, now: datetime) -> list[OneTimeLink]:
    """Invitations not used yet and still valid, newest first."""
    return list(
        session.scalars(
            select(OneTimeLink)
            .where(OneTimeLink.kind == "invite", OneTimeLink.used_at.is_(None), OneTimeLink.expires_at > now)
            .order_by(OneTimeLink.created_at.desc())
        ).all()
    )


def active_users(session: Session) -> list[User]:
    """Everyone who can sign in, by name (for pickers)."""
    return list(session.scalars(select(User).where(User.is_active).order_by(User.name)).all())
