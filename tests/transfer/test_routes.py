"""Admin → Export and import: the download, and uploads that import, merge, only check or are refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import models as m
from app.transfer.document import OrganisationExport
from app.transfer.writer import Writer
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org

PAGE = "/admin/transfer"


def upload(client: TestClient, document: dict[str, Any] | bytes, **fields: str):  # type: ignore[no-untyped-def]
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    data = {"csrf_token": csrf_token(client), **fields}
    return client.post(f"{PAGE}/import", data=data, files={"file": ("org.json", body, "application/json")})


def exported(client: TestClient) -> dict[str, Any]:
    response = client.get(f"{PAGE}/organisation.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def teams(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(m.Team)) or 0


def test_the_page_offers_the_download_and_the_import_form_in_english_and_japanese(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    english = client.get(PAGE)
    assert english.status_code == 200
    assert 'href="http://testserver/admin/transfer/organisation.json"' in english.text
    assert 'name="csrf_token"' in english.text
    assert "Merge into the data already here" in english.text
    japanese = client.get(PAGE, headers={"Accept-Language": "ja"})
    assert "エクスポートとインポート" in japanese.text
    assert "Merge into the data already here" not in japanese.text


def test_the_download_is_a_valid_document_of_the_organisation(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    response = client.get(f"{PAGE}/organisation.json")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith('attachment; filename="hoshin-organisation-')
    document = OrganisationExport.model_validate_json(response.content)
    assert [t.slug for t in document.teams] == ["search", "vision"]
    assert {p.email for p in document.people} >= {org.admin.email, org.member.email, org.outsider.email}
    vision = document.teams[1]
    assert {(x.email, x.access) for x in vision.members} >= {(org.manager.email, "manager")}


def test_an_import_into_an_instance_with_data_is_refused_unless_merging(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    response = upload(client, exported(client))
    assert response.status_code == 409
    assert "This instance already has data (2 teams, 4 people)" in response.text
    assert teams(db) == 2


def test_a_merge_adds_new_teams_and_people_and_leaves_those_here_as_they_are(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    document = exported(client)
    vision = next(t for t in document["teams"] if t["slug"] == "vision")
    vision["name"] = "Renamed in the file"
    ranking = copy.deepcopy(vision) | {"slug": "ranking", "name": "Ranking"}
    ranking["members"] = [
        {**vision["members"][0], "email": "new.person@example.com", "access": "manager"},
        {**vision["members"][1], "email": org.member.email},
    ]
    document["teams"].append(ranking)
    person = next(p for p in document["people"] if p["email"] == org.member.email)
    document["people"].append({**person, "email": "new.person@example.com", "name": "New Person"})

    response = upload(client, document, merge="true")

    assert response.status_code == 200, response.text
    assert "1 teams, 1 people" in response.text
    assert "Teams already here, left as they are:" in response.text
    new = db.scalars(select(m.Team).where(m.Team.slug == "ranking")).one()
    members = db.scalars(select(m.Membership).where(m.Membership.team_id == new.id)).all()
    assert {db.get(m.User, x.user_id).email for x in members} == {"new.person@example.com", org.member.email}  # type: ignore[union-attr]
    assert db.scalars(select(m.Team.name).where(m.Team.slug == "vision")).one() == "Vision"
    newcomer = db.scalars(select(m.User).where(m.User.email == "new.person@example.com")).one()
    assert newcomer.password_hash is None
    event = db.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "organisation.merge")).one()
    assert event.actor_id == org.admin.id


def test_only_checking_a_merge_shows_the_counts_and_writes_nothing(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    document = exported(client)
    document["teams"].append({**document["teams"][0], "slug": "copy", "members": []})

    response = upload(client, document, merge="true", check_only="true")

    assert response.status_code == 200
    assert "Nothing was imported; an import would create:" in response.text
    assert "1 teams, 0 people" in response.text
    assert teams(db) == 2


def test_a_bad_file_is_refused_whole_with_every_problem_escaped(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    document = exported(client)
    document["teams"].append({**document["teams"][0], "slug": "copy"})
    document["teams"][-1]["members"] = [
        {**document["teams"][0]["members"][0], "email": "<script>x</script>@a.b"}
    ]

    response = upload(client, document, merge="true")

    assert response.status_code == 422
    assert "The file was refused: 1 problem. Nothing was imported." in response.text
    assert "<code>teams[2].members[0].email</code>" in response.text
    assert "&lt;script&gt;x&lt;/script&gt;@a.b is not among the people of the export" in response.text
    assert "<script>x" not in response.text
    assert teams(db) == 2
    not_json = upload(client, b"\xff\xfe not json", merge="true")
    assert not_json.status_code == 422
    assert "not JSON" in not_json.text


def test_an_upload_without_the_csrf_token_is_refused(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    files = {"file": ("org.json", json.dumps(exported(client)).encode(), "application/json")}
    response = client.post(f"{PAGE}/import", data={"merge": "true"}, files=files)
    assert response.status_code == 403
    assert teams(db) == 2


def test_an_export_larger_than_the_usual_request_limit_is_taken(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    document = exported(client)
    document["teams"][0]["description"] = "x" * 1_500_000  # pages take 1 MB bodies; imports 100 MB files

    response = upload(client, document, merge="true", check_only="true")

    assert response.status_code == 200, response.text[:300]
    assert "Teams already here, left as they are:" in response.text


def _with_objective(document: dict[str, Any], slug: str, check_ins: list[dict[str, Any]]) -> None:
    """Add a team `slug` (a copy of the first) with one objective whose key result has `check_ins`."""
    key_result = {
        "title": "KR",
        "kind": "numeric",
        "start_value": 0,
        "target_value": 2,
        "unit": "",
        "catalogue_id": None,
        "signal": None,
        "roadmap_item": None,
        "owner": None,
        "position": 0,
        "current_value": None,
        "confidence": None,
        "checked_in_at": None,
        "check_ins": check_ins,
    }
    objective = {
        "period": "2027-Q1",
        "title": "O",
        "description": "",
        "catalogue_id": None,
        "position": 0,
        "created_by": None,
        "created_at": AT,
        "key_results": [key_result],
    }
    document["teams"].append({**document["teams"][0], "slug": slug, "objectives": [objective]})


AT = "2026-12-01T09:00:00Z"
CHECK_IN = {
    "value": 1.0,
    "confidence": 5,
    "note": "",
    "source": "manual",
    "client_token": "same",
    "by": None,
    "created_at": AT,
}


def test_two_check_ins_sent_as_one_are_refused_before_anything_is_written(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    document = exported(client)
    _with_objective(document, "late", [CHECK_IN, CHECK_IN])

    response = upload(client, document, merge="true")

    assert response.status_code == 422
    assert (
        "<code>teams[2].objectives[0].key_results[0].check_ins[1]</code> check-in same appears twice"
        in response.text
    )
    assert teams(db) == 2


def test_a_failure_midway_leaves_nothing_of_the_import(
    client: TestClient, db: Session, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(client, db, org.admin)
    document = exported(client)
    _with_objective(document, "late", [CHECK_IN])

    def refused(*_args: object) -> None:  # the database refuses the last step, after the teams are written
        raise IntegrityError("INSERT INTO audit_events", {}, Exception("refused"))

    monkeypatch.setattr(Writer, "_audit", refused)
    response = upload(client, document, merge="true")

    assert response.status_code == 409
    assert "The database refused the import" in response.text
    assert teams(db) == 2
    assert db.scalar(select(func.count()).select_from(m.Objective)) == 0
