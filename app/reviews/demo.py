"""Demo quarterly reviews: each demo team's manager wrote the review of the quarter before this one, so
the review pages, the roadmap report and the organisation report show one from the start."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Membership, Team
from app.okrs import service as okrs_service
from app.reviews import forms, quarters, service

WENT_WELL = (
    "Every training run is now tracked in MLflow with its parameters and data version; the nightly "
    "pipeline ran the whole quarter without a manual restart."
)
BOTTLENECK = (
    "Releases still wait on one person to package and deploy the model by hand; a release took four "
    "days from an approved model to production."
)
PATTERNS = ("tool-dependency",)
ACTIONS = (
    "Automate packaging and deployment in CI, starting with one model",
    "Hold a monthly study session on the deployment pipeline for the whole team",
)


def load(session: Session, *, organisation_id: int, now: datetime) -> None:
    """Save one review (version 1) of last quarter for every team of the organisation, by its manager."""
    current = okrs_service.current_period(now.date())
    period = okrs_service.shift_period(current, -1)
    first_day, _ = quarters.bounds(current)  # written in the first days of this quarter, as teams do
    written = min(now, datetime.combine(first_day + timedelta(days=4), time(10), tzinfo=now.tzinfo))
    teams = session.scalars(
        select(Team)
        .options(selectinload(Team.memberships).joinedload(Membership.user))
        .where(Team.organisation_id == organisation_id)
        .order_by(Team.id)
    )
    for team in teams:
        manager = next(m.user for m in team.memberships if m.access == "manager")
        actions = tuple({"id": f"demo{n}", "text": text} for n, text in enumerate(ACTIONS))
        draft = forms.Draft(WENT_WELL, BOTTLENECK, PATTERNS, actions)
        row = service.save(session, team_id=team.id, period=period, draft=draft, user=manager)
        row.created_at = written
