"""The dashboard issues the same number of SQL statements for 2 teams as for 10 (no N+1)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests import factories
from tests.assessments.test_queries import counting
from tests.conftest import sign_in
from tests.dashboard.conftest import objective, quarters, roadmap_with_progress
from tests.factories import Org


def _statements(client: TestClient, engine: Engine) -> int:
    with counting(engine) as statements:
        response = client.get("/dashboard")
        assert response.status_code == 200
    assert 'id="quarters-h"' in response.text
    return len(statements)


def test_dashboard_query_count_does_not_grow_with_the_number_of_teams(
    client: TestClient, org: Org, db: Session, engine: Engine
) -> None:
    model = factories.maturity_model(db, "mlops-full")
    sign_in(client, org.admin.email)
    counts = {}
    teams = []
    for size in (2, 10):
        while len(teams) < size:
            team = factories.team(db, org.organisation, f"Team {len(teams):02d}")
            factories.member(db, team, org.member, "member", ("ml_engineer", "mlops_engineer"))
            quarters(db, team, model, {"2026-Q1": 1, "2026-Q2": 1, "2026-Q3": 2, "2026-Q4": 2})
            roadmap_with_progress(db, team, org.admin)
            objective(db, team, confidences=(8, 3), progress=0.4)
            teams.append(team)
        db.commit()
        counts[size] = _statements(client, engine)
    assert counts[2] == counts[10], counts
    assert counts[10] <= 20, counts
