"""The checklist JSON API: read a team's checklist, set an entry done or not done, clear errors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.access.conftest import act_as
from tests.checklists.helpers import first_entry, generate
from tests.conftest import csrf_token
from tests.factories import Org


def _put(client: TestClient, team_id: int, item_id: str, entry_id: str, body: object):  # type: ignore[no-untyped-def]
    url = f"/api/v1/teams/{team_id}/roadmap/items/{item_id}/checklist/{entry_id}"
    return client.put(url, json=body, headers={"X-CSRF-Token": csrf_token(client)})


def test_member_marks_an_entry_done_and_the_checklist_shows_who_and_when(
    client: TestClient, db: Session, org: Org
) -> None:
    items = generate(client, db, org)
    assert all(e["done"] is False and e["done_by"] is None for i in items for e in i["entries"])
    entry = first_entry(items)
    act_as(client, db, org.member)
    answer = _put(client, org.team.id, entry.item_id, entry.entry_id, {"done": True})
    assert answer.status_code == 200, answer.text
    assert answer.json()["item_id"] == entry.item_id
    assert answer.json()["done"] == 1
    body = client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist").json()
    assert body["done"] == 1
    assert body["total"] == sum(i["total"] for i in body["items"])
    first = body["items"][0]["entries"][0]
    assert (first["done"], first["done_by"]) == (True, org.member.name)
    assert first["done_at"] is not None
    assert set(first["text"]) == {"en", "ja"}


def test_setting_the_same_state_twice_is_harmless_and_false_unticks(
    client: TestClient, db: Session, org: Org
) -> None:
    entry = first_entry(generate(client, db, org))
    for done, count in ((True, 1), (True, 1), (False, 0), (False, 0)):
        answer = _put(client, org.team.id, entry.item_id, entry.entry_id, {"done": done})
        assert answer.status_code == 200
        assert answer.json()["done"] == count


def test_the_body_is_strict_and_names_the_bad_field(client: TestClient, db: Session, org: Org) -> None:
    entry = first_entry(generate(client, db, org))
    for body in ({"done": "true"}, {}, {"done": True, "extra": 1}):
        answer = _put(client, org.team.id, entry.item_id, entry.entry_id, body)
        assert answer.status_code == 422, body
        assert answer.json()["field"] in ("done", "extra")


def test_an_unknown_entry_is_a_404_naming_the_field(client: TestClient, db: Session, org: Org) -> None:
    entry = first_entry(generate(client, db, org))
    answer = _put(client, org.team.id, entry.item_id, "nope", {"done": True})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "This roadmap item has no such checklist entry.", "field": "entry_id"}


def test_viewer_reads_but_may_not_set(client: TestClient, db: Session, org: Org) -> None:
    entry = first_entry(generate(client, db, org))
    act_as(client, db, org.viewer)
    assert client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist").status_code == 200
    assert _put(client, org.team.id, entry.item_id, entry.entry_id, {"done": True}).status_code == 403


def test_without_a_roadmap_the_checklist_is_a_409(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    answer = client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "Generate the roadmap first."


def test_the_operations_are_described_with_response_models(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    read = paths["/api/v1/teams/{team_id}/roadmap/checklist"]["get"]
    put = paths["/api/v1/teams/{team_id}/roadmap/items/{item_id}/checklist/{entry_id}"]["put"]
    assert read["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("ChecklistOut")
    assert put["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ItemChecklistOut"
    )
    assert {"403", "404", "409", "422"} <= set(put["responses"])
