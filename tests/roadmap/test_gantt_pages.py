"""The Gantt chart as leadership reads it, on the roadmap page and in the roadmap PDF, in both languages."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.roadmap.planner.gantt import Layout
from tests.factories import Org
from tests.roadmap.test_routes import _generate

NS = "{http://www.w3.org/2000/svg}"
YEARS = {"en": r"^20\d\d$", "ja": r"^20\d\d年$"}


def _chart(html: str) -> ET.Element:
    found = re.search(r'<svg[^>]*class="gantt".*?</svg>', html, re.S)
    assert found is not None
    return ET.fromstring(found.group(0))


def _plain(text: str, lang: str) -> str:
    """Text as wrapped lines read back: Japanese lines join without the spaces a break replaced."""
    return text.replace(" ", "") if lang == "ja" else text


def _items(client: TestClient, org: Org, lang: str) -> list[str]:
    body = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()
    return [i["title"][lang] for i in body["items"]]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_page_chart_shows_whole_names_months_with_years_and_a_clear_today(
    client: TestClient, db: Session, org: Org, lang: str
) -> None:
    url = _generate(client, db, org)
    root = _chart(client.get(url, headers={"Accept-Language": lang}).text)
    texts = [t.text or "" for t in root.iter(f"{NS}text")]
    assert not [t for t in texts if "…" in t]
    for title in _items(client, org, lang):
        assert _plain(title, lang) in _plain(" ".join(texts), lang), title
    assert len([t for t in texts if re.match(YEARS[lang], t)]) == 12
    [today] = [e for e in root.iter(f"{NS}line") if e.get("class") == "gantt-today"]
    assert float(today.get("y1") or 0) >= Layout().header - 4


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_roadmap_pdf_chart_shows_whole_names_and_months_with_years(
    client: TestClient, db: Session, org: Org, lang: str
) -> None:
    _generate(client, db, org)
    pdf = client.get(f"/reports/teams/{org.team.id}/roadmap.pdf?lang={lang}").content
    lines = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).splitlines()
    years = [n for n, line in enumerate(lines) if re.match(YEARS[lang], line.strip())]
    assert len(years) >= 12  # every month column names its year
    labels = []
    for line in lines[years[11] + 1 :]:
        if line.startswith("•"):
            break
        labels.append(line.strip())
    assert not [line for line in labels if "…" in line]
    for title in _items(client, org, lang):
        assert _plain(title, lang) in _plain(" ".join(labels), lang), title
