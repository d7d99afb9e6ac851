"""The demo organisation comes with OKRs for the current quarter and weeks of check-ins by team members."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import demo
from app.models import CheckIn, Membership, Team
from app.okrs import service
from app.okrs.org import service as org_service

NOW = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)


def test_every_demo_team_has_objectives_with_key_results_and_member_check_ins(db: Session) -> None:
    demo.load(db, organisation_name="Demo", now=NOW)
    teams = db.scalars(select(Team)).all()
    found = service.team_status(db, team_ids=[t.id for t in teams], period="2027-Q1")
    for team in teams:
        objectives = found[team.id]
        assert 1 <= len(objectives) <= 2, team.name
        assert all(2 <= len(o.key_results) <= 3 for o in objectives), team.name
        assert all(kr.status is not None for o in objectives for kr in o.key_results), team.name
    members = {(m.team_id, m.user_id) for m in db.scalars(select(Membership))}
    check_ins = db.scalars(select(CheckIn).where(CheckIn.created_at < NOW)).all()
    assert len(check_ins) >= 2 * len(teams)
    assert all(c.created_by_id is not None for c in check_ins)
    team_of = {kr.id: o.team_id for objs in found.values() for o in objs for kr in o.key_results}
    assert all((team_of[c.key_result_id], c.created_by_id) in members for c in check_ins)


def test_the_demo_has_leaderships_objective_with_two_team_contributions(db: Session) -> None:
    demo.load(db, organisation_name="Demo", now=NOW)
    teams = db.scalars(select(Team)).all()
    [objective] = org_service.status(db, period="2027-Q1", team_ids=[t.id for t in teams], today=NOW.date())
    assert objective.title == "Cut the time from model development to deployment by 50%"
    assert objective.owner_name is not None
    assert {c.team_name for c in objective.contributions} == {"Recommendations", "Fraud Detection"}
    assert all(
        o.owner_name
        for objs in service.team_status(db, team_ids=[t.id for t in teams], period="2027-Q1").values()
        for o in objs
    )
