"""Unchanged reports come from the cache (any replica's); a change in the data renders anew."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Answer, CachedReport
from tests import factories
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
