"""The sources JSON API: add, change, remove, sync and read signals; credentials go in, never out."""

from __future__ import annotations

import json
import threading

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Source
from tests import factories
from tests.factories import Org
from tests.signals.conftest import Script, failing, source

TOKEN = "tok-Api9sD3fG6hJ2kL"


def _bearer(db: Session, who: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}  # type: ignore[arg-type]


def _url(org: Org, rest: str = "") -> str:
    return f"/api/v1/teams/{org.team.id}/sources{rest}"


def test_a_manager_adds_changes_and_removes_a_source_and_no_response_carries_the_token(
    client: TestClient, db: Session, org: Org
) -> None:
    headers = _bearer(db, org.manager)
    body = {"kind": "mlflow", "name": "Tracking", "url": "https://mlflow.example.com", "token": TOKEN}
    created = client.post(_url(org), json=body, headers=headers)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["has_credentials"] is True
    assert out["last_sync"] is None
    assert TOKEN not in created.text
    assert "token" not in out
    changed = client.patch(_url(org, f"/{out['id']}"), json={"name": "Tracking (prod)"}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["name"] == "Tracking (prod)"
    assert changed.json()["has_credentials"] is True
    listed = client.get(_url(org), headers=_bearer(db, org.viewer))
    assert [s["name"] for s in listed.json()] == ["Tracking (prod)"]
    assert TOKEN not in listed.text
    cleared = client.patch(_url(org, f"/{out['id']}"), json={"clear_credentials": True}, headers=headers)
    assert cleared.json()["has_credentials"] is False
    assert client.delete(_url(org, f"/{out['id']}"), headers=headers).status_code == 204
    assert client.get(_url(org), headers=headers).json() == []


def test_a_bad_address_is_a_422_naming_the_field(client: TestClient, db: Session, org: Org) -> None:
    body = {"kind": "git", "name": "repo", "url": "--upload-pack=touch /tmp/x"}
    response = client.post(_url(org), json=body, headers=_bearer(db, org.manager))
    assert response.status_code == 422
    assert response.json()["field"] == "url"
    assert db.scalars(select(Source)).all() == []


def test_an_unknown_kind_is_a_422_naming_the_field(client: TestClient, db: Session, org: Org) -> None:
    body = {"kind": "svn", "name": "repo", "url": "https://svn.example.com"}
    response = client.post(_url(org), json=body, headers=_bearer(db, org.manager))
    assert (response.status_code, response.json()["field"]) == (422, "kind")


def test_a_sync_started_through_the_api_stores_signals_the_team_can_read(
    client: TestClient, db: Session, org: Org, fake: Script
) -> None:
    row = source(db, org.team)
    db.commit()
    started = client.post(_url(org, f"/{row.id}/sync"), headers=_bearer(db, org.manager))
    assert started.status_code == 202
    assert started.json()["started"] is True
    signals = client.get(f"/api/v1/teams/{org.team.id}/signals", headers=_bearer(db, org.member)).json()
    assert {(s["key"], s["value"]) for s in signals} == {
        ("git.ci.configured", 1.0),
        ("git.commits.per_week", 12.5),
    }
    fake.error = failing("unreachable", "connection refused")
    client.post(_url(org, f"/{row.id}/sync"), headers=_bearer(db, org.manager))
    [listed] = client.get(_url(org), headers=_bearer(db, org.member)).json()
    assert listed["last_sync"]["status"] == "failed"
    assert listed["last_sync"]["error_kind"] == "unreachable"
    assert "cannot be reached" in listed["last_sync"]["error"]
    assert listed["last_good_sync"]["counts"] == {"commits": 3, "signals": 2}
    again = client.get(f"/api/v1/teams/{org.team.id}/signals", headers=_bearer(db, org.member)).json()
    assert again == signals  # the failed sync kept the last good values


def test_a_sync_requested_while_one_runs_is_not_started(
    client: TestClient, db: Session, org: Org, fake: Script
) -> None:
    row = source(db, org.team)
    db.commit()
    headers = _bearer(db, org.manager)
    fake.hold = threading.Event()
    first: list[dict[str, object]] = []
    url = _url(org, f"/{row.id}/sync")
    worker = threading.Thread(target=lambda: first.append(client.post(url, headers=headers).json()))
    worker.start()
    try:
        assert fake.entered.wait(30)
        second = client.post(url, headers=headers).json()
    finally:
        fake.hold.set()
        worker.join(30)
    assert first[0]["started"] is True
    assert second == {"started": False, "sync_run_id": None}
    assert len(fake.configs) == 1


def test_the_schema_marks_credentials_write_only_and_never_returns_them(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["SourceIn"]["properties"]["token"]["writeOnly"] is True
    assert "token" not in schemas["SourceOut"]["properties"]
    assert "password" not in json.dumps(schemas["SourceOut"])


def test_a_source_of_another_team_is_not_found(client: TestClient, db: Session, org: Org) -> None:
    other = source(db, org.other_team)
    db.commit()
    headers = _bearer(db, org.manager)
    assert client.patch(_url(org, f"/{other.id}"), json={"name": "x"}, headers=headers).status_code == 404
    assert client.delete(_url(org, f"/{other.id}"), headers=headers).status_code == 404


def test_a_paused_source_keeps_its_settings_and_says_so(client: TestClient, db: Session, org: Org) -> None:
    row = source(db, org.team)
    db.commit()
    headers = _bearer(db, org.manager)
    paused = client.patch(_url(org, f"/{row.id}"), json={"enabled": False}, headers=headers).json()
    assert paused["enabled"] is False
    assert paused["name"] == "model-repo"
    renamed = client.patch(_url(org, f"/{row.id}"), json={"name": "renamed"}, headers=headers).json()
    assert renamed["enabled"] is False  # left out: unchanged
