"""People and access in a real browser: an admin invites a manager, the manager builds a team with
roles and capacity and edits its RACI matrix in place; a viewer sees no edit controls."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import make_url

from tests.browser.conftest import LiveServer, _free_port, _wait_until_ready, sign_in
from tests.conftest import reset_database

pytestmark = pytest.mark.browser
NEW_PASSWORD = "maple syrup on a rainy tuesday"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: these tests add a team and a user, which the shared demo server must not see."""
    tmp = tmp_path_factory.mktemp("people")
    server = os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if server:
        url = make_url(server)
        database = url.set(database=f"{url.database}_people").render_as_string(hide_password=False)
    else:
        database = f"sqlite:///{tmp / 'people.sqlite3'}"
    reset_database(database)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")},
        "HOSHIN_DATABASE_URL": database,
        "HOSHIN_VAR_DIR": str(tmp / "var"),
    }
    hoshin = [sys.executable, "-m", "app.cli"]
    subprocess.run([*hoshin, "db", "upgrade"], env=env, check=True, capture_output=True)
    demo = subprocess.run([*hoshin, "demo"], env=env, check=True, capture_output=True, text=True)
    password = re.search(r"demo password: (\S+)", demo.stdout)
    assert password, demo.stdout
    port = _free_port()
    with (tmp / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url_ = f"http://127.0.0.1:{port}"
        _wait_until_ready(url_, process)
        yield LiveServer(url_, password.group(1), tmp / "var")
        process.terminate()
        process.wait(timeout=10)


def test_admin_invites_a_manager_who_builds_a_team_and_edits_its_raci(
    browser, page, live_server: LiveServer
) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Invite someone").click()
    page.fill("#email", "nina.berg@example.com")
    page.select_option("#role", "manager")
    page.get_by_role("button", name="Create invitation link").click()
    link = page.input_value("#invite-link")
    assert "/invite/" in link

    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    manager = context.new_page()
    manager.goto(link)
    manager.fill("#name", "Nina Berg")
    manager.fill("#password", NEW_PASSWORD)
    manager.fill("#confirm", NEW_PASSWORD)
    manager.get_by_role("button", name="Create account").click()
    manager.wait_for_url(f"{live_server.url}/")
    assert "Welcome to Hoshin" in manager.locator(".alert").first.inner_text()

    manager.get_by_role("link", name="New team").click()
    manager.fill("#name", "Platform Guild")
    manager.get_by_role("button", name="Create team").click()
    manager.wait_for_url(re.compile(r".*/teams/\d+$"))
    team_url = manager.url
    assert "Data engineer" in manager.locator(".alert.warning").inner_text()  # nobody holds it yet

    manager.select_option("#user_id", label="Kenji Mori (kenji.mori@example.com)")
    manager.check("input[name=team_roles][value=data_engineer]")
    manager.fill("#capacity", "60")
    manager.get_by_role("button", name="Add member").click()
    manager.wait_for_selector("text=Member added.")
    row = manager.locator("tr", has_text="Kenji Mori")
    assert "Data engineer" in row.inner_text()
    assert "60 %" in row.inner_text()
    assert "Data engineer" not in manager.locator(".alert.warning").inner_text()

    manager.get_by_role("link", name="RACI matrix").click()
    manager.wait_for_url(re.compile(r".*/teams/\d+/raci$"))  # loaded: htmx wired up before the first change
    cell = manager.get_by_label("CI/CD pipeline (build, test, package) – ML engineer")
    cell.select_option("A")  # a second Accountable: the row is flagged at once
    ci_row = manager.locator("#raci-ci-cd")
    ci_row.locator("text=Needs exactly one A").wait_for()
    # htmx wires the swapped-in row up while it settles; a person is never faster than that, a test is.
    manager.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    manager.get_by_label("CI/CD pipeline (build, test, package) – MLOps engineer").select_option("R")
    ci_row.locator(".ok-mark").wait_for()
    manager.reload()
    assert manager.get_by_label("CI/CD pipeline (build, test, package) – ML engineer").input_value() == "A"
    context.close()

    page.goto(team_url)  # the admin sees the change in the audit log
    page.goto(f"{live_server.url}/admin/audit")
    assert "raci.update" in page.content()
    assert "membership.create" in page.content()


def test_viewer_cannot_change_anything_and_sees_no_edit_controls(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, live_server, "cto@example.com")
    page.get_by_role("link", name="Recommendations").click()
    expect(page.locator("h1")).to_have_text("Recommendations")  # waits for the team's page
    assert page.get_by_role("button", name="Add member").count() == 0
    assert page.get_by_role("link", name="Edit team").count() == 0
    assert page.get_by_role("button", name=re.compile("Remove")).count() == 0
    page.get_by_role("link", name="RACI matrix").click()
    expect(page.locator("table.raci")).to_be_visible()
    assert page.locator("table.raci select").count() == 0
    assert page.get_by_role("link", name="Admin").count() == 0
    response = page.request.post(f"{page.url}/reset", headers={"X-CSRF-Token": "x"})
    assert response.status == 403
