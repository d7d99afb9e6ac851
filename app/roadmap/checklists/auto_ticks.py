"""The sync follower that ticks checklist entries a signal proves (app/sync_followers.py lists it).

After every good sync of a source, in the sync's own transaction: the playbook's checklists of its team
and those of its current roadmap are brought up to date with the team's latest signals (every enabled
source, not only the one that synced). A team without a roadmap has only the playbook's to tick.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.checklists import service as checklists_service
from app.checklists import team
from app.checklists.proofs import team_observations
from app.models import Source, SyncRun
from app.roadmap import service as roadmap_service


def follow(session: Session, source: Source, run: SyncRun, now: datetime) -> None:
    """Tick and untick the evidence's entries of the source's team (a `Follower` of app/signals/sync.py)."""
    observed = team_observations(session, team_id=source.team_id)
    team.apply_playbook_evidence(session, team_id=source.team_id, observed=observed, now=now)
    roadmap = roadmap_service.get(session, team_id=source.team_id)
    if roadmap is None:
        return
    plan = roadmap_service.view(session, roadmap=roadmap).plan
    checklists_service.apply_evidence(session, roadmap=roadmap, plan=plan, observed=observed, now=now)
