"""The targets JSON API: a team's targets per dimension (its managers set them) and the organisation's
defaults (admins), with the pages' rules, errors naming the field, and the pages' audit entry."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit import limits
from app.models import AuditEvent, Target, User
from tests import factories
from tests.access.conftest import act_as
from tests.factories import Org

MODEL = "playbook-base"  # dimensions: data, development, deployment, monitoring


@pytest.fixture(autouse=True)
def _models(db: Session) -> None:
    factories.maturity_model(db, MODEL)
    db.commit()


def _bearer(db: Session, who: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}


def _team_url(org: Org, model: str = MODEL) -> str:
    return f"/api/v1/teams/{org.team.id}/targets/{model}"


def _stored(db: Session) -> set[tuple[int | None, str, int]]:
    return {(t.team_id, t.dimension_id, t.level) for t in db.scalars(select(Target))}


def test_a_manager_sets_the_teams_targets_and_the_rest_fall_back(
    client: TestClient, db: Session, org: Org
) -> None:
    body = {"levels": {"deployment": 4, "monitoring": 2, "data": None}}
    response = client.put(_team_url(org), json=body, headers=_bearer(db, org.manager))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "model": MODEL,
        "team_id": org.team.id,
        "targets": {"data": 3, "development": 3, "deployment": 4, "monitoring": 2},
        "own": {"deployment": 4, "monitoring": 2},
        "defaults": {},
    }
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "targets.save")).all()
    assert (event.actor_id, event.object_id) == (org.manager.id, f"{org.team.id}/{MODEL}")
    assert (event.before, event.after) == ({}, {"deployment": 4, "monitoring": 2})


def test_a_dimension_left_out_loses_its_own_target_as_on_the_page(
    client: TestClient, db: Session, org: Org
) -> None:
    headers = _bearer(db, org.manager)
    client.put(_team_url(org), json={"levels": {"deployment": 4, "monitoring": 2}}, headers=headers)
    response = client.put(_team_url(org), json={"levels": {"monitoring": 1}}, headers=headers)
    assert response.json()["own"] == {"monitoring": 1}
    assert _stored(db) == {(org.team.id, "monitoring", 1)}


def test_the_organisations_defaults_apply_to_teams_without_their_own(
    client: TestClient, db: Session, org: Org
) -> None:
    response = client.put(
        f"/api/v1/targets/{MODEL}", json={"levels": {"monitoring": 2}}, headers=_bearer(db, org.admin)
    )
    assert response.status_code == 200, response.text
    assert response.json()["team_id"] is None
    assert response.json()["own"] == {"monitoring": 2}
    client.put(_team_url(org), json={"levels": {"data": 4}}, headers=_bearer(db, org.manager))
    team = client.get(_team_url(org), headers=_bearer(db, org.viewer)).json()
    assert team["own"] == {"data": 4}
    assert team["defaults"] == {"monitoring": 2}
    assert team["targets"] == {"data": 4, "development": 3, "deployment": 3, "monitoring": 2}
    organisation = client.get(f"/api/v1/targets/{MODEL}", headers=_bearer(db, org.admin)).json()
    assert organisation["targets"] == {"data": 3, "development": 3, "deployment": 3, "monitoring": 2}
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.object_id == f"organisation/{MODEL}")).all()
    assert event.action == "targets.save"


def test_the_page_shows_what_the_api_set(client: TestClient, db: Session, org: Org) -> None:
    client.put(_team_url(org), json={"levels": {"deployment": 4}}, headers=_bearer(db, org.manager))
    act_as(client, db, org.manager)
    page = client.get(f"/teams/{org.team.id}/targets?model={MODEL}").text
    assert '<option value="4" selected>4' in page


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"levels": {"deployment": 5}}, "levels.deployment", "levels.deployment: Enter 4 or less."),
        ({"levels": {"deployment": -1}}, "levels.deployment", "levels.deployment: Enter 0 or more."),
        ({"levels": {"deployment": "4"}}, "levels.deployment", None),
        ({"levels": {"nope": 2}}, "levels.nope", "This model has no dimension nope."),
        ({"levels": {"deployment": 2}, "extra": 1}, "extra", None),
        ({}, "levels", "levels: This is required."),
    ],
)
def test_bad_targets_are_a_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, db: Session, org: Org, body: dict[str, Any], field: str, detail: str | None
) -> None:
    response = client.put(_team_url(org), json=body, headers=_bearer(db, org.manager))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    if detail is not None:
        assert response.json()["detail"] == detail
    assert _stored(db) == set()
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "targets.save")).all() == []


def test_an_unknown_dimension_is_refused_in_the_readers_language(
    client: TestClient, db: Session, org: Org
) -> None:
    headers = {**_bearer(db, org.manager), "Accept-Language": "ja"}
    response = client.put(_team_url(org), json={"levels": {"nope": 2}}, headers=headers)
    assert response.json() == {"detail": "このモデルには領域 nope がありません。", "field": "levels.nope"}


def test_an_unknown_model_is_a_404_naming_it(client: TestClient, db: Session, org: Org) -> None:
    for response in (
        client.get(_team_url(org, "nope"), headers=_bearer(db, org.viewer)),
        client.put(_team_url(org, "nope"), json={"levels": {}}, headers=_bearer(db, org.manager)),
        client.put("/api/v1/targets/nope", json={"levels": {}}, headers=_bearer(db, org.admin)),
    ):
        assert (response.status_code, response.json()["field"]) == (404, "model")


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("admin", 200, 200),
        ("manager", 200, 200),
        ("member", 200, 403),
        ("viewer", 200, 403),
        ("outsider", 404, 404),
    ],
)
def test_the_team_reads_its_targets_and_its_managers_set_them(
    client: TestClient, db: Session, org: Org, persona: str, read: int, write: int
) -> None:
    headers = _bearer(db, getattr(org, persona))
    assert client.get(_team_url(org), headers=headers).status_code == read
    response = client.put(_team_url(org), json={"levels": {"data": 1}}, headers=headers)
    assert response.status_code == write
    assert _stored(db) == ({(org.team.id, "data", 1)} if write == 200 else set())


@pytest.mark.parametrize("persona", ["manager", "member", "viewer", "outsider"])
def test_only_admins_read_and_set_the_organisations_defaults(
    client: TestClient, db: Session, org: Org, persona: str
) -> None:
    headers = _bearer(db, getattr(org, persona))
    assert client.get(f"/api/v1/targets/{MODEL}", headers=headers).status_code == 403
    response = client.put(f"/api/v1/targets/{MODEL}", json={"levels": {"data": 1}}, headers=headers)
    assert response.status_code == 403
    assert _stored(db) == set()


def test_calls_without_a_known_token_get_a_401(client: TestClient, org: Org) -> None:
    assert client.get(_team_url(org)).status_code == 401
    unknown = {"Authorization": "Bearer hsn_nope"}
    assert client.put(f"/api/v1/targets/{MODEL}", json={"levels": {}}, headers=unknown).status_code == 401


def test_the_target_operations_are_described_with_their_limits(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    put = document["paths"]["/api/v1/teams/{team_id}/targets/{model}"]["put"]
    assert put["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("TargetsOut")
    assert {"401", "403", "404", "422"} <= set(put["responses"])
    levels = document["components"]["schemas"]["TargetsIn"]["properties"]["levels"]
    assert levels["propertyNames"]["maxLength"] == limits.SLUG
    level = next(s for s in levels["additionalProperties"]["anyOf"] if s.get("type") == "integer")
    assert (level["minimum"], level["maximum"]) == (0, 4)
