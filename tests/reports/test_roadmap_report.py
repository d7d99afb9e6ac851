"""The roadmap report and the 3-month action plan, as PDFs in both languages."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.catalogue.loader import builtin_catalogue
from app.kit.time import utcnow
from app.models import Membership
from app.models.roadmap import Roadmap
from app.okrs import adopt
from app.okrs import service as okrs_service
from app.roadmap import service as roadmap_service
from app.teams.roles import RECOMMENDED
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.reports.test_assessment_report import _fonts
from tests.roadmap.test_routes import _generate


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    ("lang", "title", "section"),
    [("en", "Roadmap report", "Phase by phase"), ("ja", "ロードマップレポート", "フェーズ別の詳細")],
)
def test_roadmap_report_has_summary_gantt_phases_and_team_in_each_language(
    client: TestClient, db: Session, org: Org, lang: str, title: str, section: str
) -> None:
    url = _generate(client, db, org)
    token = csrf_token(client)
    client.post(
        f"{url}/items",
        data={
            "title": "Pilot with the fraud team",
            "effort": "2",
            "phase": "foundation",
            "owner_role": "ml_engineer",
            "csrf_token": token,
        },
    )
    response = client.get(f"/reports/teams/{org.team.id}/roadmap.pdf?lang={lang}")
    assert response.status_code == 200
    text = _text(response.content)
    for expected in (title, section, org.team.name, "Pilot with the fraud team", org.manager.name):
        assert expected in text
    fonts = _fonts(response.content)
    assert all(name.startswith("Report-") for name in fonts), fonts


def test_action_plan_pdf_names_the_people_who_hold_each_owner_role(
    client: TestClient, db: Session, org: Org
) -> None:
    db.execute(
        update(Membership)
        .where(Membership.team_id == org.team.id, Membership.user_id == org.member.id)
        .values(team_roles=list(RECOMMENDED))
    )
    db.commit()
    _generate(client, db, org)
    response = client.get(f"/reports/teams/{org.team.id}/action-plan.pdf?lang=en")
    assert response.status_code == 200
    text = _text(response.content)
    assert "3-month action plan" in text
    assert "The first three months" in text
    assert "Owner" in text
    assert org.member.name in text  # the action plan has no team section: only the owner column names them


def test_team_without_a_roadmap_is_told_to_generate_one(client: TestClient, db: Session, org: Org) -> None:
    _generate(client, db, org)  # signs in as the team's manager
    db.execute(delete(Roadmap).where(Roadmap.team_id == org.team.id))
    db.commit()
    response = client.get(f"/reports/teams/{org.team.id}/roadmap.pdf")
    assert response.status_code == 409
    assert "no roadmap yet" in response.text


def test_unknown_report_kind_is_refused(client: TestClient, db: Session, org: Org) -> None:
    _generate(client, db, org)
    assert client.get(f"/reports/teams/{org.team.id}/secrets.pdf").status_code in (404, 422)


def test_the_raci_section_shows_the_same_default_letters_as_the_teams_raci_page(
    client: TestClient, db: Session, org: Org
) -> None:
    _generate(client, db, org)
    page = client.get(f"/reports/teams/{org.team.id}/roadmap?lang=en").text
    section = page[page.index('<table class="raci') :]
    section = section[: section.index("</table>")]
    columns = re.findall(r'<th class="letter">([^<]*)</th>', section)
    roles = {r.name.en: r.id for r in builtin_catalogue().roles}
    capabilities = {c.name.en: c for c in builtin_catalogue().capabilities}
    rows = re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", section)
    assert rows
    for title, cells in rows:
        letters = re.findall(r'<td class="letter[^"]*">([^<]*)</td>', cells)
        shown = {roles[name]: letter for name, letter in zip(columns, letters, strict=True) if letter}
        expected = {role: str(letter) for role, letter in capabilities[title].raci.items()}
        assert shown == expected, title


NO_LIVE_TRAFFIC = {"progressive-delivery": "Forecasts are weekly files: there is no live traffic to split."}


@pytest.mark.parametrize(
    ("lang", "gaps", "plan", "name", "heading"),
    [
        (
            "en",
            "The three biggest gaps",
            "The plan in four phases",
            "Progressive delivery",
            "Not applicable to this team",
        ),
        (
            "ja",
            "最も大きい 3 つのギャップ",
            "4 つのフェーズの計画",
            "段階的リリース",
            "このチームには該当しない",
        ),
    ],
)
def test_a_not_applicable_capability_is_no_gap_in_the_report_but_listed_with_its_reason(
    client: TestClient, db: Session, org: Org, lang: str, gaps: str, plan: str, name: str, heading: str
) -> None:
    _generate(client, db, org, not_applicable=NO_LIVE_TRAFFIC)
    text = _text(client.get(f"/reports/teams/{org.team.id}/roadmap.pdf?lang={lang}").content)
    biggest = text.split(gaps)[1].split(plan)[0]
    assert name not in biggest
    listed = text.split(heading)[1]
    assert name in listed
    assert "Forecasts are weekly files: there is no live traffic to split." in " ".join(listed.split())


def test_report_shows_the_okrs_of_the_quarter_the_plan_is_in_not_the_calendars(
    client: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    later = utcnow() + timedelta(days=200)  # a plan that starts two quarters from now
    roadmap_service.generate_for_team(db, team=org.team, user=org.manager, now=later)
    adopt.adopt(db, team=org.team, locale="en", user=org.manager)
    db.commit()
    first = okrs_service.current_period(date(later.year, later.month, 1))
    [objective, *_] = okrs_service.team_status(db, team_ids=[org.team.id], period=first)[org.team.id]
    act_as(client, db, org.manager)

    html = client.get(f"/reports/teams/{org.team.id}/roadmap").text

    assert f"OKR status, {first}" in html
    assert objective.title in html
    assert "suggested, not adopted yet" not in html


@pytest.mark.parametrize(("lang", "name"), [("en", "name_en"), ("ja", "name_ja")])
@pytest.mark.parametrize("kind", ["roadmap", "action-plan"])
def test_both_pdfs_name_every_assessment_the_plan_is_based_on(
    client: TestClient, db: Session, org: Org, lang: str, name: str, kind: str
) -> None:
    from tests import factories
    from tests.roadmap.test_sources import _full_then_base_with_a_drop, _generate

    _full_then_base_with_a_drop(client, db, org)
    _generate(client, org)
    text = "".join(_text(client.get(f"/reports/teams/{org.team.id}/{kind}.pdf?lang={lang}").content).split())
    for slug, period in (("playbook-base", "2026-Q3"), ("mlops-full", "2026-Q2")):
        expected = f"{getattr(factories.maturity_model(db, slug), name)}·{period}"
        assert "".join(expected.split()) in text  # lines wrap anywhere in Japanese: compare without spaces
