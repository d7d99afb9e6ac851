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


def test_a_version_clash_is_explained_in_the_admins_language(
    client: TestClient, org: Org, db: Session
) -> None:
    org.admin.locale = "ja"
    db.commit()
    sign_in(client, org.admin.email)
    _upload(client, CUSTOM)
    response = _upload(client, CUSTOM.replace("How are versions of your training data kept?", "Changed?"))
    assert response.status_code == 409
    assert "our-model のバージョン 1.0 は、内容の異なるものが既にインストールされています" in response.text
    assert "already installed" not in response.text


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


NEAR_MISSES = CUSTOM.replace("prerequisites:", "requires:", 1).replace(
    "scoring:\n  strategy: mean\n", "scoring: mean\n", 1
)


def test_upload_page_says_what_is_wrong_in_the_admins_language(
    client: TestClient, org: Org, db: Session
) -> None:
    sign_in(client, org.admin.email)
    english = _upload(client, NEAR_MISSES)
    assert english.status_code == 422
    assert "unknown field &#39;requires&#39;: did you mean prerequisites?" in english.text
    assert "scoring is a mapping: write scoring: {strategy: mean}" in english.text
    assert "Input should" not in english.text
    assert '/admin/models/guide.md"' in english.text
    org.admin.locale = "ja"
    db.commit()
    japanese = _upload(client, NEAR_MISSES)
    assert "不明な項目「requires」です。prerequisites のことですか？" in japanese.text
    assert "scoring はマッピングです。scoring: {strategy: mean} と書いてください" in japanese.text
    assert "モデルファイルの書き方" in japanese.text


def test_upload_and_cli_refuse_the_same_oversized_file_alike(
    client: TestClient, org: Org, env: dict[str, str], tmp_path: Path
) -> None:
    big = CUSTOM + "# padding\n" * 110_000  # 1.1 MB: a comment cannot make a model any better
    sign_in(client, org.admin.email)
    uploaded = _upload(client, big)
    assert uploaded.status_code == 422
    assert "the file is larger than 1 MB" in uploaded.text
    path = tmp_path / "big.yaml"
    path.write_text(big)
    refused = _hoshin("model", "validate", str(path), env=env)
    assert refused.returncode == 1
    assert f"problem: {path}: the file is larger than 1 MB" in refused.stderr


def test_cli_refuses_an_alias_bomb_with_its_line(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    lines = ['id: bomb\nversion: "1.0"\nlol0: &lol0 [lol]']
    lines += [f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]" for n in range(1, 10)]
    path.write_text("\n".join(lines) + "\n")
    refused = _hoshin("model", "import", str(path), env=env)
    assert refused.returncode == 1
    assert f"problem: {path}:8: aliases here expand to more than 100,000 values" in refused.stderr
    assert "nothing was imported (the format: docs/maturity-models.md)" in refused.stderr


def test_cli_help_and_admin_page_point_to_the_model_guide(
    client: TestClient, org: Org, env: dict[str, str]
) -> None:
    for command in ("validate", "import"):
        assert "docs/maturity-models.md" in _hoshin("model", command, "--help", env=env).stdout
    sign_in(client, org.admin.email)
    assert '/admin/models/guide.md"' in client.get("/admin/models").text
    guide = client.get("/admin/models/guide.md")
    assert guide.status_code == 200
    assert guide.text.startswith("# Writing a maturity model")


def test_the_guides_example_model_is_valid(env: dict[str, str], tmp_path: Path) -> None:
    guide = (Path(__file__).parents[2] / "docs" / "maturity-models.md").read_text(encoding="utf-8")
    [example] = [block for block in guide.split("```yaml\n")[1:] if "\ndimensions:" in block]
    path = tmp_path / "example.yaml"
    path.write_text(example.split("```")[0], encoding="utf-8")
    checked = _hoshin("model", "validate", str(path), env=env)
    assert checked.returncode == 0, checked.stderr
    assert "ok: delivery-basics version 1.0: 2 dimensions, 2 capabilities, 3 questions" in checked.stdout
