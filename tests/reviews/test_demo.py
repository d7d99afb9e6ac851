"""The demo organisation comes with last quarter's review written by each team's manager, so that the
review pages and the reports show one from the start."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import demo
from app.kit.time import utcnow
from app.models import AuditEvent, Team, User
from app.okrs import service as okrs_service
from app.reviews.demo import ACTIONS, BOTTLENECK
from tests.access.conftest import act_as


def test_every_demo_team_has_last_quarters_review_by_its_manager(client: TestClient, db: Session) -> None:
    demo.load(db, organisation_name="Demo", now=utcnow())
    db.commit()
    last = okrs_service.shift_period(okrs_service.current_period(utcnow().date()), -1)
    act_as(client, db, db.scalars(select(User).where(User.email == "cto@example.com")).one())
    teams = db.scalars(select(Team)).all()
    for team in teams:
        html = client.get(f"/teams/{team.id}/reviews/{last}").text
        assert BOTTLENECK.split(";")[0] in html, team.name
        assert all(action in html for action in ACTIONS), team.name
        assert "Tool dependency" in html, team.name
    saves = db.scalars(select(AuditEvent).where(AuditEvent.action == "review.save")).all()
    assert sorted(e.object_id for e in saves) == sorted(f"{t.id}/{last}" for t in teams)
