"""The review page issues a fixed number of SQL statements however many versions, actions and OKRs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.checklists.playbook import playbook_checklists
from tests.assessments.test_queries import counting
from tests.conftest import csrf_token
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
    _mark_checklists(client, org, n)


def _mark_checklists(client: TestClient, org: Org, n: int) -> None:
    """The first `n` playbook entries and the first entry of the first `n` roadmap items done, one n/a."""
    entries = [f"playbook/{c.id}/{e.id}" for c in playbook_checklists() for e in c.entries][:n]
    items = client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist").json()["items"][:n]
    entries += [f"roadmap/{i['item_id']}/{i['entries'][0]['entry_id']}" for i in items]
    for k, entry in enumerate(entries):
        fields = {"status": "not_applicable", "na_reason": "Solo"} if k == 0 else {"status": "done"}
        data = {"csrf_token": csrf_token(client), **fields}
        assert client.post(f"/teams/{org.team.id}/checklists/{entry}", data=data).status_code == 303


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
