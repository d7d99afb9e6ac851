"""The OKR JSON API creates, changes and deletes objectives and key results with the pages' rules: the
same service checks, problem+json naming the field, managers only, nothing half-written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, KeyResult, Objective
from tests import factories
from tests.factories import Org
from tests.okrs import rows


def _bearer(db: Session, who: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}  # type: ignore[arg-type]


def _objective(client: TestClient, db: Session, org: Org, **body: object) -> dict[str, object]:
    payload = {"title": "Ship faster", "period": rows.PERIOD} | body
    response = client.post(
        f"/api/v1/teams/{org.team.id}/objectives", json=payload, headers=_bearer(db, org.manager)
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_manager_creates_an_objective_with_owner_and_own_days(
    client: TestClient, db: Session, org: Org
) -> None:
    made = _objective(
        client, db, org, owner_id=org.member.id, starts_on="2027-02-01", ends_on="2027-05-31", period=None
    )
    assert made["period"] == "2027-Q1"  # the quarter its first day falls in
    assert (made["starts_on"], made["ends_on"], made["owner_name"]) == (
        "2027-02-01",
        "2027-05-31",
        org.member.name,
    )
    assert made["closed"] is False
    assert made["key_results"] == []


def test_a_manager_adds_changes_and_deletes_a_key_result(client: TestClient, db: Session, org: Org) -> None:
    objective = _objective(client, db, org)
    headers = _bearer(db, org.manager)
    body = {"title": "Lead time", "kind": "numeric", "start_value": 10, "target_value": 4, "unit": "days"}
    created = client.post(f"/api/v1/objectives/{objective['id']}/key-results", json=body, headers=headers)
    assert created.status_code == 201, created.text
    kr = created.json()
    assert (kr["direction"], kr["progress"], kr["unit"]) == ("down", 0.0, "days")

    changed = client.patch(
        f"/api/v1/key-results/{kr['id']}",
        json={"title": "Lead time to prod", "owner_id": org.member.id},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["owner_name"], changed.json()["target"]) == (
        "Lead time to prod",
        org.member.name,
        4,
    )
    assert client.delete(f"/api/v1/key-results/{kr['id']}", headers=headers).status_code == 204
    assert db.scalar(select(func.count()).select_from(KeyResult)) == 0
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "key_result")))
    assert actions == {"key_result.create", "key_result.update", "key_result.delete"}


def test_a_manager_changes_reopens_and_deletes_an_objective(
    client: TestClient, db: Session, org: Org
) -> None:
    objective = _objective(client, db, org, period="2026-Q3")
    headers = _bearer(db, org.manager)
    url = f"/api/v1/objectives/{objective['id']}"
    assert objective["closed"] is True
    changed = client.patch(url, json={"title": "Ship safely", "reopened": True}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["closed"]) == ("Ship safely", False)
    assert client.patch(url, json={"reopened": False}, headers=headers).json()["closed"] is True
    assert client.delete(url, headers=headers).status_code == 204
    assert db.scalar(select(func.count()).select_from(Objective)) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "KR", "start_value": 5, "target_value": 5}, "target_value"),
        ({"title": "KR", "direction": "up", "start_value": 5, "target_value": 1}, "target_value"),
        ({"title": "KR", "start_value": "5"}, "start_value"),
        ({"title": "KR", "kind": "milestone", "due_on": "2026-12-31"}, "due_on"),
        ({"title": "KR", "kind": "milestone", "due_on": 20270101}, "due_on"),
        ({"title": "KR", "owner_id": 999_999}, "owner_id"),
        ({"title": "  "}, "title"),
        ({"title": "KR", "kind": "ratio"}, "kind"),
    ],
)
def test_a_bad_key_result_is_a_problem_naming_the_field_and_adds_nothing(
    client: TestClient, db: Session, org: Org, body: dict[str, object], field: str
) -> None:
    objective = _objective(client, db, org)
    response = client.post(
        f"/api/v1/objectives/{objective['id']}/key-results", json=body, headers=_bearer(db, org.manager)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert db.scalar(select(func.count()).select_from(KeyResult)) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "O", "period": rows.PERIOD, "starts_on": "2027-02-01"}, "ends_on"),
        (
            {"title": "O", "period": rows.PERIOD, "starts_on": "2027-05-01", "ends_on": "2027-06-01"},
            "starts_on",
        ),
        ({"title": "O", "period": rows.PERIOD, "org_objective_id": 424242}, "org_objective_id"),
        ({"title": "O", "period": "2027-Q5"}, "period"),
    ],
)
def test_a_bad_objective_is_a_problem_naming_the_field(
    client: TestClient, db: Session, org: Org, body: dict[str, object], field: str
) -> None:
    response = client.post(
        f"/api/v1/teams/{org.team.id}/objectives", json=body, headers=_bearer(db, org.manager)
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert db.scalar(select(func.count()).select_from(Objective)) == 0


def test_a_check_in_on_a_closed_objective_is_a_409_naming_the_value(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager, period="2026-Q3"), org.manager)
    db.commit()
    response = client.post(
        f"/api/v1/key-results/{kr.id}/check-ins",
        json={"value": 2, "confidence": 5},
        headers=_bearer(db, org.member),
    )
    assert response.status_code == 409
    assert response.json()["field"] == "value"
    assert "A manager can reopen it." in response.json()["detail"]


def test_members_cannot_change_okrs_and_outsiders_cannot_see_them(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager)
    db.commit()
    calls = [
        ("POST", f"/api/v1/teams/{org.team.id}/objectives", {"title": "O"}),
        ("PATCH", f"/api/v1/objectives/{kr.objective_id}", {"title": "O"}),
        ("DELETE", f"/api/v1/objectives/{kr.objective_id}", None),
        ("POST", f"/api/v1/objectives/{kr.objective_id}/key-results", {"title": "K"}),
        ("PATCH", f"/api/v1/key-results/{kr.id}", {"title": "K"}),
        ("DELETE", f"/api/v1/key-results/{kr.id}", None),
    ]
    for who, status in ((org.member, 403), (org.viewer, 403), (org.outsider, 404)):
        headers = _bearer(db, who)
        for method, url, body in calls:
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code == status, (who.email, method, url, response.text)
    assert db.scalar(select(func.count()).select_from(KeyResult)) == 1


def test_the_new_operations_are_described_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "ObjectiveIn" in str(paths["/api/v1/teams/{team_id}/objectives"]["post"])
    assert {"patch", "delete"} <= set(paths["/api/v1/objectives/{objective_id}"])
    assert "KeyResultIn" in str(paths["/api/v1/objectives/{objective_id}/key-results"]["post"])
    assert {"patch", "delete"} <= set(paths["/api/v1/key-results/{key_result_id}"])
