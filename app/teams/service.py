"""Reading and writing teams. Services take a session and keyword arguments; they only flush."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Assessment, Membership, Team


@dataclass(frozen=True)
class TeamOverview:
    team: Team
    members: int
    assessments: list[Assessment]  # newest period first

    @property
    def latest_submitted(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == "submitted"), None)

    @property
    def draft(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == "draft"), None)


def overview(session: Session) -> list[TeamOverview]:
    """Every team with its member count and assessments, in three queries whatever the data size."""
    teams = session.scalars(select(Team).options(selectinload(Team.memberships)).order_by(Team.name)).all()
    assessments = session.scalars(
        select(Assessment).options(selectinload(Assessment.model)).order_by(Assessment.period.desc())
    ).all()
    by_team: dict[int, list[Assessment]] = {}
    for assessment in assessments:
        by_team.setdefault(assessment.team_id, []).append(assessment)
    return [TeamOverview(team, len(team.memberships), by_team.get(team.id, [])) for team in teams]


def membership_access(session: Session, *, user_id: int, team_id: int) -> str | None:
    """The user's access in the team (manager, member, viewer), or None when not a member."""
    return session.scalar(
        select(Membership.access).where(Membership.user_id == user_id, Membership.team_id == team_id)
    )
