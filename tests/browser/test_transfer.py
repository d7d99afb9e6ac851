"""Organisation export and import in a real browser: an admin downloads the export from the demo
instance and imports it into a fresh instance that has nothing but its own admin."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app import demo
from tests.browser.conftest import (
    DOWNLOAD_WAIT,
    LiveServer,
    _browser_database,
    _free_port,
    _wait_until_ready,
    sign_in,
)
from tests.conftest import reset_database

pytestmark = pytest.mark.browser
ROOT = "root@example.com"
ROOT_PASSWORD = "a fresh instance's own admin"


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A new instance: migrated, one admin account, no organisation data."""
    tmp = tmp_path_factory.mktemp("fresh")
    database = _browser_database(tmp, "_fresh")
    reset_database(database)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")},
        "HOSHIN_DATABASE_URL": database,
        "HOSHIN_VAR_DIR": str(tmp / "var"),
    }
    hoshin = [sys.executable, "-m", "app.cli"]
    subprocess.run([*hoshin, "db", "upgrade"], env=env, check=True, capture_output=True)
    create = [
        "user",
        "create",
        "--email",
        ROOT,
        "--name",
        "Root",
        "--role",
        "admin",
        "--password",
        ROOT_PASSWORD,
    ]
    subprocess.run([*hoshin, *create], env=env, check=True, capture_output=True)
    port = _free_port()
    with (tmp / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        _wait_until_ready(url, process)
        yield LiveServer(url, ROOT_PASSWORD, tmp / "var")
        process.terminate()
        process.wait(timeout=10)


def test_admin_exports_the_organisation_and_imports_it_into_a_fresh_instance(
    browser, page, live_server: LiveServer, fresh_server: LiveServer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, demo.ADMIN[0])
    page.goto(f"{live_server.url}/admin/users")
    page.get_by_role("link", name="Export and import").click()
    with page.expect_download(timeout=DOWNLOAD_WAIT) as download_info:
        page.click("#export-download", timeout=DOWNLOAD_WAIT)
    export = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(export)
    assert export.name.startswith("hoshin-organisation-")

    fresh = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    other = fresh.new_page()
    other.set_default_timeout(15_000)
    try:
        sign_in(other, fresh_server, ROOT)
        other.goto(f"{fresh_server.url}/admin/transfer")
        other.set_input_files("#file", str(export))
        other.check("#check_only")
        other.get_by_role("button", name="確認してインポート").click()
        # Each form posts a whole page: the checks wait for the next page (expect retries) rather
        # than read the page that is still on screen while the browser navigates.
        expect(other.locator("#import-outcome")).to_contain_text("インポートはしていません")
        other.uncheck("#check_only")
        other.set_input_files("#file", str(export))
        other.get_by_role("button", name="確認してインポート").click()
        expect(other.locator("#import-outcome")).to_contain_text("インポートしました")
        other.get_by_role("link", name="チームを見る").click()
        for team in demo.TEAMS:
            expect(other.get_by_role("link", name=team.name)).to_be_visible()
        other.goto(f"{fresh_server.url}/admin/transfer")
        other.set_input_files("#file", str(export))
        other.get_by_role("button", name="確認してインポート").click()
        expect(other.locator("#import-refusal")).to_contain_text("すでにデータがあります")
    finally:
        fresh.close()
