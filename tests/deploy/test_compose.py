"""The container files declare what a deployment relies on (no Docker engine runs here, so we read them)."""

from __future__ import annotations

from typing import Any

import yaml

from app.config import PROJECT_ROOT


def _compose() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_app_against_postgresql_once_the_database_is_healthy() -> None:
    services = _compose()["services"]
    app, db = services["app"], services["db"]
    assert db["image"].startswith("postgres:")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["HOSHIN_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in app["environment"]["HOSHIN_DATABASE_URL"]
    assert app["environment"]["HOSHIN_MODE"] == "production"


def test_compose_publishes_the_app_on_loopback_port_8000_with_health_checks() -> None:
    services = _compose()["services"]
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])


def test_compose_requires_a_secret_key_instead_of_shipping_one() -> None:
    secret = _compose()["services"]["app"]["environment"]["HOSHIN_SECRET_KEY"]
    assert secret.startswith("${HOSHIN_SECRET_KEY:?")


def test_mlflow_is_an_optional_profile() -> None:
    mlflow = _compose()["services"]["mlflow"]
    assert mlflow["profiles"] == ["mlflow"]
    assert "5000:5000" in mlflow["ports"][0]
    assert "healthcheck" in mlflow


def test_dockerfile_installs_weasyprint_libraries_and_runs_unprivileged() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "libfontconfig1"):
        assert library in dockerfile
    assert "uv sync --frozen" in dockerfile
    assert "\nUSER hoshin\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile


def test_compose_runs_a_worker_for_the_periodic_syncs_on_the_apps_database_with_its_secret() -> None:
    services = _compose()["services"]
    worker, app = services["worker"], services["app"]
    assert worker["command"] == ["hoshin", "worker"]
    assert worker["depends_on"]["app"]["condition"] == "service_healthy"  # after `hoshin db upgrade`
    for name in ("HOSHIN_DATABASE_URL", "HOSHIN_SECRET_KEY", "HOSHIN_MODE"):
        assert worker["environment"][name] == app["environment"][name]
