"""Japanese pages and PDFs use Japanese punctuation: no ASCII `, . : ( )` against Japanese text (the
rule: tests/i18n/punctuation.py). Checked on the demo organisation, read in Japanese by an admin."""

from __future__ import annotations

import re
import subprocess

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import demo
from app.models import Assessment, Team, User
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.i18n.punctuation import page_text, problems

JA = {"Accept-Language": "ja"}
ADMIN_PAGES = ["/", "/dashboard", "/account", "/admin/users", "/admin/teams", "/admin/audit", "/admin/models"]
ADMIN_PAGES += ["/admin/targets", "/admin/transfer", "/reports/organisation"]
TEAM_PAGES = ["", "/raci", "/assessments", "/roadmap", "/roadmap/action-plan", "/roadmap/versions", "/okrs"]
ASSESSMENT_PAGES = ["/assessments/{id}", "/assessments/{id}/results", "/reports/assessment/{id}"]


def _demo(client: TestClient, db: Session) -> tuple[list[Team], str]:
    """The demo organisation, an admin signed in, and the first team's suggested OKRs adopted (with the
    page that says so)."""
    demo.load(db, organisation_name="Demo")
    act_as(client, db, db.scalars(select(User).where(User.role == "admin")).first())
    teams = list(db.scalars(select(Team).order_by(Team.id)))
    adopted = client.post(
        f"/teams/{teams[0].id}/okrs/adopt", data={"csrf_token": csrf_token(client)}, headers=JA
    )
    assert adopted.status_code == 303
    return teams, client.get(adopted.headers["location"], headers=JA).text


def _pages(db: Session, teams: list[Team]) -> list[str]:
    urls = list(ADMIN_PAGES)
    for team in teams:
        urls += [f"/teams/{team.id}{page}" for page in TEAM_PAGES]
        urls += [f"/reports/teams/{team.id}/roadmap", f"/reports/teams/{team.id}/action-plan"]
    for assessment_id in db.scalars(select(Assessment.id).order_by(Assessment.id).limit(4)):
        urls += [page.format(id=assessment_id) for page in ASSESSMENT_PAGES]
    return urls


def test_japanese_pages_have_no_ascii_punctuation_in_japanese_text(client: TestClient, db: Session) -> None:
    teams, adopted = _demo(client, db)
    assert "に採用しました" in adopted  # the adoption's message, with its list of quarters
    found = {"after adopting": problems(page_text(adopted))}
    urls = _pages(db, teams)
    for url in urls:
        response = client.get(url, headers=JA)
        assert response.status_code in (200, 409), url  # 409: a demo team without a roadmap yet
        assert re.search(r'<html lang="ja"', response.text), url
        found[url] = problems(page_text(response.text))
    assert {url: bad for url, bad in found.items() if bad} == {}
    assert len(urls) > 30


def test_japanese_pdfs_have_no_ascii_punctuation_in_japanese_text(client: TestClient, db: Session) -> None:
    teams, _ = _demo(client, db)
    assessment_id = db.scalars(select(Assessment.id).order_by(Assessment.id)).first()
    found = {}
    for url in [
        f"/reports/teams/{teams[0].id}/roadmap.pdf?lang=ja",
        f"/reports/teams/{teams[0].id}/action-plan.pdf?lang=ja",
        "/reports/organisation.pdf?lang=ja",
        f"/reports/assessment/{assessment_id}.pdf?lang=ja",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        )
        found[url] = problems(text.stdout.decode())
    assert {url: bad for url, bad in found.items() if bad} == {}


def test_the_rule_flags_ascii_marks_against_japanese_and_spares_urls_numbers_and_latin_names() -> None:
    for bad in ("(不在). ", "結果: Recommendations", "項目A, 項目B", "担当 : 佐藤", "完了."):
        assert problems(bad), bad
    for fine in (
        "https://example.com/a.b",
        "スコア 2.5 です",
        "MLflow, Git を接続",
        "Alert (minutes) の進捗",
        "1. 監視",
    ):
        assert problems(fine) == [], fine
