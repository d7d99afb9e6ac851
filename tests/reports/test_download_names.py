"""Downloads are named after the team as it is written, Japanese included (RFC 6266 `filename*`, with
an ASCII `filename` beside it): report PDFs and roadmap exports alike."""

from __future__ import annotations

from urllib.parse import unquote

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import Org
from tests.roadmap.test_routes import _generate


def _names(response: object) -> tuple[str, str]:
    """The (UTF-8, ASCII) file names a response's Content-Disposition gives."""
    header: str = response.headers["content-disposition"]  # type: ignore[attr-defined]
    parameters = dict(part.split("=", 1) for part in header.split("; ")[1:])
    return unquote(parameters["filename*"].removeprefix("UTF-8''")), parameters["filename"].strip('"')


def test_report_pdfs_and_roadmap_exports_keep_a_japanese_team_name(
    client: TestClient, db: Session, org: Org
) -> None:
    org.team.name, org.team.slug = "推論基盤チーム", "team"  # the slug the app gives such a name
    db.commit()
    roadmap = _generate(client, db, org)
    assessment = factories.assessment(
        db, org.team, factories.maturity_model(db), period="2026-Q3", submitted=True
    )
    db.commit()
    team = org.team.id
    expected = {
        f"/reports/assessment/{assessment.id}.pdf?lang=ja": "hoshin-assessment-推論基盤チーム-2026-Q3-ja.pdf",
        f"/reports/teams/{team}/roadmap.pdf?lang=ja": "hoshin-roadmap-推論基盤チーム-ja.pdf",
        f"/reports/teams/{team}/action-plan.pdf?lang=en": "hoshin-action-plan-推論基盤チーム-en.pdf",
        f"{roadmap}.csv": "roadmap-推論基盤チーム.csv",
        f"{roadmap}.ics": "roadmap-推論基盤チーム.ics",
    }
    for url, name in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        utf8, ascii_name = _names(response)
        assert utf8 == name
        assert ascii_name == name.replace("-推論基盤チーム", "")
