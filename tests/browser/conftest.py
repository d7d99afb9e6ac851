"""Browser tests: a real server process on its own database with the demo data, driven by Debian's
chromium through Playwright. On failure, a screenshot and the page HTML go to test-output/."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from app import demo, migrate
from app.config import PROJECT_ROOT, Settings
from app.db import make_engine, make_session_factory, session_scope
from tests.conftest import reset_database

OUTPUT = PROJECT_ROOT / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    password: str  # the demo accounts' password
    var_dir: Path  # the server's HOSHIN_VAR_DIR (local Git repositories may live under its repositories/)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _browser_database(tmp: Path, suffix: str) -> str:
    server = os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    url = make_url(server)
    return url.set(database=f"{url.database}{suffix}").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("live")) as server:
        yield server


@contextmanager
def serve(tmp: Path, database_suffix: str = "_browser") -> Iterator[LiveServer]:
    """A server process on a fresh database (its own, per suffix, on PostgreSQL) with the demo data."""
    database = _browser_database(tmp, database_suffix)
    reset_database(database)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")},
        "HOSHIN_DATABASE_URL": database,
        "HOSHIN_VAR_DIR": str(tmp / "var"),
    }
    # Migrations and demo data in this process (what `hoshin db upgrade` and `hoshin demo` run): two
    # fewer interpreter start-ups per test process.
    migrate.upgrade(database)
    engine = make_engine(database)
    with session_scope(make_session_factory(engine)) as session:
        sign_in_text = demo.load(session, organisation_name=Settings(database_url=database).organisation_name)
    engine.dispose()
    password = re.search(r"demo password: (\S+)", sign_in_text)
    assert password, sign_in_text
    port = _free_port()
    log = (tmp / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_until_ready(url, process)
    try:
        yield LiveServer(url, password.group(1), tmp / "var")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not become ready in 30 s")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("chromium is not installed: `apt-get install chromium` (make test does it as root)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# A download of a PDF waits for its render, which runs at a lower priority (app/reports/render.py's
# RENDER_NICENESS): beside busy cores that takes far longer than a page, so downloads wait this long (ms)
# rather than the pages' 10 s. A bound for a hung render, not a speed the test asks for.
DOWNLOAD_WAIT = 180_000


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
        (OUTPUT / f"{request.node.name}.html").write_text(page.content())
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


LANGUAGE_BUTTON = {"en": "English", "ja": "日本語"}


def choose_language(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Switch the signed-in person's language with the header's buttons (stored on the account) and wait
    for the page the switch leads to: the page before may already be in that language."""
    with page.expect_event("load"):
        page.get_by_role("button", name=LANGUAGE_BUTTON[lang]).click()
    page.wait_for_selector(f"html[lang={lang}]")


def htmx_settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until htmx has nothing in flight, queued or settling on the page. (`networkidle` does not do
    this: it fires once a document, after its first quiet half second, and a busy machine has many.)"""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def sign_in(page, server: LiveServer, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", server.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/")
