"""The assessment report: HTML page and PDF in both languages, the bundled font embedded, and nothing
ever fetched from outside the app's static files, whatever users type."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.models import Answer
from app.reports.render import html_to_pdf
from tests import factories
from tests.conftest import sign_in
from tests.factories import Org


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.fixture
def submitted(db: Session, org: Org) -> int:
    model = factories.maturity_model(db)
    factories.assessment(db, org.team, model, period="2026-Q2", level=1, submitted=True, by=org.manager)
    latest = factories.assessment(
        db, org.team, model, period="2026-Q3", level=3, submitted=True, by=org.manager
    )
    db.commit()
    return latest.id


@pytest.mark.parametrize(
    ("lang", "heading", "area"),
    [("en", "Assessment report", "Data management"), ("ja", "アセスメントレポート", "データ管理")],
)
def test_pdf_has_headings_levels_and_names_in_each_language(
    client: TestClient, org: Org, submitted: int, lang: str, heading: str, area: str
) -> None:
    sign_in(client, org.viewer.email)
    response = client.get(f"/reports/assessment/{submitted}.pdf?lang={lang}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = _text(response.content)
    assert heading in text
    assert area in text
    assert org.team.name in text
    assert "2026-Q3" in text
    assert "3.0" in text  # every answer at level 3
    assert "manager" in text  # who answered


def test_japanese_pdf_embeds_the_bundled_font_not_a_system_one(
    client: TestClient, org: Org, submitted: int
) -> None:
    sign_in(client, org.viewer.email)
    fonts = _fonts(client.get(f"/reports/assessment/{submitted}.pdf?lang=ja").content)
    assert "Report-JP" in fonts
    assert all(name.startswith("Report-") for name in fonts), (
        fonts
    )  # a system fallback would show as boxes elsewhere


def test_report_page_opens_in_the_browser_with_a_pdf_link(
    client: TestClient, org: Org, submitted: int
) -> None:
    sign_in(client, org.viewer.email)
    page = client.get(f"/reports/assessment/{submitted}?lang=ja")
    assert page.status_code == 200
    assert "アセスメントレポート" in page.text
    assert f"/reports/assessment/{submitted}.pdf?lang=ja" in page.text


def test_outsider_cannot_download_the_report(client: TestClient, org: Org, submitted: int) -> None:
    sign_in(client, org.outsider.email)
    assert client.get(f"/reports/assessment/{submitted}.pdf").status_code == 404


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP listener on 127.0.0.1 that records every connection it receives."""
    received: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            received.append(connection.recv(1024))
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def _payloads(port: int) -> list[str]:
    return [
        f'<img src="http://127.0.0.1:{port}/img">',
        '<link rel="attachment" href="file:///etc/passwd">',
        f"<style>@import url(http://127.0.0.1:{port}/css);</style>",
        f'<div style="background: url(http://127.0.0.1:{port}/bg)">x</div>',
        '<img src="file:///etc/passwd">',
    ]


def test_payloads_in_user_text_are_printed_as_text_and_fetch_nothing(
    client: TestClient, org: Org, submitted: int, db: Session, listener: tuple[int, list[bytes]]
) -> None:
    port, received = listener
    payload = " ".join(_payloads(port))
    answer = db.query(Answer).filter_by(assessment_id=submitted, question_id="data-versioning").one()
    answer.note = payload
    answer.evidence_links = [f"https://example.com/{payload}"]
    db.commit()
    sign_in(client, org.viewer.email)
    pdf = client.get(f"/reports/assessment/{submitted}.pdf?lang=en").content
    assert b"/EmbeddedFile" not in pdf
    assert "root:x:0:0" not in _text(pdf)
    assert "<link rel=" in _text(pdf)  # shown as the text the person typed
    assert received == []


def test_the_renderer_refuses_outside_urls_even_in_raw_html(listener: tuple[int, list[bytes]]) -> None:
    port, received = listener
    html = (
        "<html><body><p>raw</p>"
        + "".join(_payloads(port))
        + '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    )
    pdf = html_to_pdf(html)
    assert b"/EmbeddedFile" not in pdf.data
    assert received == []
    assert any(url.startswith("file:///etc/passwd") for url in pdf.refused)
    assert any(f"127.0.0.1:{port}" in url for url in pdf.refused)
    assert not any(url.startswith("data:") for url in pdf.refused)  # data: URIs are allowed


@pytest.mark.parametrize(
    ("lang", "marked", "heading"),
    [("en", "not applicable", "Not applicable to this team"), ("ja", "該当なし", "このチームには該当しない")],
)
def test_an_area_that_does_not_apply_has_no_gap_and_is_listed_with_its_reason(
    client: TestClient, db: Session, org: Org, lang: str, marked: str, heading: str
) -> None:
    why = "Forecasts are files; nothing runs in production."
    skipped = dict.fromkeys(("model-monitoring", "infrastructure-monitoring", "alerting"), why)
    model = factories.maturity_model(db)
    found = factories.assessment(db, org.team, model, level=1, submitted=True, not_applicable=skipped)
    db.commit()
    sign_in(client, org.viewer.email)
    text = _text(client.get(f"/reports/assessment/{found.id}.pdf?lang={lang}").content)
    area = "Monitoring" if lang == "en" else "モニタリング"
    row = next(line for line in text.splitlines() if line.startswith(f"{area} "))
    assert row.endswith(f"– – 3 {marked}"), row  # no level, no weakest, the target, and no gap
    assert f"({marked})" in text or f"（{marked}）" in text  # the radar's absent axis
    assert why in text.split(heading)[1]
