"""The `hoshin` command, run as a user runs it: a real process, a real database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.kit import limits

HOSHIN = [sys.executable, "-m", "app.cli"]


# Seconds: a bound for a hang (`hoshin demo` took over 120 s at nice 19 beside two CPU-bound processes).
COMMAND_TIMEOUT = 600


def run(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HOSHIN, *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")}
    return {**clean, "HOSHIN_VAR_DIR": str(tmp_path / "var")}


def test_help_lists_every_command(env: dict[str, str]) -> None:
    result = run("--help", env=env)
    assert result.returncode == 0
    for command in ("serve", "db", "demo", "user", "check"):
        assert command in result.stdout


def test_db_upgrade_then_current_reports_up_to_date(env: dict[str, str]) -> None:
    assert run("db", "upgrade", env=env).returncode == 0
    current = run("db", "current", env=env)
    assert current.returncode == 0
    assert "up to date" in current.stdout


def test_db_current_on_an_empty_database_says_it_is_behind(env: dict[str, str]) -> None:
    current = run("db", "current", env=env)
    assert "behind" in current.stdout


def test_demo_loads_once_and_refuses_a_second_time_unless_forced(env: dict[str, str]) -> None:
    run("db", "upgrade", env=env)
    first = run("demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "demo password:" in first.stdout
    second = run("demo", env=env)
    assert second.returncode == 1
    assert second.stderr.strip() == "error: the database already has data; use --force to add the demo anyway"
    assert run("demo", "--if-empty", env=env).returncode == 0


def test_user_create_and_a_duplicate_gives_a_one_line_error(env: dict[str, str]) -> None:
    run("db", "upgrade", env=env)
    args = ("user", "create", "--email", "Ann@Example.com", "--name", "Ann", "--role", "manager")
    created = run(*args, "--password", "long enough password", env=env)
    assert created.returncode == 0, created.stderr
    assert "created manager ann@example.com" in created.stdout
    again = run(*args, "--password", "long enough password", env=env)
    assert again.returncode == 1
    assert again.stderr.strip() == "error: a user with email ann@example.com already exists"


def test_user_create_refuses_a_short_password_and_an_unknown_role(env: dict[str, str]) -> None:
    run("db", "upgrade", env=env)
    short = run("user", "create", "--email", "a@b.co", "--name", "A", "--password", "short", env=env)
    assert short.returncode == 1
    assert "password: must be at least 12 characters" in short.stderr
    role = run(
        "user",
        "create",
        "--email",
        "a@b.co",
        "--name",
        "A",
        "--role",
        "boss",
        "--password",
        "long enough password",
        env=env,
    )
    assert "role: 'boss' is not one of" in role.stderr
    assert "Traceback" not in short.stderr + role.stderr


def test_check_reports_an_unreachable_database_and_exits_1(env: dict[str, str]) -> None:
    env = {**env, "HOSHIN_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = run("check", env=env)
    assert result.returncode == 1
    assert "database unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_reports_an_unmigrated_database_then_passes_after_upgrade(env: dict[str, str]) -> None:
    before = run("check", env=env)
    assert "run `hoshin db upgrade`" in before.stderr
    run("db", "upgrade", env=env)
    after = run("check", env=env)
    assert after.returncode == 0, after.stderr
    assert "configuration ok" in after.stdout


def test_check_reports_an_unwritable_var_directory(env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    result = run("check", env={**env, "HOSHIN_VAR_DIR": str(blocker / "var")})
    assert result.returncode == 1
    assert "is not writable" in result.stderr


def test_serve_refuses_production_mode_without_a_secret_key(env: dict[str, str]) -> None:
    result = run("serve", env={**env, "HOSHIN_MODE": "production", "HOSHIN_SECRET_KEY": "changeme"})
    assert result.returncode == 1
    assert "HOSHIN_SECRET_KEY must be set" in result.stderr


def test_secret_key_is_generated_once_and_kept(env: dict[str, str], tmp_path: Path) -> None:
    run("check", env=env)
    key_file = tmp_path / "var" / "secret_key"
    first = key_file.read_text()
    run("check", env=env)
    assert key_file.read_text() == first
    assert len(first) >= 40
    assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_user_create_refuses_a_name_over_the_limit_or_with_control_characters(env: dict[str, str]) -> None:
    run("db", "upgrade", env=env)
    base = ("user", "create", "--email", "a@b.co", "--role", "member", "--password", "long enough password")
    too_long = run(*base, "--name", "A" * (limits.NAME + 1), env=env)
    assert too_long.returncode == 1
    assert too_long.stderr.strip() == f"error: name: At most {limits.NAME} characters, please (this has 201)."
    escape = run(*base, "--name", "Ann\x1b[31m", env=env)
    assert escape.returncode == 1
    assert "name: Remove the control characters" in escape.stderr
