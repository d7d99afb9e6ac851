"""Script and attribute-breaking text in answers' notes, reasons and evidence links renders inert."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.factories import Org

PAYLOAD = '"\'><script>alert(1)</script><b hx-get="/sign-out" hx-trigger="load" onmouseover="x()">'


def test_payloads_in_answer_fields_are_escaped_on_every_page(
    client: TestClient, org: Org, db: Session
) -> None:
    model = factories.maturity_model(db)
    draft = factories.assessment(db, org.team, model, period="2026-Q4")
    db.commit()
    sign_in(client, org.member.email)
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}
    link = "https://example.com/" + PAYLOAD.replace(" ", "%20")
    saved = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        headers=headers,
        data={"choice": "automatic", "version": "0", "note": PAYLOAD, "evidence": link},
    )
    assert saved.status_code == 200, saved.text
    client.post(
        f"/assessments/{draft.id}/answers/rollback",
        headers=headers,
        data={"choice": "__na__", "na_reason": PAYLOAD, "version": "0"},
    )
    for url in (f"/assessments/{draft.id}", f"/assessments/{draft.id}/results"):
        page = client.get(url).text
        assert "<script>alert(1)</script>" not in page
        assert 'hx-trigger="load"' not in page
        assert 'onmouseover="x()"' not in page
    questionnaire = client.get(f"/assessments/{draft.id}").text
    assert (
        html.escape(PAYLOAD, quote=False) in questionnaire
        or "&lt;script&gt;alert(1)&lt;/script&gt;" in questionnaire
    )


def test_javascript_and_data_links_are_refused_as_evidence(client: TestClient, org: Org, db: Session) -> None:
    model = factories.maturity_model(db)
    draft = factories.assessment(db, org.team, model, period="2026-Q4")
    db.commit()
    sign_in(client, org.member.email)
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}
    for link in (
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>x</script>",
        "vbscript:x",
    ):
        response = client.post(
            f"/assessments/{draft.id}/answers/data-versioning",
            headers=headers,
            data={"choice": "automatic", "version": "0", "evidence": link},
        )
        assert response.status_code == 422, link
        assert 'href="javascript' not in response.text.lower()
