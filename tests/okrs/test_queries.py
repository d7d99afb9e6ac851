"""The OKR page and the many-teams read issue a fixed number of SQL statements however much data there is."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.okrs import service
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.factories import Org
from tests.okrs import rows

NOW = datetime(2027, 2, 1, tzinfo=UTC)


def _grow(db: Session, org: Org, objectives: int, krs: int) -> None:
    for n in range(objectives):
        parent = rows.objective(db, org.team, org.manager, title=f"O{n}")
        for k in range(krs):
            kr = rows.key_result(db, parent, org.manager, title=f"KR{k}", owner=org.member if k % 2 else None)
            for week in range(2):
                data = service.CheckInInput(week, 6, "", None)
                service.check_in(db, key_result=kr, data=data, user=org.member, now=NOW)
    db.commit()


def test_okr_page_query_count_stays_flat_as_objectives_grow(
    client: TestClient, db: Session, org: Org, engine: Engine
) -> None:
    act_as(client, db, org.manager)
    url = f"/teams/{org.team.id}/okrs?period={rows.PERIOD}"
    counts = []
    for objectives, krs in ((1, 1), (4, 3)):
        _grow(db, org, objectives, krs)
        with counting(engine) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts


def test_team_status_for_many_teams_takes_the_same_queries_as_for_one(
    db: Session, org: Org, engine: Engine
) -> None:
    _grow(db, org, 3, 3)
    team_ids = [org.team.id, org.other_team.id]
    with counting(engine) as one:
        service.team_status(db, team_ids=team_ids[:1], period=rows.PERIOD)
    with counting(engine) as many:
        service.team_status(db, team_ids=team_ids, period=rows.PERIOD)
    selects = [[s for s in found if s.startswith("SELECT")] for found in (one, many)]
    assert len(selects[0]) == len(selects[1]) == 2, selects
