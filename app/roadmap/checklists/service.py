"""Checklists of a team's roadmap as it stands now: what the tick action and the checklist API call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.checklists import service as checklists_service
from app.checklists.service import ItemChecklist
from app.models import User
from app.roadmap import service as roadmap_service


def team_checklists(session: Session, *, team_id: int) -> list[ItemChecklist]:
    """The checklists of the team's current plan, in plan order (409 before a roadmap exists)."""
    roadmap, plan = roadmap_service.current_plan(session, team_id=team_id)
    return list(checklists_service.for_plan(session, roadmap_id=roadmap.id, plan=plan).values())


def set_done_in_team(
    session: Session, *, team_id: int, item_id: str, entry_id: str, done: bool, user: User, now: datetime
) -> ItemChecklist:
    """Tick or untick one entry of the team's current plan (409 before a roadmap exists)."""
    roadmap, plan = roadmap_service.current_plan(session, team_id=team_id)
    return checklists_service.set_done(
        session, roadmap=roadmap, plan=plan, item_id=item_id, entry_id=entry_id, done=done, user=user, now=now
    )
