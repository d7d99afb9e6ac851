"""Creating and changing user accounts."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from app.auth import passwords
from app.models import Role, User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UserInputError(ValueError):
    """Input that cannot make a valid account; the message names the field."""


def create(
    session: Session, *, email: str, name: str, role: str, password: str, locale: str | None = None
) -> User:
    """A new active local account with a hashed password."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise UserInputError(f"email: {email!r} is not an email address")
    if not name.strip():
        raise UserInputError("name: must not be empty")
    if role not in {r.value for r in Role}:
        raise UserInputError(f"role: {role!r} is not one of {', '.join(r.value for r in Role)}")
    if len(password) < passwords.MIN_LENGTH:
        raise UserInputError(f"password: must be at least {passwords.MIN_LENGTH} characters")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        locale=locale,
        password_hash=passwords.hash_password(password),
        timezone="UTC",
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user
