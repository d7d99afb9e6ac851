"""Teams with submitted quarters, a roadmap, OKRs and checklist ticks, for the dashboard's tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import ChecklistTick, KeyResult, MaturityModelVersion, Objective, Team, User
from app.okrs import service as okrs_service
from app.roadmap import service as roadmap_service
from tests import factories

PERIODS = ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")


def quarters(
    db: Session, team: Team, model: MaturityModelVersion, levels: dict[str, int], by: User | None = None
) -> None:
    """Submitted assessments of `team`, every question at the given level, one per period."""
    for period, level in levels.items():
        factories.assessment(db, team, model, period=period, level=level, submitted=True, by=by)


def roadmap_with_progress(db: Session, team: Team, user: User) -> int:
    """Generate the team's roadmap, mark its first item done and tick one checklist entry; returns its id."""
    roadmap = roadmap_service.generate_for_team(db, team=team, user=user, now=utcnow())
    view = roadmap_service.view(db, roadmap=roadmap)
    first = view.plan.items[0]
    roadmap_service.set_status(
        db, roadmap=roadmap, item_id=first.id, status="done", progress=100, user=user, now=utcnow()
    )
    with_list = next(item for item in view.plan.items if item.checklist)
    db.add(ChecklistTick(roadmap_id=roadmap.id, item_id=with_list.id, entry_id=with_list.checklist[0].id))
    db.flush()
    return roadmap.id


def objective(db: Session, team: Team, *, confidences: tuple[int, ...], progress: float) -> Objective:
    """An objective of this quarter with key results checked in at these confidences."""
    row = Objective(team_id=team.id, period=okrs_service.current_period(utcnow().date()), title="Ship it")
    db.add(row)
    db.flush()
    for n, confidence in enumerate(confidences):
        db.add(
            KeyResult(
                objective_id=row.id,
                title=f"KR {n}",
                start_value=0.0,
                target_value=1.0,
                current_value=progress,
                confidence=confidence,
                position=n,
            )
        )
    db.flush()
    return row
