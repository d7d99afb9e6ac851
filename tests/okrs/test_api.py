"""The OKR JSON API: a team's objectives for a quarter, and check-ins with errors naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import CheckIn
from tests import factories
from tests.factories import Org
from tests.okrs import rows


def _bearer(db: Session, who: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}  # type: ignore[arg-type]


@pytest.fixture
def kr_id(db: Session, org: Org) -> int:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager, owner=org.member)
    db.commit()
    return kr.id


def test_lists_the_teams_objectives_with_key_results(
    client: TestClient, db: Session, org: Org, kr_id: int
) -> None:
    response = client.get(
        f"/api/v1/teams/{org.team.id}/okrs?period={rows.PERIOD}", headers=_bearer(db, org.viewer)
    )
    assert response.status_code == 200
    [objective] = response.json()
    assert objective["title"] == "Ship faster"
    assert objective["key_results"][0]["id"] == kr_id
    assert objective["key_results"][0]["owner_name"] == org.member.name
    assert objective["key_results"][0]["status"] is None


def test_another_quarter_is_empty(client: TestClient, db: Session, org: Org, kr_id: int) -> None:
    response = client.get(f"/api/v1/teams/{org.team.id}/okrs?period=2026-Q1", headers=_bearer(db, org.member))
    assert response.json() == []


def test_bad_period_is_a_422_naming_it(client: TestClient, db: Session, org: Org) -> None:
    response = client.get(f"/api/v1/teams/{org.team.id}/okrs?period=Q1", headers=_bearer(db, org.member))
    assert response.status_code == 422
    assert response.json()["field"] == "period"


def test_member_checks_in_once_per_client_token(
    client: TestClient, db: Session, org: Org, kr_id: int
) -> None:
    headers = _bearer(db, org.member)
    body = {"value": 5, "confidence": 3, "note": "blocked", "client_token": "api-1"}
    first = client.post(f"/api/v1/key-results/{kr_id}/check-ins", json=body, headers=headers)
    again = client.post(f"/api/v1/key-results/{kr_id}/check-ins", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["key_result"]["status"] == "off_track"
    assert first.json()["key_result"]["progress"] == 0.5
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": 1, "confidence": 11}, "confidence"),
        ({"value": "1", "confidence": 5}, "value"),
        ({"confidence": 5}, "value"),
        ({"value": 1, "confidence": 5, "extra": 1}, "extra"),
        ({"value": 1, "confidence": 5, "client_token": ""}, "client_token"),
    ],
)
def test_bad_check_in_is_a_422_naming_the_field(
    client: TestClient, db: Session, org: Org, kr_id: int, body: dict[str, object], field: str
) -> None:
    response = client.post(
        f"/api/v1/key-results/{kr_id}/check-ins", json=body, headers=_bearer(db, org.member)
    )
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_viewer_cannot_check_in_and_outsider_cannot_see(
    client: TestClient, db: Session, org: Org, kr_id: int
) -> None:
    body = {"value": 1, "confidence": 5}
    url = f"/api/v1/key-results/{kr_id}/check-ins"
    assert client.post(url, json=body, headers=_bearer(db, org.viewer)).status_code == 403
    assert client.post(url, json=body, headers=_bearer(db, org.outsider)).status_code == 404
    assert (
        client.get(f"/api/v1/teams/{org.team.id}/okrs", headers=_bearer(db, org.outsider)).status_code == 404
    )


def test_okr_operations_are_described_with_response_models(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    listing = paths["/api/v1/teams/{team_id}/okrs"]["get"]["responses"]["200"]
    created = paths["/api/v1/key-results/{key_result_id}/check-ins"]["post"]["responses"]["201"]
    assert "ObjectiveOut" in str(listing)
    assert "CheckInOut" in str(created)
