"""`hoshin user invite` and `hoshin token create`, run as a person runs them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.kit import limits
from tests.cli.test_cli import run


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")}
    environment = {**clean, "HOSHIN_VAR_DIR": str(tmp_path_factory.mktemp("cli") / "var")}
    assert run("db", "upgrade", env=environment).returncode == 0
    created = run(
        "user",
        "create",
        "--email",
        "ops@example.com",
        "--name",
        "Ops",
        "--role",
        "admin",
        env={**environment, "HOSHIN_NEW_PASSWORD": "a long enough password"},
    )
    assert created.returncode == 0, created.stderr
    return environment


def test_user_invite_prints_a_one_time_link(env: dict[str, str], tmp_path: Path) -> None:
    result = run(
        "user",
        "invite",
        "--email",
        "nao@example.com",
        "--role",
        "manager",
        "--base-url",
        "https://hoshin.example",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "https://hoshin.example/invite/" in result.stdout
    assert "manager" in result.stdout


def test_user_create_refuses_an_email_or_password_over_its_limit(env: dict[str, str]) -> None:
    long_email = "a" * (limits.EMAIL - len("@example.com") + 1) + "@example.com"
    new = {**env, "HOSHIN_NEW_PASSWORD": "a long enough password"}
    result = run("user", "create", "--email", long_email, "--name", "Long", "--role", "member", env=new)
    assert result.returncode == 1
    assert f"email: at most {limits.EMAIL} characters, please (this has {limits.EMAIL + 1})" in result.stderr
    too_long = {**env, "HOSHIN_NEW_PASSWORD": "p" * (limits.PASSWORD + 1)}
    result = run(
        "user", "create", "--email", "long@example.com", "--name", "Long", "--role", "member", env=too_long
    )
    assert result.returncode == 1
    assert f"password: at most {limits.PASSWORD} characters" in result.stderr


def test_user_invite_refuses_a_bad_email_with_a_clear_message(env: dict[str, str]) -> None:
    result = run("user", "invite", "--email", "not-an-email", "--role", "member", env=env)
    assert result.returncode == 1
    assert "email" in result.stderr


def test_token_create_prints_a_token_that_the_api_accepts(env: dict[str, str]) -> None:
    result = run("token", "create", "--email", "ops@example.com", "--name", "ci", env=env)
    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip()
    assert secret.startswith("hsn_")
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    app = create_app(Settings(var_dir=Path(env["HOSHIN_VAR_DIR"])))
    with TestClient(app) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["email"] == "ops@example.com"


def test_token_create_for_an_unknown_user_fails(env: dict[str, str]) -> None:
    result = run("token", "create", "--email", "ghost@example.com", "--name", "ci", env=env)
    assert result.returncode == 1
    assert "no active user" in result.stderr
