"""/metrics over HTTP: off by default, behind its token or address list, counting requests by route
template, PDF downloads by cache outcome and database errors."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import sign_in
from tests.factories import Org
from tests.monitoring.conftest import TOKEN, scrape

REQUESTS = "hoshin_http_requests_total"


def _configure(app: FastAPI, **changes: str) -> None:
    app.state.settings = app.state.settings.model_copy(update=changes)


def test_metrics_are_a_missing_page_while_no_token_nor_address_is_set(
    app: FastAPI, client: TestClient
) -> None:
    _configure(app, metrics_token="", metrics_allow="")
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 404
    assert "hoshin_" not in response.text


def test_a_scrape_without_the_token_is_asked_for_it(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "hoshin_" not in response.text


def test_a_scrape_with_a_wrong_token_is_refused(client: TestClient) -> None:
    for header in (f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN):
        response = client.get("/metrics", headers={"Authorization": header})
        assert response.status_code in (401, 403), header
        assert "hoshin_" not in response.text


def test_a_scrape_with_the_token_gets_the_exposition(client: TestClient) -> None:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    assert "# TYPE hoshin_teams gauge" in response.text


def test_an_address_list_lets_in_only_its_addresses(app: FastAPI) -> None:
    _configure(app, metrics_token="", metrics_allow="10.0.0.0/8, ::1")
    with TestClient(app, client=("10.1.2.3", 40000)) as allowed:
        assert allowed.get("/metrics").status_code == 200
    with TestClient(app, client=("192.168.1.9", 40000)) as other:
        assert other.get("/metrics").status_code == 403


def test_token_and_address_list_together_need_both(app: FastAPI) -> None:
    _configure(app, metrics_allow="10.0.0.0/8")
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app, client=("10.1.2.3", 40000)) as allowed:
        assert allowed.get("/metrics").status_code == 401
        assert allowed.get("/metrics", headers=bearer).status_code == 200
    with TestClient(app, client=("192.168.1.9", 40000)) as other:
        assert other.get("/metrics", headers=bearer).status_code == 403


def test_requests_are_counted_under_their_route_template_never_their_path(client: TestClient) -> None:
    before = scrape(client)
    series = {"method": "GET", "route": "/teams/{team_id}", "status": "303"}  # anonymous: sent to sign in
    assert client.get("/teams/123").status_code == 303
    assert client.get("/teams/456").status_code == 303
    assert client.get("/no/such/page/789").status_code == 404
    after = scrape(client)
    assert after.value(REQUESTS, **series) - before.value(REQUESTS, **series) == 2
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert after.value(REQUESTS, **unmatched) - before.value(REQUESTS, **unmatched) == 1
    count = "hoshin_http_request_duration_seconds_count"
    template = {"method": "GET", "route": "/teams/{team_id}"}
    assert after.value(count, **template) - before.value(count, **template) == 2
    routes = {labels.get("route", "") for labels in after.labelled(REQUESTS)}
    assert not any(number in route for route in routes for number in ("123", "456", "789"))


def test_a_pdf_served_from_the_cache_is_counted_as_a_hit(client: TestClient, org: Org, db: Session) -> None:
    model = factories.maturity_model(db)
    assessment = factories.assessment(db, org.team, model, period="2026-Q3", level=2, submitted=True)
    db.commit()
    sign_in(client, org.viewer.email)
    before = scrape(client)
    url = f"/reports/assessment/{assessment.id}.pdf?lang=en"
    assert [client.get(url).headers["X-Hoshin-Cache"] for _ in range(2)] == ["miss", "hit"]
    after = scrape(client)

    def change(name: str, **labels: str) -> float:
        return after.value(name, kind="assessment", **labels) - before.value(
            name, kind="assessment", **labels
        )

    assert change("hoshin_pdf_cache_lookups_total", result="hit") == 1
    assert change("hoshin_pdf_cache_lookups_total", result="miss") == 1
    assert change("hoshin_pdf_renders_total", outcome="ok") == 1
    assert change("hoshin_pdf_renders_total", outcome="error") == 0
    assert change("hoshin_pdf_render_duration_seconds_count") == 1


def test_database_errors_are_counted_by_their_kind(client: TestClient, engine: Engine) -> None:
    before = scrape(client)
    with engine.connect() as connection, pytest.raises(DBAPIError) as raised:
        connection.execute(text("SELECT * FROM no_such_table"))
    kind = type(raised.value).__name__  # OperationalError on SQLite, ProgrammingError on PostgreSQL
    after = scrape(client)
    name = "hoshin_database_errors_total"
    assert after.value(name, error=kind) - before.value(name, error=kind) == 1
