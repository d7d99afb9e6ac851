"""Free text in the roadmap (custom item titles, POC candidate names) renders inert on every page,
in the Gantt chart and in the exports."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.factories import Org
from tests.roadmap.test_routes import _generate

PAYLOAD = '"\'><script>alert(1)</script><b hx-get="/sign-out" hx-trigger="load" onmouseover="x()">'


def _inert(text: str) -> None:
    assert "<script>alert(1)</script>" not in text
    assert 'hx-trigger="load"' not in text
    assert 'onmouseover="x()"' not in text


def test_custom_item_title_and_poc_name_are_escaped_everywhere(
    client: TestClient, db: Session, org: Org
) -> None:
    url = _generate(client, db, org)
    token = csrf_token(client)
    added = client.post(
        f"{url}/items",
        data={
            "title": PAYLOAD,
            "effort": "2",
            "phase": "foundation",
            "owner_role": "ml_engineer",
            "csrf_token": token,
        },
    )
    assert added.status_code == 303, added.text
    poc = client.post(
        f"{url}/poc",
        data={"name": PAYLOAD, "business_value": "5", "scope": "4", "pipeline": "yes", "csrf_token": token},
    )
    assert poc.status_code == 303, poc.text
    page = client.get(url).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;script&gt;" in page  # shown, as text
    for path in (url, f"{url}/action-plan", f"{url}/versions"):
        _inert(client.get(path).text)
    for export in ("csv", "md", "json", "ics"):
        response = client.get(f"{url}.{export}")
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
