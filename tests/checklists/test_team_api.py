"""The team checklists' JSON API: every checklist of a team, and changing one entry with the page's checks
and access (members change, viewers read)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, ChecklistEntryState
from tests import factories
from tests.factories import Org

DOCS = "playbook/technical/documentation"


def _api(client: TestClient, db: Session, who: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}


def _patch(
    client: TestClient, org: Org, headers: dict[str, str], body: dict[str, Any], entry: str = DOCS
) -> Any:
    return client.patch(f"/api/v1/teams/{org.team.id}/checklists/{entry}", json=body, headers=headers)


def test_a_viewer_reads_the_playbooks_checklists_before_any_roadmap(
    client: TestClient, db: Session, org: Org
) -> None:
    response = client.get(f"/api/v1/teams/{org.team.id}/checklists", headers=_api(client, db, org.viewer))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["team_id"], body["has_roadmap"]) == (org.team.id, False)
    assert [(c["source"], c["list_id"], c["total"]) for c in body["lists"]] == [
        ("playbook", "technical", 5),
        ("playbook", "organisational", 4),
    ]
    technical = body["lists"][0]["entries"]
    assert all(e["proved_by_signal"] for e in technical)
    assert technical[0] == {
        "source": "playbook",
        "list_id": "technical",
        "entry_id": "version-control",
        "text": {
            "en": "Code and data are under version control",
            "ja": "コードとデータがバージョン管理されている",
        },
        "role": None,
        "status": "not_started",
        "ticked_by": None,
        "proved_by_signal": True,
        "evidence": None,
        "overrides_evidence": False,
        "na_reason": "",
        "owner_id": None,
        "owner": None,
        "due": None,
        "note": "",
        "link": "",
        "changed_by": None,
        "changed_at": None,
    }


def test_a_member_changes_only_the_fields_sent(client: TestClient, db: Session, org: Org) -> None:
    headers = _api(client, db, org.member)
    body = {
        "status": "in_progress",
        "owner_id": org.member.id,
        "due": "2027-01-15",
        "link": "https://ci.example.com",
    }
    first = _patch(client, org, headers, body)
    assert first.status_code == 200, first.text
    assert {k: first.json()[k] for k in ("status", "owner", "due", "link", "changed_by")} == {
        "status": "in_progress",
        "owner": org.member.name,
        "due": "2027-01-15",
        "link": "https://ci.example.com",
        "changed_by": org.member.name,
    }
    second = _patch(client, org, headers, {"owner_id": None, "note": "pairing with Ops"})
    assert second.status_code == 200
    assert {k: second.json()[k] for k in ("status", "owner_id", "due", "note")} == {
        "status": "in_progress", "owner_id": None, "due": "2027-01-15", "note": "pairing with Ops"
    }  # fmt: skip
    done = _patch(client, org, headers, {"status": "done"})
    assert (done.json()["status"], done.json()["ticked_by"]) == ("done", "person")


REFUSED = [
    ({"status": "not_applicable"}, "na_reason"),
    ({"due": "2027-02-30"}, "due"),
    ({"due": "tomorrow"}, "due"),
    ({"link": "file:///etc/passwd"}, "link"),
    ({"link": "https://x.example.com/a b"}, "link"),
    ({"status": ""}, "status"),
]


@pytest.mark.parametrize(("body", "field"), REFUSED)
def test_refused_input_is_a_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, db: Session, org: Org, body: dict[str, Any], field: str
) -> None:
    response = _patch(client, org, _api(client, db, org.member), body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert db.scalars(select(ChecklistEntryState)).all() == []
    assert db.scalars(select(AuditEvent).where(AuditEvent.object_type == "checklist_entry")).all() == []


def test_an_owner_outside_the_team_and_unknown_fields_are_refused(
    client: TestClient, db: Session, org: Org
) -> None:
    headers = _api(client, db, org.member)
    outsider = _patch(client, org, headers, {"owner_id": org.outsider.id})
    assert (outsider.status_code, outsider.json()["field"]) == (422, "owner_id")
    assert _patch(client, org, headers, {"status": "done", "done": True}).status_code == 422
    assert _patch(client, org, headers, {"owner_id": "1"}).status_code == 422  # strict: a number, not text


def test_viewers_read_only_and_roadmap_entries_wait_for_a_roadmap(
    client: TestClient, db: Session, org: Org
) -> None:
    assert _patch(client, org, _api(client, db, org.viewer), {"status": "done"}).status_code == 403
    member = _api(client, db, org.member)
    assert _patch(client, org, member, {"status": "done"}, "roadmap/ci-cd/lint-on-push").status_code == 409
    assert _patch(client, org, member, {"status": "done"}, "playbook/technical/nope").status_code == 404
