"""The export download issues the same number of SQL statements for 2 teams as for 8 (one per table)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests import factories
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.dashboard.conftest import objective, quarters, roadmap_with_progress
from tests.factories import Org


def _statements(client: TestClient, engine: Engine) -> int:
    with counting(engine) as statements:
        response = client.get("/admin/transfer/organisation.json")
        assert response.status_code == 200
    return len(statements)


def test_export_query_count_does_not_grow_with_the_organisation(
    client: TestClient, org: Org, db: Session, engine: Engine
) -> None:
    model = factories.maturity_model(db, "mlops-full")
    act_as(client, db, org.admin)
    counts = {}
    teams = [org.team, org.other_team]
    for size in (2, 8):
        while len(teams) < size:
            team = factories.team(db, org.organisation, f"Team {len(teams):02d}")
            factories.member(db, team, org.member, "member", ("ml_engineer",))
            quarters(db, team, model, {"2026-Q1": 1, "2026-Q2": 2})
            roadmap_with_progress(db, team, org.admin)
            objective(db, team, confidences=(8, 3), progress=0.4)
            teams.append(team)
        db.commit()
        counts[size] = _statements(client, engine)
    assert counts[2] == counts[8], counts
    assert counts[8] <= 30, counts
