"""/api/v1/me and /api/v1/teams with bearer tokens."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import Org


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_me_answers_for_the_tokens_owner(client: TestClient, db: Session, org: Org) -> None:
    response = client.get("/api/v1/me", headers=bearer(factories.api_token(db, org.member)))
    assert response.status_code == 200
    assert response.json() == {
        "id": org.member.id,
        "email": "member@example.com",
        "name": "member",
        "role": "member",
        "locale": None,
        "timezone": "UTC",
    }


def test_unknown_token_gets_a_401_problem(client: TestClient, org: Org) -> None:
    response = client.get("/api/v1/me", headers=bearer("hsn_nope"))
    assert response.status_code == 401
    assert response.json()["detail"]


def test_bearer_token_does_not_sign_anyone_in_outside_the_api(
    client: TestClient, db: Session, org: Org
) -> None:
    response = client.get("/account", headers=bearer(factories.api_token(db, org.admin)))
    assert response.status_code == 303


def test_teams_lists_only_the_callers_teams_with_capacity_and_missing_roles(
    client: TestClient, db: Session, org: Org
) -> None:
    teams = client.get("/api/v1/teams", headers=bearer(factories.api_token(db, org.member))).json()
    assert [t["name"] for t in teams] == ["Vision"]
    vision = teams[0]
    assert vision["access"] == "member"
    assert vision["actions"] == ["answer", "check_in", "view"]
    assert vision["capacity_person_weeks_per_month"] == 6.5
    assert vision["improvement_share"] == 0.3
    assert vision["improvement_person_weeks_per_month"] == 2.0
    assert "data_engineer" in vision["missing_roles"]
    assert {m["name"] for m in vision["members"]} == {"manager", "member", "viewer"}


def test_admins_and_installation_viewers_see_every_team(client: TestClient, db: Session, org: Org) -> None:
    for person in (org.admin, org.viewer):
        teams = client.get("/api/v1/teams", headers=bearer(factories.api_token(db, person))).json()
        assert [t["name"] for t in teams] == ["Search", "Vision"]


def test_api_endpoints_are_described_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/me" in paths
    assert "/api/v1/teams" in paths
