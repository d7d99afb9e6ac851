"""Errors look right for each kind of client: a page, a toast fragment for htmx, JSON under /api/."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_unknown_api_path_gives_a_json_problem(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"detail", "field"}


def test_unknown_page_gives_a_friendly_html_page_in_the_browser_language(client: TestClient) -> None:
    response = client.get("/nope", headers={"Accept-Language": "ja"})
    assert response.status_code == 404
    assert "ページが見つかりません" in response.text
    assert "Traceback" not in response.text


def test_htmx_request_gets_an_error_toast_fragment_not_a_whole_page(client: TestClient) -> None:
    response = client.get("/nope", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "<html" not in response.text
    assert 'class="alert error"' in response.text
    assert response.headers["HX-Retarget"] == "#toasts"


def test_unexpected_error_is_a_500_page_without_internals(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Something went wrong" in response.text
