"""The review page issues a fixed number of SQL statements however many versions, actions and OKRs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.assessments.test_queries import counting
from tests.factories import Org
from tests.okrs import rows
from tests.reviews.helpers import PERIOD, review_url, save, with_plan


def _grow(client: TestClient, db: Session, org: Org, n: int) -> None:
    for k in range(n):
        parent = rows.objective(db, org.team, org.manager, title=f"O{k}", period=PERIOD)
        rows.key_result(db, parent, org.manager, title=f"KR{k}", owner=org.member)
    db.commit()
    for k in range(n):
        save(client, org, went_well=f"w{k}", new_action=f"Action {k}", patterns=["over-complexity"])


def test_review_page_query_count_stays_flat(
    client: TestClient, db: Session, org: Org, engine: Engine
) -> None:
    with_plan(client, db, org)
    counts = []
    for n in (1, 4):
        _grow(client, db, org, n)
        with counting(engine) as statements:
            assert client.get(review_url(org)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 30, counts
