"""Rows for tests, and the personas every permission test uses: admin, manager, member, viewer, outsider."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from app.auth import passwords
from app.models import Membership, Organisation, Team, User

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Org:
    organisation: Organisation
    team: Team
    other_team: Team
    admin: User
    manager: User
    member: User
    viewer: User
    outsider: User  # a manager of the other team only


@cache
def _password_hash() -> str:
    return passwords.hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for the whole run


def user(session: Session, email: str, *, role: str = "member", name: str | None = None) -> User:
    row = User(
        email=email,
        name=name or email.split("@")[0],
        role=role,
        password_hash=_password_hash(),
        timezone="UTC",
        is_active=True,
    )
    session.add(row)
    session.flush()
    return row


def team(session: Session, organisation: Organisation, name: str) -> Team:
    row = Team(organisation_id=organisation.id, name=name, slug=name.lower().replace(" ", "-"))
    session.add(row)
    session.flush()
    return row


def member(session: Session, team: Team, who: User, access: str, roles: tuple[str, ...] = ()) -> Membership:
    row = Membership(team_id=team.id, user_id=who.id, access=access, team_roles=list(roles), capacity=0.5)
    session.add(row)
    session.flush()
    return row


def org(session: Session) -> Org:
    organisation = Organisation(name="Test Org")
    session.add(organisation)
    session.flush()
    main, other = team(session, organisation, "Vision"), team(session, organisation, "Search")
    people = {
        name: user(session, f"{name}@example.com", role=role)
        for name, role in [
            ("admin", "admin"),
            ("manager", "manager"),
            ("member", "member"),
            ("viewer", "viewer"),
            ("outsider", "manager"),
        ]
    }
    member(session, main, people["manager"], "manager", ("product_owner",))
    member(session, main, people["member"], "member", ("ml_engineer",))
    member(session, main, people["viewer"], "viewer")
    member(session, other, people["outsider"], "manager")
    session.commit()
    return Org(organisation, main, other, **people)
