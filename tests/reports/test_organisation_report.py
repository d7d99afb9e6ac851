"""The organisation report: every team the reader may see, a table of contents with page numbers."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.maturity import service as maturity_service
from app.models import Team
from app.roadmap import service as roadmap_service
from tests import factories
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.factories import Org
from tests.reports.test_assessment_report import _fonts


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _planned_team(
    db: Session, org: Org, name: str, level: int, not_applicable: dict[str, str] | None = None
) -> Team:
    """A team with a submitted full-model assessment and a generated roadmap."""
    team = factories.team(db, org.organisation, name) if name != org.team.name else org.team
    if team is not org.team:
        factories.member(db, team, org.manager, "manager", ("product_owner",))
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, team, model, level=level, submitted=True, not_applicable=not_applicable)
    roadmap_service.generate_for_team(db, team=team, user=org.manager, now=datetime(2026, 11, 2, tzinfo=UTC))
    db.commit()
    return team


def test_organisation_pdf_has_every_team_and_a_contents_page_with_right_page_numbers(
    client: TestClient, db: Session, org: Org
) -> None:
    _planned_team(db, org, org.team.name, level=1)
    second = _planned_team(db, org, "Search Ranking", level=2)
    act_as(client, db, org.admin)
    response = client.get("/reports/organisation.pdf?lang=en")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pages = _pages(response.content)
    assert "Organisation report" in pages[0]
    assert "Contents" in pages[0]
    for team in (org.team, second):
        entry = re.search(rf"^{re.escape(team.name)}\s*\.*\s*(\d+)\s*$", pages[0], re.MULTILINE)
        assert entry, (team.name, pages[0])
        starts = int(entry.group(1))
        # The team's section starts on that page: its name is the first line under the running header.
        assert team.name in pages[starts - 1].splitlines()[:4], (team.name, starts)
        assert "Executive summary" in pages[starts - 1]
    assert "All teams at a glance" in "\n".join(pages[:3])
    assert any("OKR status" in p for p in pages)
    assert any("Who does what (RACI)" in p for p in pages)
    assert org.other_team.name in pages[1]
    assert "no roadmap" in pages[1]


def test_organisation_pdf_in_japanese_embeds_only_the_bundled_font(
    client: TestClient, db: Session, org: Org
) -> None:
    _planned_team(db, org, org.team.name, level=1)
    act_as(client, db, org.viewer)
    response = client.get("/reports/organisation.pdf?lang=ja")
    assert response.status_code == 200
    text = "\n".join(_pages(response.content))
    for expected in ("組織レポート", "目次", "全チームの概況", "エグゼクティブサマリー", org.team.name):
        assert expected in text, expected
    fonts = _fonts(response.content)
    assert any("JP" in name for name in fonts), fonts
    assert all(name.startswith("Report-") for name in fonts), fonts


def test_a_manager_sees_only_the_teams_they_belong_to(client: TestClient, db: Session, org: Org) -> None:
    _planned_team(db, org, org.team.name, level=1)
    act_as(client, db, org.outsider)  # manages the other team only
    page = client.get("/reports/organisation").text
    assert org.other_team.name in page
    assert org.team.name not in page


def test_team_names_are_escaped_in_the_page(client: TestClient, db: Session, org: Org) -> None:
    org.other_team.name = '<img src="http://127.0.0.1:9/x">Ops'
    db.commit()
    act_as(client, db, org.admin)
    page = client.get("/reports/organisation").text
    assert '<img src="http://127.0.0.1:9/x">' not in page
    assert "&lt;img src=" in page


def test_an_unchanged_report_is_served_from_the_cache(client: TestClient, db: Session, org: Org) -> None:
    _planned_team(db, org, org.team.name, level=1)
    act_as(client, db, org.admin)
    first = client.get("/reports/organisation.pdf?lang=en")
    second = client.get("/reports/organisation.pdf?lang=en")
    assert (first.headers["x-hoshin-cache"], second.headers["x-hoshin-cache"]) == ("miss", "hit")
    assert first.content == second.content


def test_the_report_page_query_count_does_not_grow_with_the_number_of_teams(
    client: TestClient, db: Session, org: Org, engine: Engine
) -> None:
    _planned_team(db, org, org.team.name, level=1)
    act_as(client, db, org.admin)
    counts = []
    for names in (["North"], ["South", "East", "West"]):
        for name in names:
            _planned_team(db, org, name, level=2)
        with counting(engine) as statements:
            assert client.get("/reports/organisation").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_overview_never_names_a_not_applicable_capability_the_biggest_gap(
    client: TestClient, db: Session, org: Org
) -> None:
    serving = ("progressive-delivery", "serving-infrastructure", "rollback")
    why = dict.fromkeys(serving, "Forecasts are weekly files: nothing is served.")
    _planned_team(db, org, org.team.name, level=1, not_applicable=why)
    act_as(client, db, org.admin)
    pages = _pages(client.get("/reports/organisation.pdf?lang=en").content)
    overview = next(p for p in pages if "Biggest gap" in p).split("Biggest gap")[1].split("Level by area")[0]
    overview = " ".join(overview.split())  # a name may wrap in its column
    assert "Alerting and incident" in overview  # level 1 against 3 everywhere: the first capability by id
    assert "Progressive" not in overview
    assert "Rollback" not in overview
    whole = " ".join(" ".join(pages).split())
    assert (
        "Progressive delivery: canary, shadow, A/B — Forecasts are weekly files: nothing is served." in whole
    )


def test_an_area_that_does_not_apply_is_not_counted_below_target_nor_given_a_level(
    client: TestClient, db: Session, org: Org
) -> None:
    model = maturity_service.parsed(factories.maturity_model(db, "mlops-full"))
    deployment = next(d for d in model.dimensions if d.id == "deployment")
    questions = [q.id for c in deployment.capabilities for q in c.questions]
    _planned_team(db, org, org.team.name, level=1, not_applicable=dict.fromkeys(questions, "Batch only."))
    act_as(client, db, org.admin)
    pages = _pages(client.get("/reports/organisation.pdf?lang=en").content)
    overview = next(p for p in pages if "Biggest gap" in p)
    assert re.search(r"^1\.0 4 0%", overview, re.MULTILINE), overview  # level, areas below target, progress
    comparison = overview.split("Level by area")[1]
    assert re.search(r"^Vision 1\.0 / 3 1\.0 / 3 not applicable 1\.0 / 3 1\.0 / 3$", comparison, re.MULTILINE)


def test_a_team_assessed_with_another_model_has_its_own_level_by_area_table(
    client: TestClient, db: Session, org: Org
) -> None:
    _planned_team(db, org, org.team.name, level=1)
    _planned_team(db, org, "North", level=2)
    base = factories.maturity_model(db, "playbook-base")
    factories.assessment(db, org.other_team, base, period="2026-Q3", level=3, submitted=True)
    db.commit()
    act_as(client, db, org.admin)
    page = client.get("/reports/organisation").text
    full = factories.maturity_model(db, "mlops-full")
    assert list(re.findall(r"<h3>Level by area \((.*?)\)</h3>", page)) == [
        full.name_en,
        base.name_en,
    ]
    by_model = dict(
        zip(
            (full.name_en, base.name_en),
            re.findall(r"<table class=\"compare fixed\">.*?</table>", page, re.S),
            strict=True,
        )
    )
    assert org.other_team.name in by_model[base.name_en]
    assert org.other_team.name not in by_model[full.name_en]
    assert org.team.name in by_model[full.name_en]
    glance = page[page.index('id="overview"') : page.index("Level by area")]
    assert f"{base.name_en} · 2026-Q3" in glance  # the model of the maturity shown beside the team


def test_the_summary_edition_has_the_teams_side_by_side_and_no_section_per_team(
    client: TestClient, db: Session, org: Org
) -> None:
    _planned_team(db, org, org.team.name, level=1)
    _planned_team(db, org, "Search Ranking", level=2)
    act_as(client, db, org.admin)
    page = client.get("/reports/organisation?edition=summary").text
    assert "<h1>Organisation report: summary</h1>" in page
    assert "All teams at a glance" in page
    assert "Search Ranking" in page
    assert 'class="team-section"' not in page
    assert "This is the summary edition" in page
    assert 'href="http://testserver/reports/organisation.pdf?lang=en&amp;edition=summary"' in page
    full = client.get("/reports/organisation").text
    assert 'class="team-section"' in full
    assert 'href="http://testserver/reports/organisation?lang=en&amp;edition=summary"' in full


def test_the_summary_pdf_is_shorter_than_the_full_one_in_each_language(
    client: TestClient, db: Session, org: Org
) -> None:
    _planned_team(db, org, org.team.name, level=1)
    _planned_team(db, org, "Search Ranking", level=2)
    act_as(client, db, org.viewer)
    for lang, title in (("en", "Organisation report: summary"), ("ja", "組織レポート（要約版）")):
        summary = client.get(f"/reports/organisation.pdf?lang={lang}&edition=summary")
        assert summary.status_code == 200
        assert f"hoshin-organisation-summary-{lang}.pdf" in summary.headers["content-disposition"]
        full = client.get(f"/reports/organisation.pdf?lang={lang}")
        summary_pages, full_pages = _pages(summary.content), _pages(full.content)
        assert title in summary_pages[0]
        assert len(summary_pages) < len(full_pages)
        assert "Search Ranking" in "\n".join(summary_pages)


def test_an_unknown_edition_is_refused(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    response = client.get("/reports/organisation?edition=everything")
    assert response.status_code == 422
    assert "edition" in response.text


def test_a_team_without_a_roadmap_shows_why_its_capabilities_do_not_apply_from_its_assessment(
    client: TestClient, db: Session, org: Org
) -> None:
    # no roadmap: the report reads the reasons from the answers themselves (not loaded with the assessment)
    model = factories.maturity_model(db, "mlops-full")
    why = dict.fromkeys(
        ("progressive-delivery", "rollback"), "Forecasts are weekly files: nothing is served."
    )
    factories.assessment(db, org.team, model, level=1, submitted=True, not_applicable=why)
    db.commit()
    act_as(client, db, org.admin)
    page = " ".join(client.get("/reports/organisation?lang=en").text.split())
    assert "Progressive delivery: canary, shadow, A/B" in page
    assert "Forecasts are weekly files: nothing is served." in page


def test_the_full_page_shows_ten_teams_sections_a_page_and_links_every_team_to_its_page(
    client: TestClient, db: Session, org: Org
) -> None:
    # the demo's two teams and ten more: 12 teams, sorted by name as the report lists them
    for n in range(10):
        factories.team(db, org.organisation, f"Team {n:02d}")
    db.commit()
    act_as(client, db, org.admin)
    first = client.get("/reports/organisation?lang=en").text
    sections = re.findall(r'<h2 class="team-name" id="team-(\d+)">', first)
    assert len(sections) == 10
    names = re.findall(
        r'<section class="team-section">\s*<h2 class="team-name" id="team-\d+">([^<]+)</h2>', first
    )
    listed = re.findall(r'<tr>\s*<td><a href="[^"]*#team-(\d+)">', first)
    assert len(listed) == 12  # the table at a glance has every team
    last_two = listed[10:]
    for team_id in last_two:  # their sections are on page 2, and the links say so
        assert f'/reports/organisation?lang=en&amp;page=2#team-{team_id}"' in first
    assert f'href="#team-{listed[0]}"' in first  # this page's sections by their anchor
    assert "Sections of teams 1–10 of 12, 10 teams a page" in first
    assert '/reports/organisation?lang=en&page=2#sections" rel="next"' in first
    second = client.get("/reports/organisation?lang=en&page=2").text
    assert re.findall(r'<h2 class="team-name" id="team-(\d+)">', second) == last_two
    assert "Sections of teams 11–12 of 12" in second
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    assert set(names).isdisjoint(re.findall(r'<h2 class="team-name" id="team-\d+">([^<]+)</h2>', second))
    # past the last page: the last page; not a page number: refused
    assert re.findall(r'id="team-(\d+)">', client.get("/reports/organisation?page=99").text)[-2:] == last_two
    assert client.get("/reports/organisation?page=0").status_code == 422
    # the PDF has every section
    whole = " ".join(" ".join(_pages(client.get("/reports/organisation.pdf?lang=en").content)).split())
    assert all(f"Team {n:02d}" in whole for n in range(10))
    assert whole.count("No roadmap yet") == 12
