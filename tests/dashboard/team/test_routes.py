"""A team's dashboard and the answer-level diff between two of its assessments, through HTTP."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Assessment, Team
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.dashboard.conftest import quarters
from tests.factories import Org


def _cells(row_html: str) -> list[str]:
    return re.findall(r'<td class="num">(?:<span class="dash-level">)?([^<]*)', row_html)


def _row(html: str, name: str) -> str:
    return html.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]


def test_team_page_shows_each_areas_level_quarter_by_quarter_with_the_chart(
    client: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db, "playbook-base")
    quarters(db, org.team, model, {"2026-Q1": 1, "2026-Q2": 2, "2026-Q3": 2})
    db.commit()
    sign_in(client, org.viewer.email)
    response = client.get(f"/dashboard/teams/{org.team.id}")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Trend of Vision</h1>" in html
    assert 'class="area-chart" role="img" aria-label="Level by area of Vision, by quarter"' in html
    table = html.split('id="team-trend-table"')[1].split("</table>")[0]
    assert _cells(_row(table, "Data management")) == ["1.0", "2.0", "2.0", "3"]  # the last: its target
    assert "↑ +1.0" in _row(table, "Overall")
    first = db.query(Assessment).filter_by(team_id=org.team.id, period="2026-Q1").one()
    assert f'href="http://testserver/assessments/{first.id}/results">2026-Q1</a>' in table


def test_team_page_filters_quarters_and_shows_a_bad_quarter_beside_its_field(
    client: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db, "playbook-base")
    quarters(db, org.team, model, {"2026-Q1": 1, "2026-Q2": 2, "2026-Q3": 3})
    db.commit()
    sign_in(client, org.manager.email)
    html = client.get(f"/dashboard/teams/{org.team.id}?since=2026-Q2").text
    table = html.split('id="team-trend-table"')[1].split("</table>")[0]
    assert "2026-Q1</a>" not in table
    assert _cells(_row(table, "Data management")) == ["2.0", "3.0", "3"]
    bad = client.get(f"/dashboard/teams/{org.team.id}?until=Q3")
    assert bad.status_code == 422
    assert '<div class="field-error" id="until-error">Write the period as year and quarter' in bad.text
    nothing = client.get(f"/dashboard/teams/{org.team.id}?since=2027-Q1")
    assert "No submitted assessments in these quarters" in nothing.text


def test_team_page_without_submitted_assessments_says_how_to_start(
    client: TestClient, db: Session, org: Org
) -> None:
    factories.assessment(db, org.team, factories.maturity_model(db), period="2026-Q3", level=2)  # a draft
    db.commit()
    sign_in(client, org.member.email)
    html = client.get(f"/dashboard/teams/{org.team.id}").text
    assert "No submitted assessments yet" in html
    assert f'href="http://testserver/teams/{org.team.id}/assessments"' in html
    assert "A comparison needs two assessments of this team." in html


def test_team_page_offers_the_teams_models_and_shows_the_one_asked_for(
    client: TestClient, db: Session, org: Org
) -> None:
    base, full = factories.maturity_model(db, "playbook-base"), factories.maturity_model(db, "mlops-full")
    quarters(db, org.team, base, {"2026-Q1": 1, "2026-Q2": 2})
    quarters(db, org.team, full, {"2026-Q3": 3})
    db.commit()
    sign_in(client, org.manager.email)
    html = client.get(f"/dashboard/teams/{org.team.id}").text
    assert '<option value="mlops-full" selected>' in html  # the latest assessment's model
    html = client.get(f"/dashboard/teams/{org.team.id}?model=playbook-base").text
    assert '<option value="playbook-base" selected>' in html
    assert "2 quarters" in html


def test_another_teams_trend_is_hidden(client: TestClient, db: Session, org: Org) -> None:
    quarters(db, org.team, factories.maturity_model(db), {"2026-Q1": 1})
    db.commit()
    sign_in(client, org.outsider.email)
    assert client.get(f"/dashboard/teams/{org.team.id}").status_code == 404


def _two_quarters_answered_in_the_browser(client: TestClient, db: Session, org: Org) -> tuple[int, int]:
    """2026-Q2 submitted at level 1; 2026-Q3 started from it, two answers changed by two people, submitted."""
    model = factories.maturity_model(db, "playbook-base")
    first = factories.assessment(
        db, org.team, model, period="2026-Q2", level=1, submitted=True, by=org.manager
    )
    db.commit()
    sign_in(client, org.manager.email)
    started = client.post(
        f"/teams/{org.team.id}/assessments",
        data={
            "model": "playbook-base",
            "period": "2026-Q3",
            "copy_last": "true",
            "csrf_token": csrf_token(client),
        },
    )
    second = int(started.headers["location"].rstrip("/").rsplit("/", 1)[-1])
    for who, question, choice in (
        (org.member, "data-versioning", "automatic"),
        (org.manager, "data-versioning", "lineage"),
        (org.manager, "data-quality", "none"),
    ):
        sign_in(client, who.email)
        page = client.get(f"/assessments/{second}").text
        version = re.search(rf'id="v-{question}" value="(\d+)"', page)
        assert version
        saved = client.post(
            f"/assessments/{second}/answers/{question}",
            data={"choice": choice, "version": version.group(1), "csrf_token": csrf_token(client)},
        )
        assert saved.status_code in (200, 303), saved.text
    sign_in(client, org.manager.email)
    assert (
        client.post(f"/assessments/{second}/submit", data={"csrf_token": csrf_token(client)}).status_code
        == 303
    )
    return first.id, second


def test_diff_lists_the_changed_answers_their_levels_and_who_changed_them(
    client: TestClient, db: Session, org: Org
) -> None:
    first, second = _two_quarters_answered_in_the_browser(client, db, org)
    sign_in(client, org.viewer.email)
    response = client.get(f"/dashboard/teams/{org.team.id}/diff?from={first}&to={second}")
    assert response.status_code == 200
    html = response.text
    assert "2 answers changed" in html
    assert "1 level up · 1 level down · 10 answers the same" in html
    answers = html.split('id="diff-answers"')[1].split("</table>")[0]
    versioning = answers.split("</tr>")[1]
    assert "Data versioning" in versioning
    assert "↑ +3" in versioning or "↑ +3.0" in versioning
    assert org.manager.name in versioning
    assert f"Also changed by {org.member.name}" in versioning
    quality = next(r for r in answers.split("</tr>") if "Data quality" in r)
    assert "↓" in quality
    levels = html.split('id="diff-levels"')[1].split("</table>")[0]
    assert "Data management" in levels
    assert "2026-Q2 → 2026-Q3" in html


def test_the_diff_form_offers_the_last_two_quarters_from_the_team_page(
    client: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db, "playbook-base")
    quarters(db, org.team, model, {"2026-Q1": 1, "2026-Q2": 2, "2026-Q3": 3})
    db.commit()
    sign_in(client, org.manager.email)
    html = client.get(f"/dashboard/teams/{org.team.id}").text
    ids = {a.period: a.id for a in db.query(Assessment).filter_by(team_id=org.team.id)}
    form = html.split('id="diff-from"')[1]
    assert f'<option value="{ids["2026-Q2"]}" selected>2026-Q2' in form.split("</select>")[0]
    assert f'<option value="{ids["2026-Q3"]}" selected>2026-Q3' in form.split('id="diff-to"')[1]
    diff = client.get(f"/dashboard/teams/{org.team.id}/diff?from={ids['2026-Q1']}&to={ids['2026-Q3']}").text
    assert "12 answers changed" in diff
    assert "12 levels up" in diff


def test_diff_refuses_another_teams_assessment_and_the_same_one_twice_beside_the_field(
    client: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db, "playbook-base")
    mine = factories.assessment(db, org.team, model, period="2026-Q2", level=1, submitted=True)
    theirs = factories.assessment(db, org.other_team, model, period="2026-Q2", level=3, submitted=True)
    db.commit()
    sign_in(client, org.manager.email)
    response = client.get(f"/dashboard/teams/{org.team.id}/diff?from={mine.id}&to={theirs.id}")
    assert response.status_code == 422
    assert (
        '<div class="field-error" id="to-error">Pick one of this team&#39;s assessments.</div>'
        in response.text
    )
    assert "Search" not in response.text
    same = client.get(f"/dashboard/teams/{org.team.id}/diff?from={mine.id}&to={mine.id}")
    assert same.status_code == 422
    assert "Pick two different assessments." in same.text
    empty = client.get(f"/dashboard/teams/{org.team.id}/diff?from=&to=x")
    assert empty.status_code == 422
    assert 'id="from-error"' in empty.text


def test_diff_escapes_names_and_speaks_japanese(client: TestClient, db: Session, org: Org) -> None:
    team = db.get(Team, org.team.id)
    assert team is not None
    team.name = "<i>Vision</i>"
    model = factories.maturity_model(db, "playbook-base")
    a = factories.assessment(db, org.team, model, period="2026-Q2", level=1, submitted=True, by=org.member)
    b = factories.assessment(db, org.team, model, period="2026-Q3", level=2, submitted=True, by=org.member)
    db.commit()
    sign_in(client, org.manager.email)
    html = client.get(
        f"/dashboard/teams/{org.team.id}/diff?from={a.id}&to={b.id}", headers={"Accept-Language": "ja"}
    ).text
    assert "<i>Vision</i>" not in html
    assert "&lt;i&gt;Vision&lt;/i&gt; の回答の変化" in html
    assert "12 件の回答が変わりました" in html
    assert "データ管理" in html
