"""Importing a maturity model: by CLI and by an admin's upload; refused whole when anything is wrong."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.maturity.loader import builtin_model_paths
from app.models import AuditEvent, MaturityModelVersion
from tests.conftest import csrf_token, sign_in
from tests.factories import Org

BASE = next(p for p in builtin_model_paths() if p.name == "playbook-base.yaml").read_text()
CUSTOM = BASE.replace("id: playbook-base", "id: our-model", 1)
BROKEN = CUSTOM.replace("level: 4", "level: 7", 1).replace("ja: データ管理", "jp: データ管理", 1)


def _upload(client: TestClient, text: str, name: str = "model.yaml") -> object:
    files = {"file": (name, io.BytesIO(text.encode()), "application/yaml")}
    return client.post("/admin/models", files=files, data={"csrf_token": csrf_token(client)})


def test_admin_imports_a_model_and_it_is_recorded(client: TestClient, org: Org, db: Session) -> None:
    sign_in(client, org.admin.email)
    response = _upload(client, CUSTOM)
    assert response.status_code == 303
    assert "our-model" in client.get("/admin/models").text
    assert db.scalars(select(MaturityModelVersion).where(MaturityModelVersion.slug == "our-model")).one()
    assert (
        db.scalars(select(AuditEvent).where(AuditEvent.action == "model.import")).one().object_id
        == "our-model@1.0"
    )


def test_broken_file_is_refused_whole_with_every_problem_and_its_line(
    client: TestClient, org: Org, db: Session
) -> None:
    sign_in(client, org.admin.email)
    response = _upload(client, BROKEN)
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "unknown level 7" in response.text
    assert "line " in response.text
    assert response.text.count("<li><code>") >= 2  # both problems listed at once
    assert (
        db.scalars(select(MaturityModelVersion).where(MaturityModelVersion.slug == "our-model")).first()
        is None
    )


def test_changed_content_under_the_same_version_is_refused(client: TestClient, org: Org) -> None:
    sign_in(client, org.admin.email)
    _upload(client, CUSTOM)
    changed = CUSTOM.replace(
        "How are versions of your training data kept?", "How is training data versioned?"
    )
    response = _upload(client, changed)
    assert response.status_code == 409
    assert "raise the version" in response.text
    bumped = changed.replace('version: "1.0"', 'version: "1.1"', 1)
    assert _upload(client, bumped).status_code == 303


def test_manager_cannot_import(client: TestClient, org: Org) -> None:
    sign_in(client, org.manager.email)
    assert _upload(client, CUSTOM).status_code == 403


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")}
    return {**clean, "HOSHIN_VAR_DIR": str(tmp_path / "var")}


def _hoshin(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_validates_imports_and_lists_a_model(env: dict[str, str], tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(CUSTOM)
    bad.write_text(BROKEN)
    assert (
        "ok: our-model version 1.0: 4 dimensions, 12 capabilities"
        in _hoshin("model", "validate", str(good), env=env).stdout
    )
    refused = _hoshin("model", "validate", str(bad), env=env)
    assert refused.returncode == 1
    assert "unknown level 7" in refused.stderr
    assert "Traceback" not in refused.stderr
    _hoshin("db", "upgrade", env=env)
    assert "imported: our-model version 1.0" in _hoshin("model", "import", str(good), env=env).stdout
    assert "already installed" in _hoshin("model", "import", str(good), env=env).stdout
    assert "our-model\t1.0\timported" in _hoshin("model", "list", env=env).stdout
