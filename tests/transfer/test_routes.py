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


def test_a_merged_team_brings_its_checklist_states_and_learning_log_and_an_older_file_still_merges(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.admin)
    document = exported(client)
    base = {**document["teams"][0], "members": [], "roadmap": None}
    state = {
        "source": "playbook",
        "checklist": "technical",
        "entry": "monitoring-dashboard",
        "status": "not_applicable",
        "na_reason": "監視は別チーム",
        "owner": org.member.email,
        "due": None,
        "note": "",
        "link": "",
        "done": False,
        "done_by_evidence": False,
        "kept_undone": True,
        "evidence": None,
        "by": org.admin.email,
        "changed_at": AT,
    }
    review = {
        "held_on": "2026-11-30",
        "kind": "incident_review",
        "topic": "Stale model served",
        "lessons": "",
        "led_to_item": None,
        "led_to_entry": {"source": "playbook", "checklist": "technical", "entry": "monitoring-dashboard"},
        "attendees": [org.member.email, org.admin.email],
        "created_by": org.admin.email,
        "created_at": AT,
        "updated_by": None,
        "updated_at": AT,
    }
    document["teams"].append(base | {"slug": "logged", "checklist_states": [state], "learning_log": [review]})
    older = {k: v for k, v in base.items() if k not in {"checklist_states", "learning_log"}}
    document["teams"].append(older | {"slug": "older"})

    response = upload(client, document, merge="true")

    assert response.status_code == 200, response.text
    logged = db.scalars(select(m.Team).where(m.Team.slug == "logged")).one()
    row = db.scalars(select(m.ChecklistEntryState).where(m.ChecklistEntryState.team_id == logged.id)).one()
    assert (row.list_id, row.status, row.na_reason, row.owner_id) == (
        "technical",
        "not_applicable",
        "監視は別チーム",
        org.member.id,
    )
    held = db.scalars(select(m.LearningSession).where(m.LearningSession.team_id == logged.id)).one()
    assert held.led_to_entry == "playbook/technical/monitoring-dashboard"
    attendees = db.scalars(select(m.LearningAttendee.user_id).where(m.LearningAttendee.session_id == held.id))
    assert set(attendees) == {org.member.id, org.admin.id}
    older_team = db.scalars(select(m.Team).where(m.Team.slug == "older")).one()
    assert (
        db.scalar(
            select(func.count())
            .select_from(m.LearningSession)
            .where(m.LearningSession.team_id == older_team.id)
        )
        == 0
    )


def test_a_merged_team_contributes_to_the_organisation_objective_here_and_its_review_names_its_key_result(
    client: TestClient, db: Session, org: Org
) -> None:
    here = m.OrgObjective(period="2027-Q1", title="全社で MLOps を", description="", position=1)
    db.add(here)
    db.flush()
    act_as(client, db, org.admin)
    document = exported(client)
    quarter = {"description": "", "owner": org.admin.email, "created_by": None, "created_at": AT}
    document["org_objectives"] = [
        quarter | {"period": "2027-Q1", "title": "全社で MLOps を", "position": 5},
        quarter | {"period": "2027-Q1", "title": "New in the file", "position": 6},
    ]
    key_result = {
        "title": "Lead time down",
        "kind": "numeric",
        "start_value": 10,
        "target_value": 2,
        "unit": "d",
        "catalogue_id": None,
        "signal": None,
        "roadmap_item": None,
        "owner": None,
        "position": 0,
        "current_value": None,
        "confidence": None,
        "checked_in_at": None,
        "check_ins": [],
        "direction": "down",
        "due_on": "2027-02-28",
    }
    objective = {
        "period": "2027-Q1",
        "title": "Ship weekly",
        "description": "",
        "catalogue_id": None,
        "position": 0,
        "created_by": None,
        "created_at": AT,
        "key_results": [key_result],
        "owner": org.member.email,
        "starts_on": "2027-01-15",
        "ends_on": "2027-03-15",
        "reopened_at": AT,
    }
    named = {"period": "2027-Q1", "objective": "Ship weekly", "key_result": "Lead time down"}
    review = {
        "period": "2026-Q4",
        "version": 1,
        "went_well": "<b>速い</b>",
        "bottleneck": "",
        "patterns": [],
        "actions": [{"id": "a1", "text": "Cut lead time", "key_result": named}],
        "created_by": org.admin.email,
        "created_at": AT,
    }
    base = {**document["teams"][0], "members": [], "roadmap": None, "assessments": []}
    mine = {"org_objective": {"period": "2027-Q1", "title": "全社で MLOps を"}}
    theirs = {"title": "Other", "org_objective": {"period": "2027-Q1", "title": "New in the file"}}
    team = {
        "slug": "okrs",
        "objectives": [objective | mine, objective | theirs],
        "quarterly_reviews": [review],
    }
    document["teams"].append(base | team)

    response = upload(client, document, merge="true")

    assert response.status_code == 200, response.text
    okrs = db.scalars(select(m.Team).where(m.Team.slug == "okrs")).one()
    rows = db.scalars(select(m.Objective).where(m.Objective.team_id == okrs.id).order_by(m.Objective.title))
    other, weekly = rows.all()
    assert weekly.org_objective_id == here.id
    new = db.scalars(select(m.OrgObjective).where(m.OrgObjective.title == "New in the file")).one()
    assert (other.org_objective_id, new.owner_id) == (new.id, org.admin.id)
    assert (weekly.owner_id, str(weekly.starts_on), weekly.reopened_at is not None) == (
        org.member.id,
        "2027-01-15",
        True,
    )
    kr = db.scalars(select(m.KeyResult).where(m.KeyResult.objective_id == weekly.id)).one()
    assert (kr.direction, str(kr.due_on)) == ("down", "2027-02-28")
    stored = db.scalars(select(m.QuarterlyReview).where(m.QuarterlyReview.team_id == okrs.id)).one()
    assert stored.went_well == "<b>速い</b>"
    assert stored.actions == [
        {"id": "a1", "text": "Cut lead time", "key_result_id": kr.id, "key_result_period": "2027-Q1"}
    ]
    titles = db.scalars(select(m.OrgObjective.title).where(m.OrgObjective.period == "2027-Q1"))
    assert sorted(titles) == ["New in the file", "全社で MLOps を"]
