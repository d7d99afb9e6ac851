"""Rows for tests, and the personas every permission test uses: admin, manager, member, viewer, outsider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlalchemy.orm import Session

from app.auth import passwords
from app.models import Answer, Assessment, MaturityModelVersion, Membership, Organisation, Team, User

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


def maturity_model(session: Session, slug: str = "playbook-base") -> MaturityModelVersion:
    """A shipped model installed in the test database."""
    from app.maturity import service as maturity_service

    maturity_service.sync_builtin(session)
    row = maturity_service.latest(session, slug=slug)
    assert row is not None
    return row


def assessment(
    session: Session,
    team: Team,
    model_row: MaturityModelVersion,
    *,
    period: str = "2026-Q3",
    level: int | None = None,
    submitted: bool = False,
    by: User | None = None,
    not_applicable: dict[str, str] | None = None,
) -> Assessment:
    """An assessment; with `level`, every question answered with the choice nearest that level, except
    those in `not_applicable` (question id → reason), marked not applicable."""
    from app.maturity import service as maturity_service

    row = Assessment(
        team_id=team.id,
        model_id=model_row.id,
        period=period,
        status="submitted" if submitted else "draft",
        submitted_at=datetime.now(UTC) if submitted else None,
    )
    session.add(row)
    session.flush()
    if level is not None:
        for question in maturity_service.parsed(model_row).questions():
            choice = min(
                (c for c in question.choices if c.level is not None), key=lambda c: abs(c.level - level)
            )
            reason = (not_applicable or {}).get(question.id)
            session.add(
                Answer(
                    assessment_id=row.id,
                    question_id=question.id,
                    choice_id=None if reason else choice.id,
                    not_applicable=bool(reason),
                    na_reason=reason or "",
                    answered_by_id=by.id if by else None,
                    answered_at=datetime.now(UTC),
                )
            )
    session.flush()
    return row


def api_token(session: Session, owner: User, name: str = "script") -> str:
    """A personal API token for `owner`; returns the secret a client sends as a bearer token."""
    from app.auth import tokens

    secret = tokens.create(session, user=owner, name=name).secret
    session.commit()
    return secret


def synthetic_model(session: Session, *, questions: int, slug: str = "synthetic") -> MaturityModelVersion:
    """A generated model with `questions` questions over five dimensions (for size and query-count tests)."""
    from app.maturity import service as maturity_service
    from app.maturity.schema import MaturityModel

    def text(value: str) -> dict[str, str]:
        return {"en": value, "ja": f"{value}（日本語）"}

    def capability(n: int) -> dict[str, object]:
        choices = [{"id": f"c{level}", "label": text(f"Level {level}"), "level": level} for level in range(5)]
        question = {"id": f"q{n}", "text": text(f"Question {n}?"), "choices": choices}
        return {"id": f"cap{n}", "name": text(f"Capability {n}"), "questions": [question]}

    dimensions = [
        {
            "id": f"d{d}",
            "name": text(f"Dimension {d}"),
            "capabilities": [capability(n) for n in range(d, questions, 5)],
        }
        for d in range(5)
    ]
    model = MaturityModel.model_validate(
        {"id": slug, "version": "1.0", "name": text("Synthetic"), "dimensions": dimensions}
    )
    return maturity_service.store(session, model=model)
