"""Leadership's pages issue the same number of SQL statements for 3 teams as for 12 (no N+1): the
dashboard (filtered and comparing), the organisation report's page in both editions, and a team's page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.models import Assessment, Team
from tests import factories
from tests.assessments.test_queries import counting
from tests.conftest import sign_in
from tests.dashboard.conftest import objective, quarters, roadmap_with_progress
from tests.factories import Org

SIZES = (3, 12)


def _grow(db: Session, org: Org, teams: list[Team], size: int) -> None:
    """Teams with a member, four submitted quarters, a roadmap with progress and an objective, to `size`."""
    model = factories.maturity_model(db, "mlops-full")
    while len(teams) < size:
        team = factories.team(db, org.organisation, f"Team {len(teams):02d}")
        factories.member(db, team, org.member, "member", ("ml_engineer", "mlops_engineer"))
        quarters(db, team, model, {"2026-Q1": 1, "2026-Q2": 1, "2026-Q3": 2, "2026-Q4": 2}, by=org.member)
        roadmap_with_progress(db, team, org.admin)
        objective(db, team, confidences=(8, 3), progress=0.4)
        teams.append(team)
    db.commit()


def _diff(teams: list[Team], db: Session) -> str:
    first, last = (
        db.query(Assessment.id).filter_by(team_id=teams[0].id, period=p).scalar()
        for p in ("2026-Q1", "2026-Q4")
    )
    return f"/dashboard/teams/{teams[0].id}/diff?from={first}&to={last}"


PAGES: dict[str, Callable[[list[Team], Session], str]] = {
    "dashboard": lambda teams, db: "/dashboard",
    "dashboard, filtered and comparing": lambda teams, db: (
        f"/dashboard?team={teams[0].id}&team={teams[1].id}&team={teams[-1].id}&since=2026-Q2"
        f"&quarter_a=2026-Q2&quarter_b=2026-Q4&team_a={teams[0].id}&team_b={teams[1].id}"
    ),
    "organisation report": lambda teams, db: "/reports/organisation",
    "organisation report, summary": lambda teams, db: "/reports/organisation?edition=summary",
    "team page": lambda teams, db: f"/dashboard/teams/{teams[0].id}",
    "answer diff": _diff,
}


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_does_not_grow_with_the_number_of_teams(
    client: TestClient, org: Org, db: Session, engine: Engine, page: str
) -> None:
    sign_in(client, org.admin.email)
    counts, teams = {}, []
    for size in SIZES:
        _grow(db, org, teams, size)
        url = PAGES[page](teams, db)
        with counting(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        counts[size] = len(statements)
    assert counts[SIZES[0]] == counts[SIZES[1]], counts
    assert counts[SIZES[1]] <= 30, counts
