"""The team's checklist page: the playbook's checklists for every team and the roadmap items', ticked and
marked through the page (htmx and plain forms), who may, what they see, and refused input."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.kit.time import format_local
from app.models import AuditEvent, ChecklistEntryState, ChecklistTick
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.checklists.helpers import HTMX, generate
from tests.conftest import csrf_token
from tests.factories import Org

DOCS = "/playbook/technical/documentation"
TESTS = "/playbook/technical/automated-tests"
CROSS = "/playbook/organisational/cross-functional-team"


def _url(org: Org, entry: str, action: str = "") -> str:
    return f"/teams/{org.team.id}/checklists{entry}{action}"


def _change(client: TestClient, org: Org, entry: str, *, htmx: bool = True, **fields: str) -> object:
    form = {"status": "not_started", "na_reason": "", "owner_id": "", "due": "", "note": "", "link": ""}
    data = {"csrf_token": csrf_token(client), **form, **fields}
    return client.post(_url(org, entry), data=data, headers=HTMX if htmx else {})


def _tick(client: TestClient, org: Org, entry: str, *, done: bool = True) -> object:
    data = {"csrf_token": csrf_token(client), **({"done": "1"} if done else {})}
    return client.post(_url(org, entry, "/tick"), data=data, headers=HTMX)


def _states(db: Session) -> list[ChecklistEntryState]:
    db.expire_all()
    return list(db.scalars(select(ChecklistEntryState)))


def _entry_ids(html: str) -> set[str]:
    return set(re.findall(r'id="check-([a-z0-9_-]+--[a-z0-9_-]+)"', html))


def test_every_team_has_the_playbooks_checklists_and_the_page_says_how_to_get_the_roadmaps(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.viewer)
    page = client.get(f"/teams/{org.team.id}/checklists")
    assert page.status_code == 200
    html = page.text
    for text in ("Technical checklist", "Code and data are under version control", "Organisational checklist",
                 "The models&#39; results are linked to business metrics"):  # fmt: skip
        assert text in html
    assert len(_entry_ids(html)) == 9
    assert 'data-empty="no-roadmap-checklists"' in html
    assert "Generate the roadmap from a submitted assessment" in html
    assert "A signal can prove this" in html
    assert "/tick" not in html
    assert '<details class="entry-edit"' not in html
    team_page = client.get(f"/teams/{org.team.id}").text
    assert f'href="http://testserver/teams/{org.team.id}/checklists"' in team_page
    assert f'href="http://testserver/teams/{org.team.id}/learning"' in team_page


def test_japanese_page_names_the_checklists_in_japanese(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    html = client.get(f"/teams/{org.team.id}/checklists", headers={"Accept-Language": "ja"}).text
    assert "技術チェックリスト" in html
    assert "組織チェックリスト" in html
    assert "コードとデータがバージョン管理されている" in html


def test_member_ticks_a_playbook_entry_and_sees_who_and_when_in_their_time_zone(
    client: TestClient, db: Session, org: Org
) -> None:
    org.member.timezone, org.member.name = "Asia/Tokyo", "Mika <Ito>"
    db.commit()
    act_as(client, db, org.member)
    response = _tick(client, org, DOCS)
    assert response.status_code == 200, response.text
    [row] = _states(db)
    assert (row.list_id, row.entry_id, row.done, row.changed_by_id) == (
        "technical",
        "documentation",
        True,
        org.member.id,
    )
    html = response.text
    assert "<html" not in html
    assert 'id="check-playbook-technical--documentation"' in html
    assert "checked" in html
    assert "Changed by Mika &lt;Ito&gt;" in html
    assert row.changed_at is not None
    assert format_local(row.changed_at, tz="Asia/Tokyo", locale="en") in html
    untick = _tick(client, org, DOCS, done=False)
    assert untick.status_code == 200
    assert not _states(db)[0].done
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "checklist_entry")).all()
    assert actions == ["checklist.update", "checklist.update"]


def test_member_marks_status_owner_due_note_and_link_and_the_link_is_shown_not_fetched(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    link = "https://wiki.example.com/ml/ci?page=1&view=full"
    response = _change(
        client, org, TESTS, status="in_progress", owner_id=str(org.member.id), due="2027-03-31",
        note="<b>flaky</b> suite\nsecond line", link=link,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    [row] = _states(db)
    assert (row.status, row.owner_id, row.due.isoformat() if row.due else None) == (
        "in_progress",
        org.member.id,
        "2027-03-31",
    )
    assert row.note == "<b>flaky</b> suite\nsecond line"
    assert row.link == link
    html = response.text
    assert 'href="https://wiki.example.com/ml/ci?page=1&amp;view=full"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "&lt;b&gt;flaky&lt;/b&gt;" in html
    assert "<b>flaky" not in html
    assert "In progress" in html
    assert "Mar 31, 2027" in html
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "checklist.update")).one()
    assert event.object_id == f"{org.team.id}/playbook/technical/automated-tests"
    assert event.before == {"due": None, "link": "", "note": "", "owner_id": None, "status": "not_started"}
    assert event.after is not None
    assert event.after["status"] == "in_progress"


def test_not_applicable_keeps_its_reason_and_done_ticks_the_entry(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    assert (
        _change(client, org, CROSS, status="not_applicable", na_reason="One-person team").status_code == 200
    )
    row = _states(db)[0]
    assert (row.status, row.na_reason, row.done) == ("not_applicable", "One-person team", False)
    assert _change(client, org, CROSS, status="done").status_code == 200
    row = _states(db)[0]
    assert (row.done, row.na_reason) == (True, "")
    assert _tick(client, org, CROSS, done=False).status_code == 200
    assert _states(db)[0].status == "not_started"  # unticked after all: not "not applicable" without a reason


REFUSED = [
    ({"due": "31/03/2027"}, "due", "Enter the due date as a date, for example 2027-03-31."),
    ({"due": "2027-02-30"}, "due", "Enter the due date as a date, for example 2027-03-31."),
    ({"status": "not_applicable", "na_reason": "  "}, "na_reason", "Say why this entry does not apply."),
    ({"link": "javascript:alert(1)"}, "link", "The evidence link must be an http or https address."),
    ({"link": "ftp://files.example.com/x"}, "link", "The evidence link must be an http or https address."),
    ({"status": "finished"}, "status", "Choose a status."),
]


@pytest.mark.parametrize(("fields", "field", "message"), REFUSED)
def test_refused_input_shows_an_inline_error_beside_its_field_and_stores_nothing(
    client: TestClient, db: Session, org: Org, fields: dict[str, str], field: str, message: str
) -> None:
    act_as(client, db, org.member)
    response = _change(client, org, DOCS, note="kept as typed", **fields)
    assert response.status_code == 422
    html = response.text
    assert f'id="{field}-playbook-technical--documentation-error">{message}</div>' in html
    assert "kept as typed" in html  # what was typed is shown again
    assert '<details class="entry-edit" open>' in html
    assert _states(db) == []
    assert db.scalars(select(AuditEvent).where(AuditEvent.object_type == "checklist_entry")).all() == []


def test_an_owner_outside_the_team_is_refused(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    response = _change(client, org, DOCS, owner_id=str(org.outsider.id), htmx=False)
    assert response.status_code == 422
    assert "Choose someone in the team as the owner." in response.text
    assert "The change was not saved: see the entry below." in response.text
    assert _states(db) == []


def test_a_plain_form_goes_back_to_the_entry_on_the_page(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    response = _change(client, org, DOCS, status="in_progress", htmx=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith(
        f"/teams/{org.team.id}/checklists#check-playbook-technical--documentation"
    )


def test_viewer_and_outsider_cannot_change_an_entry(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.viewer)
    assert _tick(client, org, DOCS).status_code == 403
    assert _change(client, org, DOCS, status="in_progress").status_code == 403
    act_as(client, db, org.outsider)
    assert _tick(client, org, DOCS).status_code == 404
    assert _states(db) == []


def test_unknown_entries_are_not_found(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    assert _tick(client, org, "/playbook/technical/nope").status_code == 404
    assert _tick(client, org, "/playbook/nope/documentation").status_code == 404
    assert _tick(client, org, "/elsewhere/technical/documentation").status_code == 404
    assert _tick(client, org, "/roadmap/ci-cd/lint-on-push").status_code == 409  # no roadmap yet


def test_the_page_filters_by_owner_and_status(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    _change(client, org, DOCS, status="in_progress", owner_id=str(org.member.id))
    _change(client, org, CROSS, status="not_applicable", na_reason="Solo", owner_id=str(org.manager.id))
    page = f"/teams/{org.team.id}/checklists"
    mine = _entry_ids(client.get(f"{page}?owner={org.member.id}").text)
    assert mine == {"playbook-technical--documentation"}
    skipped = _entry_ids(client.get(f"{page}?status=not_applicable").text)
    assert skipped == {"playbook-organisational--cross-functional-team"}
    nobody = _entry_ids(client.get(f"{page}?owner=none").text)
    assert len(nobody) == 7
    assert "playbook-technical--documentation" not in nobody
    none = client.get(f"{page}?owner={org.member.id}&status=done").text
    assert 'data-empty="no-match"' in none
    assert not _entry_ids(none)
    assert len(_entry_ids(client.get(f"{page}?owner=junk&status=junk").text)) == 9  # not a choice: all


def test_roadmap_entries_take_a_status_and_done_is_their_tick(
    client: TestClient, db: Session, org: Org
) -> None:
    items = generate(client, db, org)
    item, entry = items[0]["item_id"], items[0]["entries"][0]["entry_id"]
    act_as(client, db, org.member)
    path = f"/roadmap/{item}/{entry}"
    assert _change(client, org, path, status="done", owner_id=str(org.member.id)).status_code == 200
    assert db.scalars(select(ChecklistTick)).one().done_by_id == org.member.id
    api = client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist").json()
    assert api["done"] == 1
    html = client.get(f"/teams/{org.team.id}/checklists").text
    assert f'id="check-roadmap-{item}--{entry}"' in html
    assert 'data-status="done"' in html
    assert _change(client, org, path, status="in_progress", owner_id=str(org.member.id)).status_code == 200
    db.expire_all()
    assert db.scalars(select(ChecklistTick)).all() == []
    assert client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist").json()["done"] == 0
    # The roadmap page's own tick still works, and unticking goes back to the status before.
    old = f"/teams/{org.team.id}/roadmap/items/{item}/checklist/{entry}"
    assert (
        client.post(old, data={"csrf_token": csrf_token(client), "done": "1"}, headers=HTMX).status_code
        == 200
    )
    assert client.post(old, data={"csrf_token": csrf_token(client)}, headers=HTMX).status_code == 200
    entries = client.get(f"/api/v1/teams/{org.team.id}/checklists").json()["lists"]
    found = next(e for c in entries if c["list_id"] == item for e in c["entries"] if e["entry_id"] == entry)
    assert (found["status"], found["owner_id"]) == ("in_progress", org.member.id)


def test_the_page_queries_a_fixed_number_of_times(
    client: TestClient, db: Session, org: Org, engine: Engine
) -> None:
    items = generate(client, db, org)
    act_as(client, db, org.member)
    url = f"/teams/{org.team.id}/checklists"
    with counting(engine) as few:
        assert client.get(url).status_code == 200
    _change(client, org, DOCS, status="in_progress", owner_id=str(org.member.id))
    _tick(client, org, CROSS)
    for item in items[:4]:
        for entry in item["entries"][:2]:
            _change(client, org, f"/roadmap/{item['item_id']}/{entry['entry_id']}", status="done",
                    owner_id=str(org.manager.id))  # fmt: skip
    with counting(engine) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many), (len(few), len(many))
    assert len(many) <= 20, many


def _audited(db: Session) -> list[AuditEvent]:
    db.expire_all()
    query = select(AuditEvent).where(AuditEvent.object_type == "checklist_entry").order_by(AuditEvent.id)
    return list(db.scalars(query))


def test_each_change_of_a_roadmap_entry_is_one_audit_record_with_before_and_after(
    client: TestClient, db: Session, org: Org
) -> None:
    items = generate(client, db, org)
    item, entry = items[0]["item_id"], items[0]["entries"][0]["entry_id"]
    act_as(client, db, org.member)
    path = f"/roadmap/{item}/{entry}"
    assert _change(client, org, path, status="done", note="green").status_code == 200
    [done] = _audited(db)
    assert (done.action, done.object_id) == ("checklist.update", f"{org.team.id}/roadmap/{item}/{entry}")
    assert (done.before, done.after) == (
        {"note": "", "status": "not_started"},
        {"note": "green", "status": "done"},
    )
    assert _tick(client, org, path, done=False).status_code == 200
    assert len(_audited(db)) == 2
    untick = _audited(db)[-1]
    assert (untick.before, untick.after) == ({"status": "done"}, {"status": "not_started"})
    assert _tick(client, org, DOCS).status_code == 200  # a playbook entry too
    assert len(_audited(db)) == 3
