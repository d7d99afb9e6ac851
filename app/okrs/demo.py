"""Demo OKRs: each demo team gets objectives for the current quarter, owned by its manager, and a few
weeks of check-ins; leadership's organisation objective (the playbook's example) has two of them
contributing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import KeyResultKind, Membership, Role, Team, User
from app.okrs import service
from app.okrs.org import service as org_service

# (title, kind, start, target, unit, values of the weekly check-ins, oldest first; confidences)
KR = tuple[str, str, float, float, str, tuple[float, ...], tuple[int, ...]]
NUMERIC, PERCENT, MILESTONE = (k.value for k in KeyResultKind)
OKRS: dict[str, tuple[tuple[str, tuple[KR, ...]], ...]] = {
    "recommendations": (
        (
            "Ship ranking models safely, every week",
            (
                ("Model deployments per month", NUMERIC, 1, 4, "", (1, 2, 3), (6, 7, 8)),
                ("Share of releases behind a canary", PERCENT, 20, 90, "%", (35, 50, 62), (7, 7, 6)),
                ("Automatic rollback rehearsed in production", MILESTONE, 0, 1, "", (0, 1), (8, 9)),
            ),
        ),
        (
            "Know when a model goes stale",
            (
                ("Features with drift monitoring", PERCENT, 0, 80, "%", (10, 25), (5, 4)),
                ("Median time from incident to alert (minutes)", NUMERIC, 60, 10, "min", (45, 30), (6, 5)),
            ),
        ),
    ),
    "fraud-detection": (
        (
            "Make every fraud model reproducible",
            (
                (
                    "Training runs recording their dataset version",
                    PERCENT,
                    30,
                    95,
                    "%",
                    (45, 60, 68),
                    (5, 6, 6),
                ),
                ("Training data tracked by DVC with a shared remote", MILESTONE, 0, 1, "", (0, 0), (4, 3)),
                ("Models registered with lineage", NUMERIC, 2, 12, "", (4, 5), (3, 3)),
            ),
        ),
    ),
    "demand-forecasting": (
        (
            "Put forecasting code under version control and CI",
            (
                ("All ML code is in Git", MILESTONE, 0, 1, "", (0, 1), (6, 8)),
                ("Pipelines that run tests before training", PERCENT, 0, 100, "%", (0, 20, 40), (4, 5, 5)),
            ),
        ),
    ),
}
ORG_OBJECTIVE = "Cut the time from model development to deployment by 50%"
CONTRIBUTING = {"Ship ranking models safely, every week", "Make every fraud model reproducible"}
NOTES = ("", "Blocked on review capacity this week.", "Good progress after the pairing session.", "")


def load(session: Session, *, organisation_id: int, now: datetime) -> None:
    """Objectives for this quarter with weekly check-ins by the team's members (deterministic)."""
    teams = session.scalars(
        select(Team)
        .options(selectinload(Team.memberships).joinedload(Membership.user))
        .where(Team.organisation_id == organisation_id)
    )
    period = service.current_period(now.date())
    leadership = session.scalars(
        select(User).where(User.role.in_((Role.VIEWER, Role.ADMIN))).order_by(User.role.desc(), User.id)
    ).first()
    parent = None
    if leadership is not None:
        wanted = org_service.OrgObjectiveInput(ORG_OBJECTIVE, "", leadership.id)
        parent = org_service.create(session, period=period, data=wanted, user=leadership).id
    for team in teams:
        people = sorted((m.user for m in team.memberships), key=lambda u: u.id)
        manager = next(m.user for m in team.memberships if m.access == "manager")
        for title, krs in OKRS.get(team.slug, ()):
            data = service.ObjectiveInput(
                title=title,
                description="",
                owner_id=manager.id,
                org_objective_id=parent if title in CONTRIBUTING else None,
            )
            objective = service.create_objective(
                session, team_id=team.id, period=period, data=data, user=manager
            )
            for n, (kr_title, kind, start, target, unit, values, confidences) in enumerate(krs):
                owner = people[(n + 1) % len(people)]
                kr_data = service.KeyResultInput(kr_title, kind, start, target, unit, owner.id)
                kr = service.create_key_result(session, objective=objective, data=kr_data, user=manager)
                for week, (value, confidence) in enumerate(zip(values, confidences, strict=True)):
                    moment = now - timedelta(weeks=len(values) - week, hours=n)
                    note = NOTES[(week + n) % len(NOTES)]
                    entry = service.CheckInInput(value, confidence, note, f"demo-{kr.id}-{week}")
                    service.check_in(session, key_result=kr, data=entry, user=owner, now=moment)
