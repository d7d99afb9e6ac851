"""Unchanged reports come from the cache (any replica's); a change in the data renders anew."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Answer, CachedReport
from app.reports import organisation as organisation_report
from tests import factories
from tests.checklists.helpers import first_entry, generate, tick
from tests.conftest import sign_in
from tests.factories import Org


def test_second_download_is_served_from_the_cache_until_the_data_changes(
    client: TestClient, org: Org, db: Session
) -> None:
    model = factories.maturity_model(db)
    assessment = factories.assessment(db, org.team, model, period="2026-Q3", level=2, submitted=True)
    db.commit()
    sign_in(client, org.viewer.email)
    url = f"/reports/assessment/{assessment.id}.pdf?lang=en"
    first, second = client.get(url), client.get(url)
    assert (first.headers["X-Hoshin-Cache"], second.headers["X-Hoshin-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert client.get(url.replace("lang=en", "lang=ja")).headers["X-Hoshin-Cache"] == "miss"
    answer = db.scalars(select(Answer).where(Answer.assessment_id == assessment.id)).first()
    assert answer is not None
    answer.note = "changed since the last download"
    db.commit()
    changed = client.get(url)
    assert changed.headers["X-Hoshin-Cache"] == "miss"
    assert "changed since the last download" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(changed.content)).pages
    )
    assert db.scalar(select(func.count()).select_from(CachedReport)) == 3


def test_unchanged_organisation_report_is_served_without_building_it_again_until_data_changes(
    client: TestClient, org: Org, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = generate(client, db, org)
    builds = []
    build = organisation_report.html
    monkeypatch.setattr(organisation_report, "html", lambda *a, **kw: builds.append(1) or build(*a, **kw))
    url = "/reports/organisation.pdf?lang=en"
    first = client.get(url)
    assert (first.headers["X-Hoshin-Cache"], len(builds)) == ("miss", 1)
    client.get(f"/teams/{org.team.id}")  # reading changes nothing
    again = client.get(url)
    assert (again.headers["X-Hoshin-Cache"], len(builds), again.content) == ("hit", 1, first.content)
    assert tick(client, org.team.id, first_entry(items)).status_code == 200
    after_tick = client.get(url)
    assert (after_tick.headers["X-Hoshin-Cache"], len(builds)) == ("miss", 2)
    assert _text(after_tick.content) != _text(first.content)
    assert client.get(url.replace("en", "ja")).headers["X-Hoshin-Cache"] == "miss"


def test_a_change_elsewhere_builds_the_html_again_and_still_finds_the_stored_pdf(
    client: TestClient, org: Org, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(client, db, org)
    url = "/reports/organisation.pdf?lang=en"
    assert client.get(url).headers["X-Hoshin-Cache"] == "miss"
    builds = []
    build = organisation_report.html
    monkeypatch.setattr(organisation_report, "html", lambda *a, **kw: builds.append(1) or build(*a, **kw))
    other = factories.team(db, org.organisation, "Not visible to the manager")
    db.commit()
    response = client.get(url)
    assert (response.headers["X-Hoshin-Cache"], len(builds)) == ("hit", 1)
    assert other.name not in _text(response.content)


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
