"""Demo roadmaps and checklists: each demo team's roadmap generated from its latest assessment of each
capability, its first items under way or done, and some first-quarter checklist entries ticked off by
the team's people. Deterministic: the same demo every time (only the dates follow `now`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.checklists import service as checklists_service
from app.models import ItemStatus, Membership, Roadmap, Team, User
from app.roadmap import service
from app.roadmap.planner.plan import Item, Plan

# The browser roadmap test starts from this team's "generate the roadmap" button; it also shows the step.
LEFT_TO_GENERATE = frozenset({"fraud-detection"})
# (status, progress, share of the item's checklist ticked) for the first items of the first quarter.
PROGRESS = (
    (ItemStatus.DONE, 100, 1.0),
    (ItemStatus.IN_PROGRESS, 60, 0.5),
    (ItemStatus.IN_PROGRESS, 25, 0.34),
)


def load(session: Session, *, organisation_id: int, now: datetime) -> None:
    """Generate the teams' roadmaps and put some first-quarter work under way."""
    teams = session.scalars(
        select(Team).where(Team.organisation_id == organisation_id).order_by(Team.id)
    ).all()
    memberships = session.scalars(
        select(Membership)
        .options(joinedload(Membership.user))
        .where(Membership.team_id.in_([t.id for t in teams]))
        .order_by(Membership.id)
    ).all()
    for team in teams:
        if team.slug in LEFT_TO_GENERATE:
            continue
        people = [m for m in memberships if m.team_id == team.id]
        manager = next(m.user for m in people if m.access == "manager")
        roadmap = service.generate_for_team(session, team=team, user=manager, now=now)
        plan = service.view(session, roadmap=roadmap).plan
        _work(session, roadmap=roadmap, plan=plan, people=people, now=now)


def _work(
    session: Session, *, roadmap: Roadmap, plan: Plan, people: Sequence[Membership], now: datetime
) -> None:
    first = [i for i in plan.items if i.id in plan.action_plan.item_ids and i.checklist]
    start = datetime.combine(roadmap.start_date, datetime.min.time(), tzinfo=UTC)
    for n, (item, (status, progress, share)) in enumerate(zip(first, PROGRESS, strict=False)):
        owner = _doer(people, item.owner_roles[0] if item.owner_roles else None, n)
        moment = max(start, now - timedelta(hours=2 + 7 * n))
        service.set_status(
            session,
            roadmap=roadmap,
            item_id=item.id,
            status=status,
            progress=progress,
            user=owner,
            now=moment,
        )
        _ticks(
            session, roadmap=roadmap, plan=plan, item=item, share=share, people=people, start=start, now=now
        )


def _ticks(
    session: Session,
    *,
    roadmap: Roadmap,
    plan: Plan,
    item: Item,
    share: float,
    people: Sequence[Membership],
    start: datetime,
    now: datetime,
) -> None:
    count = max(1, round(len(item.checklist) * share))
    for n, entry in enumerate(item.checklist[:count]):
        who = _doer(people, entry.role or (item.owner_roles[0] if item.owner_roles else None), n)
        moment = max(start, now - timedelta(hours=3 + 11 * (count - n)))
        checklists_service.set_done(
            session,
            roadmap=roadmap,
            plan=plan,
            item_id=item.id,
            entry_id=entry.id,
            done=True,
            user=who,
            now=moment,
        )


def _doer(people: Sequence[Membership], role: str | None, turn: int) -> User:
    """The first member holding `role`, else members (not viewers) in turn."""
    workers = [m for m in people if m.access != "viewer"]
    holder = next((m for m in workers if role and role in m.team_roles and m.access == "member"), None)
    return (holder or workers[turn % len(workers)]).user
