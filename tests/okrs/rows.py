"""OKR rows for tests, made through the service (as the app makes them)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import KeyResult, Objective, Team, User
from app.okrs import service

PERIOD = "2027-Q1"


def objective(
    session: Session, team: Team, user: User, title: str = "Ship faster", period: str = PERIOD
) -> Objective:
    data = service.ObjectiveInput(title=title, description="")
    return service.create_objective(session, team_id=team.id, period=period, data=data, user=user)


def key_result(
    session: Session,
    parent: Objective,
    user: User,
    *,
    title: str = "Deploys per month",
    kind: str = "numeric",
    start: float = 0,
    target: float = 10,
    owner: User | None = None,
) -> KeyResult:
    data = service.KeyResultInput(title, kind, start, target, "", owner.id if owner else None)
    return service.create_key_result(session, objective=parent, data=data, user=user)
