"""Counting sessions per quarter for the quarterly review and the dashboard: one query, every team and
quarter asked about answered."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.learning import service
from app.models import LearningSession
from tests.assessments.test_queries import counting
from tests.factories import Org


def test_sessions_per_quarter_counts_each_team_and_quarter_in_one_query(
    db: Session, org: Org, engine: Engine
) -> None:
    held = [
        (org.team.id, date(2026, 9, 30)),
        (org.team.id, date(2026, 10, 1)),
        (org.team.id, date(2026, 12, 31)),
        (org.other_team.id, date(2026, 11, 15)),
        (org.other_team.id, date(2027, 1, 1)),
    ]
    db.add_all(LearningSession(team_id=t, held_on=d, kind="study", topic="t", lessons="") for t, d in held)
    db.flush()
    with counting(engine) as statements:
        found = service.sessions_per_quarter(
            db, team_ids=[org.team.id, org.other_team.id, 999], quarters=["2026-Q3", "2026-Q4"]
        )
    assert len(statements) == 1
    assert found == {
        org.team.id: {"2026-Q3": 1, "2026-Q4": 2},
        org.other_team.id: {"2026-Q3": 0, "2026-Q4": 1},
        999: {"2026-Q3": 0, "2026-Q4": 0},
    }


def test_no_teams_or_quarters_need_no_query(db: Session, engine: Engine) -> None:
    with counting(engine) as statements:
        assert service.sessions_per_quarter(db, team_ids=[], quarters=["2026-Q4"]) == {}
        assert service.sessions_per_quarter(db, team_ids=[1], quarters=[]) == {1: {}}
    assert statements == []
