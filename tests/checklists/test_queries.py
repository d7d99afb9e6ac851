"""The action plan and roadmap pages, and the read interface, query the database a fixed number of times."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.checklists import service
from app.kit.time import utcnow
from app.roadmap import service as roadmap_service
from tests import factories
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.checklists.helpers import Entry, generate, tick
from tests.factories import Org


def _count(client: TestClient, engine: Engine, url: str) -> int:
    with counting(engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_page_query_counts_do_not_grow_with_the_number_of_ticks(
    client: TestClient, db: Session, org: Org, engine: Engine
) -> None:
    items = generate(client, db, org)
    entries = [Entry(i["item_id"], e["entry_id"]) for i in items for e in i["entries"]]
    act_as(client, db, org.member)
    tick(client, org.team.id, entries[0])
    pages = [f"/teams/{org.team.id}/roadmap/action-plan", f"/teams/{org.team.id}/roadmap"]
    few = {url: _count(client, engine, url) for url in pages}
    for entry in entries[1:12]:
        tick(client, org.team.id, entry)
    many = {url: _count(client, engine, url) for url in pages}
    assert few == many
    assert all(n <= 20 for n in many.values()), many


def test_team_checklists_reads_any_number_of_roadmaps_in_one_query(
    db: Session, org: Org, engine: Engine
) -> None:
    model = factories.maturity_model(db, "mlops-full")
    plans = {}
    for number, team in enumerate((org.team, org.other_team)):
        factories.assessment(db, team, model, level=number, submitted=True)
        roadmap = roadmap_service.generate_for_team(db, team=team, user=org.admin, now=utcnow())
        plans[roadmap.id] = roadmap_service.view(db, roadmap=roadmap).plan
    first, second = plans
    item = next(i for i in plans[second].items if i.checklist)
    service.set_done(
        db,
        roadmap=db.get_one(type(roadmap), second),
        plan=plans[second],
        item_id=item.id,
        entry_id=item.checklist[1].id,
        done=True,
        user=org.member,
        now=utcnow(),
    )
    db.flush()
    with counting(engine) as statements:
        found = service.team_checklists(db, roadmap_ids=[first, second, 999], plans=plans)
    assert len(statements) == 1
    assert found[999] == []
    assert [c.item_id for c in found[first]] == [i.id for i in plans[first].items if i.checklist]
    ticked = next(c for c in found[second] if c.item_id == item.id)
    assert (ticked.done, ticked.total) == (1, len(item.checklist))
    entry = ticked.entries[1]
    assert (entry.done, entry.done_by, entry.text) == (True, org.member.name, item.checklist[1].text)
    assert entry.done_at is not None
    assert sum(c.done for c in found[first]) == 0
