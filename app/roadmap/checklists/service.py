"""Checklists of a team as they stand now: its roadmap's (what the tick action and the roadmap checklist
API call) and, with the playbook's, the team's checklist page and its API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.checklists import service as checklists_service
from app.checklists import team
from app.checklists.service import ItemChecklist
from app.db import in_savepoint
from app.errors import NotFound
from app.i18n import N_
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


@dataclass(frozen=True)
class TeamChecklists:
    """What the team's checklist page shows: the playbook's lists, then the roadmap items'."""

    playbook: list[team.TeamList]
    roadmap: list[team.TeamList]
    has_roadmap: bool

    @property
    def lists(self) -> list[team.TeamList]:
        return self.playbook + self.roadmap


def team_lists(session: Session, *, team_id: int) -> TeamChecklists:
    """Every checklist of the team with its entries' states (a fixed number of queries)."""
    roadmap = roadmap_service.get(session, team_id=team_id)
    view = roadmap_service.view(session, roadmap=roadmap) if roadmap is not None else None
    return lists_of_view(session, team_id=team_id, view=view)


def lists_of_view(
    session: Session, *, team_id: int, view: roadmap_service.RoadmapView | None
) -> TeamChecklists:
    """`team_lists` with the team's roadmap already read (None: it has none), as the review reads it."""
    found = team.states(session, team_id=team_id)
    lists: list[team.TeamList] = []
    if view is not None:
        checklists = checklists_service.for_plan(session, roadmap_id=view.roadmap.id, plan=view.plan)
        lists = team.roadmap_lists(checklists.values(), found)
    return TeamChecklists(team.playbook_lists(found), lists, view is not None)


@in_savepoint  # refused input leaves nothing behind (not even the entry's first state row)
def change_entry(
    session: Session,
    *,
    team_id: int,
    source: str,
    list_id: str,
    entry_id: str,
    change: team.Change,
    user: User,
    now: datetime,
) -> team.TeamEntry:
    """Change one entry of the team's checklists (a roadmap entry: of its current plan, 409 before one
    exists); returns the entry as it now stands. A status of done ticks it, any other unticks it."""
    if source == team.PLAYBOOK:
        return team.change_playbook_entry(
            session, team_id=team_id, list_id=list_id, entry_id=entry_id, change=change, user=user, now=now
        )
    if source != team.ROADMAP:
        raise NotFound(N_("There is no such checklist."), field="source")
    roadmap, plan = roadmap_service.current_plan(session, team_id=team_id)
    checklists_service.find_entry(plan, item_id=list_id, entry_id=entry_id)

    def tick(done: bool) -> None:
        checklists_service.set_done(
            session,
            roadmap=roadmap,
            plan=plan,
            item_id=list_id,
            entry_id=entry_id,
            done=done,
            user=user,
            now=now,
            audited=False,  # team.apply records the change once, with the entry's status before and after
        )

    def entry_now() -> team.TeamEntry:
        checklist = checklists_service.for_plan(session, roadmap_id=roadmap.id, plan=plan)[list_id]
        entries = team.roadmap_lists([checklist], team.states(session, team_id=team_id))[0].entries
        return next(e for e in entries if e.entry_id == entry_id)

    row = team.state_row(session, team_id=team_id, key=(team.ROADMAP, list_id, entry_id))
    done = entry_now().done
    team.apply(session, team_id=team_id, row=row, change=change, tick=tick, ticked=done, user=user, now=now)
    return entry_now()
