"""Demo learning log: each demo team held a session most months of the last two quarters, an incident
review among them leading to an entry of the playbook's technical checklist."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LearningAttendee, LearningSession, Membership, SessionKind, Team

STUDY, SHARING, INCIDENT = (
    k.value for k in (SessionKind.STUDY, SessionKind.BEST_PRACTICE, SessionKind.INCIDENT_REVIEW)
)
# (days ago, kind, topic, lessons, what an incident review led to)
SESSIONS: tuple[tuple[int, str, str, str, str | None], ...] = (
    (
        150,
        STUDY,
        "MLflow model registry and aliases",
        "Aliases replace stages; one alias per environment.",
        None,
    ),
    (120, SHARING, "How we review feature pipelines", "Pair on the first review of a new pipeline.", None),
    (
        90,
        INCIDENT,
        "Stale ranking model served for two weeks",
        "Nobody saw the drop: the model had no dashboard. Add one before the next release.",
        "playbook/technical/monitoring-dashboard",
    ),
    (
        60,
        STUDY,
        "Data versioning with DVC",
        "Keep the remote in the team's bucket; pin the data in CI.",
        None,
    ),
    (25, SHARING, "Writing model cards", "Start from the template; name the data and its limits.", None),
)


def load(session: Session, *, organisation_id: int, now: datetime) -> None:
    """Add the sessions to every team of the organisation, attended by its members."""
    teams = session.scalars(select(Team).where(Team.organisation_id == organisation_id).order_by(Team.id))
    for team in teams:
        people = list(session.scalars(select(Membership.user_id).where(Membership.team_id == team.id)))
        for number, (days, kind, topic, lessons, led_to) in enumerate(SESSIONS):
            row = LearningSession(
                team_id=team.id,
                held_on=(now - timedelta(days=days + team.id % 7)).date(),
                kind=kind,
                topic=topic,
                lessons=lessons,
                led_to_entry=led_to,
                created_at=now,
                updated_at=now,
                attendees=[LearningAttendee(user_id=u) for u in people[number % 2 :: 1 + number % 2]],
            )
            session.add(row)
    session.flush()
