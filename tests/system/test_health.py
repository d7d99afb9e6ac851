"""Health and readiness endpoints."""

from fastapi.testclient import TestClient

from app.config import Settings
from app.db import make_engine
from app.main import create_app


def test_healthz_answers_without_touching_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_is_503_with_a_reason_when_the_database_is_unreachable(settings: Settings) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(settings.model_copy(update={"database_url": url}), engine=make_engine(url))
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "database unreachable" in body["reason"]


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/sign-in")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
