"""The leadership dashboard, through HTTP: who sees which teams, the figures, sorting and the empty state."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Team
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.dashboard.conftest import objective, quarters, roadmap_with_progress
from tests.factories import Org


def _rows(html: str) -> list[str]:
    """Team names of the quarter table's rows, in order."""
    table = html.split('id="quarters-h"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row" class="dash-team">\s*<a href="[^"]+">([^<]+)</a>', table)


def _two_teams(db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "playbook-base")
    quarters(db, org.team, model, {"2026-Q1": 1, "2026-Q2": 2, "2026-Q3": 3})
    quarters(db, org.other_team, model, {"2026-Q2": 2, "2026-Q3": 1})
    db.commit()


def test_dashboard_shows_levels_by_quarter_with_the_change_in_arrows_and_numbers(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get("/dashboard").text
    assert _rows(html) == ["Search", "Vision"]
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        assert f'<th scope="col" class="num">{period}</th>' in html
    assert "↑ +1.0" in html  # Vision, quarter on quarter
    assert "↓ −1.0" in html  # Search fell back
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="trend"' in html
    assert "Overall level of Vision by quarter: 2026-Q1 1.0, 2026-Q2 2.0, 2026-Q3 3.0" in html


def test_dashboard_links_to_the_organisation_report(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.manager.email)
    html = client.get("/dashboard").text
    assert 'href="http://testserver/reports/organisation"' in html


def test_team_manager_sees_only_their_own_team(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.manager.email)
    html = client.get("/dashboard").text
    assert _rows(html) == ["Vision"]
    assert "Search" not in html


def test_manager_of_another_team_does_not_see_this_one(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.outsider.email)
    html = client.get("/dashboard").text
    assert _rows(html) == ["Search"]
    assert "Vision" not in html


def test_installation_viewer_sees_every_team(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    # the viewer is in Vision (as a viewer) but reads every team as leadership
    sign_in(client, org.viewer.email)
    assert _rows(client.get("/dashboard").text) == ["Search", "Vision"]


def test_without_submitted_assessments_the_dashboard_says_what_to_do(
    client: TestClient, db: Session, org: Org
) -> None:
    factories.assessment(db, org.team, factories.maturity_model(db), period="2026-Q3", level=2)  # a draft
    db.commit()
    sign_in(client, org.manager.email)
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert "No submitted assessments yet" in response.text
    assert "starts one from the team" in response.text
    assert 'id="quarters-h"' not in response.text


def test_dashboard_needs_sign_in(client: TestClient) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


def test_model_picker_defaults_to_the_model_most_teams_use_and_switches(
    client: TestClient, db: Session, org: Org
) -> None:
    base = factories.maturity_model(db, "playbook-base")
    full = factories.maturity_model(db, "mlops-full")
    quarters(db, org.team, base, {"2026-Q3": 2})
    quarters(db, org.other_team, base, {"2026-Q3": 1})
    quarters(db, org.team, full, {"2026-Q2": 3})
    db.commit()
    sign_in(client, org.admin.email)
    html = client.get("/dashboard").text
    assert re.search(r'<option value="playbook-base" selected>', html)
    assert "2026-Q3" in html
    assert "2026-Q2" not in html
    html = client.get("/dashboard?model=mlops-full").text
    assert re.search(r'<option value="mlops-full" selected>', html)
    assert _rows(html) == ["Search", "Vision"]  # Search is listed, not assessed with this model
    assert "2026-Q2" in html


def test_shows_only_the_last_four_quarters_but_compares_the_first_with_the_one_before(
    client: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db)
    quarters(db, org.team, model, {"2025-Q4": 0, "2026-Q1": 2, "2026-Q2": 2, "2026-Q3": 3, "2026-Q4": 4})
    db.commit()
    sign_in(client, org.manager.email)
    html = client.get("/dashboard").text
    quarters_table = html.split('id="quarters-h"')[1].split("</table>")[0]
    assert "2025-Q4" not in quarters_table
    assert "↑ +2.0" in quarters_table  # 2026-Q1 against 2025-Q4
    assert "2025-Q4</th>" in _section(html, "area-trend-table")  # the areas' trend covers every quarter


def test_sorting_by_a_column_orders_the_rows_and_marks_the_column(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get("/dashboard?sort=gap&order=desc").text
    assert _rows(html) == ["Search", "Vision"]  # Search is further from its targets
    assert (
        'aria-sort="descending"><a href="http://testserver/dashboard?model=playbook-base&amp;sort=gap&amp;order=asc"'
        in html
    )
    assert _rows(client.get("/dashboard?sort=gap&order=asc").text) == ["Vision", "Search"]
    assert _rows(client.get("/dashboard?sort=change&order=desc").text) == ["Vision", "Search"]
    assert _rows(client.get("/dashboard?sort=nonsense").text) == ["Search", "Vision"]


def test_gap_to_target_and_heat_table_use_the_teams_targets(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get("/dashboard").text
    heat = html.split('id="heat-h"')[1]
    assert 'class="num heat-cell lv-3"><span class="heat-value">3.0</span></td>' in heat  # Vision meets 3
    assert (
        'heat-cell lv-1"><span class="heat-value">1.0</span><span class="heat-target">target 3</span>' in heat
    )
    assert '2.0</span><br><span class="muted small">4 areas below target' in html  # Search: 3 - 1 everywhere
    assert "✓ on target" in html


def test_roadmap_okr_and_checklist_progress_show_per_team(client: TestClient, db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "mlops-full")
    quarters(db, org.team, model, {"2026-Q3": 1})
    roadmap_with_progress(db, org.team, org.manager)
    objective(db, org.team, confidences=(8, 5, 2), progress=0.5)
    db.commit()
    sign_in(client, org.manager.email)
    html = client.get("/dashboard").text
    assert re.search(r'<span class="dash-pct">\d+ %</span><meter', html)
    assert '<span class="dash-pct">50 %</span>' in html  # OKR progress
    assert "1 off track" in html
    assert "1 at risk" in html
    assert re.search(r"1 of \d+", html)  # one checklist entry ticked
    # the column says what it counts (the whole plan, not this quarter) and leads to the team's checklists
    assert "Checklists (whole plan)" in html
    assert "entries of the whole plan" in html
    assert f'href="http://testserver/teams/{org.team.id}/checklists"' in html
    assert f'href="http://testserver/teams/{org.team.id}/roadmap"' in html


def test_team_names_are_escaped_in_the_tables_and_the_trend(
    client: TestClient, db: Session, org: Org
) -> None:
    team = db.get(Team, org.team.id)
    assert team is not None
    team.name = '<script>alert("x")</script>'
    _two_teams(db, org)
    sign_in(client, org.manager.email)
    html = client.get("/dashboard").text
    assert "<script>alert" not in html
    assert (
        f'<a href="http://testserver/teams/{team.id}">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a>'
        in html
    )
    assert 'aria-label="Overall level of &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; by quarter' in html


def test_dashboard_speaks_japanese(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get("/dashboard", headers={"Accept-Language": "ja"}).text
    assert '<html lang="ja">' in html
    assert "ダッシュボード" in html


def test_an_area_that_does_not_apply_is_no_gap_to_target_and_has_no_heat_cell(
    client: TestClient, db: Session, org: Org
) -> None:
    model = factories.maturity_model(db, "playbook-base")
    why = "Forecasts are files; nothing runs in production."
    skipped = dict.fromkeys(("model-monitoring", "infrastructure-monitoring", "alerting"), why)
    factories.assessment(
        db, org.team, model, period="2026-Q3", level=3, submitted=True, not_applicable=skipped
    )
    db.commit()
    sign_in(client, org.admin.email)
    html = client.get("/dashboard").text
    assert "✓ on target" in html  # every area that applies is at its target of 3
    assert "area below target" not in html
    row = next(r for r in html.split('id="heat-h"')[1].split("</tr>") if ">Vision</th>" in r)
    assert '<td class="num heat-cell muted">not applicable</td>' in row
    assert "target 3" not in row


def _full_then_newer_base(db: Session, org: Org) -> None:
    """Vision: full model in 2026-Q2, then a base-framework assessment with a drop in 2026-Q3; Search:
    full model in 2026-Q2 only (so the full model is the one shown by default)."""
    full = factories.maturity_model(db, "mlops-full")
    base = factories.maturity_model(db, "playbook-base")
    quarters(db, org.team, full, {"2026-Q2": 3})
    quarters(db, org.other_team, full, {"2026-Q2": 2})
    quarters(db, org.team, base, {"2026-Q3": 1})
    db.commit()


def test_level_by_area_shows_a_newer_assessment_of_another_model_named_as_such(
    client: TestClient, db: Session, org: Org
) -> None:
    _full_then_newer_base(db, org)
    sign_in(client, org.admin.email)
    base = factories.maturity_model(db, "playbook-base")
    for headers, name in (({}, base.name_en), ({"Accept-Language": "ja"}, base.name_ja)):
        html = client.get("/dashboard", headers=headers).text
        assert re.search(r'<option value="mlops-full" selected>', html)
        heat = html.split('id="heat-h"')[1].split("</table>")[0]
        vision = heat.split(f'<th scope="row">{org.team.name}</th>')[1].split("</tr>")[0]
        assert f'2026-Q3<span class="dash-model">{name}</span>' in vision
        assert '<span class="heat-value">1.0</span>' in vision  # the drop, not 2026-Q2's 3.0
        quarters_table = html.split('id="quarters-h"')[1].split("</table>")[0]
        assert f"2026-Q3 · {name}</a>" in quarters_table  # the overall table points to it
        assert "playbook-base</" not in html


def test_the_roadmap_column_names_what_each_plan_is_based_on(
    client: TestClient, db: Session, org: Org
) -> None:
    _full_then_newer_base(db, org)
    roadmap_with_progress(db, org.team, org.manager)
    db.commit()
    sign_in(client, org.admin.email)
    full = factories.maturity_model(db, "mlops-full")
    base = factories.maturity_model(db, "playbook-base")
    html = client.get("/dashboard").text
    basis = html.split('class="dash-basis')[1].split("</td>")[0]
    assert f"{base.name_en} · 2026-Q3" in basis
    assert f"{full.name_en} · 2026-Q2" in basis


# Filters, the area trend and side-by-side comparisons


def _section(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"')[1].split("</table>")[0]


def _cells(row_html: str) -> list[str]:
    return re.findall(r'<td class="num">([^<]*)', row_html)


def _row(table: str, name: str) -> str:
    return table.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]


def test_the_team_filter_shows_only_the_chosen_teams_everywhere(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    response = client.get(f"/dashboard?team={org.other_team.id}")
    assert response.status_code == 200
    assert _rows(response.text) == ["Search"]
    trend = _section(response.text, "area-trend-table")
    assert _cells(_row(trend, "Teams assessed")) == ["1", "1"]  # only Search, in 2026-Q2 and 2026-Q3
    assert f'<option value="{org.other_team.id}" selected>Search</option>' in response.text
    assert "1 team chosen" in response.text


def test_the_quarter_filter_narrows_the_columns_and_keeps_the_change_since_the_quarter_before(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get("/dashboard?since=2026-Q2&until=2026-Q2").text
    quarters_table = html.split('id="quarters-h"')[1].split("</table>")[0]
    assert '<th scope="col" class="num">2026-Q2</th>' in quarters_table
    assert "2026-Q1</th>" not in quarters_table
    assert "2026-Q3</th>" not in quarters_table
    assert "↑ +1.0" in quarters_table  # Vision: 2026-Q2 against 2026-Q1, which is not shown
    trend = _section(html, "area-trend-table")
    assert "2026-Q2</th>" in trend
    assert "2026-Q1</th>" not in trend


def test_each_areas_trend_is_its_mean_over_the_teams_assessed_each_quarter(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.viewer.email)
    html = client.get("/dashboard").text
    assert 'class="area-chart" role="img" aria-label="Mean level by area over the teams, by quarter"' in html
    trend = _section(html, "area-trend-table")
    # Vision 1, 2, 3; Search -, 2, 1: the means are 1.0, 2.0, 2.0 in every area
    assert _cells(_row(trend, "Data management")) == ["1.0", "2.0", "2.0"]
    assert _cells(_row(trend, "Teams assessed")) == ["1", "2", "2"]
    assert html.count('<g class="chart-series series-') == 4  # a line per area of playbook-base
    # the base of the means changes (Search joins in 2026-Q2): the chart says so, with the counts
    assert "Not the same number of teams in every quarter (2026-Q1: 1, 2026-Q2: 2, 2026-Q3: 2)" in html


def test_the_trend_says_nothing_of_the_teams_when_every_quarter_has_the_same(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.viewer.email)
    html = client.get("/dashboard?since=2026-Q2").text
    assert _cells(_row(_section(html, "area-trend-table"), "Teams assessed")) == ["2", "2"]
    assert 'id="area-trend-teams"' not in html


def test_two_quarters_side_by_side_show_each_areas_mean_and_each_teams_level(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    response = client.get("/dashboard?quarter_a=2026-Q1&quarter_b=2026-Q3")
    assert response.status_code == 200
    table = _section(response.text, "compare-quarters")
    assert "2026-Q1 beside 2026-Q3" in table
    assert "(1 and 2 teams)" in table
    data = _row(table, "Data management")
    assert _cells(data)[:2] == ["1.0", "2.0"]
    assert "↑ +1.0" in data
    assert "↑ +2.0" in _row(table, "Vision")
    assert _cells(_row(table, "Search"))[:2] == ["–", "1.0"]  # not assessed in 2026-Q1


def test_two_teams_side_by_side_show_their_levels_by_area_and_by_quarter(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    response = client.get(f"/dashboard?team_a={org.team.id}&team_b={org.other_team.id}")
    assert response.status_code == 200
    table = _section(response.text, "compare-teams")
    assert "Vision beside Search" in table
    assert _cells(_row(table, "Data management")) == ["3.0", "1.0", "−2.0"]
    assert _cells(_row(table, "Overall, 2026-Q1")) == ["1.0", "–", "–"]
    assert _cells(_row(table, "Overall, 2026-Q2")) == ["2.0", "2.0", "+0.0"]


def test_a_badly_written_quarter_is_shown_beside_its_field_and_the_rest_still_shows(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    response = client.get("/dashboard?since=yesterday&quarter_a=2026-Q2")
    assert response.status_code == 422
    html = response.text
    assert 'aria-invalid="true" aria-describedby="since-error"' in html
    assert '<div class="field-error" id="since-error">Write the period as year and quarter' in html
    assert (
        '<div class="field-error" id="quarter_b-error">Pick a second quarter to compare with.</div>' in html
    )
    assert _rows(html) == ["Search", "Vision"]  # unfiltered


def test_a_team_the_viewer_may_not_see_is_refused_by_the_filter_and_not_shown(
    client: TestClient, db: Session, org: Org
) -> None:
    _two_teams(db, org)
    sign_in(client, org.manager.email)  # Vision's manager
    response = client.get(f"/dashboard?team={org.other_team.id}")
    assert response.status_code == 422
    assert "Pick teams from the list." in response.text
    assert "Search" not in response.text
    assert _rows(response.text) == ["Vision"]
    compared = client.get(f"/dashboard?team_a={org.team.id}&team_b={org.other_team.id}")
    assert compared.status_code == 422
    assert '<div class="field-error" id="team_b-error">Pick one of the teams shown.</div>' in compared.text
    assert "Search" not in compared.text


def test_a_quarter_not_in_the_chart_cannot_be_compared(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    response = client.get("/dashboard?quarter_a=2020-Q1&quarter_b=2026-Q3")
    assert response.status_code == 422
    assert (
        '<div class="field-error" id="quarter_a-error">Pick a quarter shown in the chart.</div>'
        in response.text
    )
    assert 'id="compare-quarters"' not in response.text


def test_filters_that_leave_nothing_say_what_to_do(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    response = client.get("/dashboard?since=2027-Q1")
    assert response.status_code == 200
    assert "No submitted assessments in these quarters" in response.text
    assert "Clear the filters" in response.text
    assert 'id="quarters-h"' not in response.text


def test_sort_links_and_team_links_keep_the_filters(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get(f"/dashboard?team={org.team.id}&team={org.other_team.id}&since=2026-Q2").text
    expected = (
        f"/dashboard?model=playbook-base&amp;team={org.team.id}&amp;team={org.other_team.id}"
        "&amp;since=2026-Q2&amp;sort=gap&amp;order=desc"
    )
    assert expected in html
    assert f'href="http://testserver/dashboard/teams/{org.team.id}?model=playbook-base">Trend</a>' in html


def test_comparisons_escape_team_names(client: TestClient, db: Session, org: Org) -> None:
    team = db.get(Team, org.team.id)
    assert team is not None
    team.name = "<b>R&D</b>"
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get(
        f"/dashboard?team_a={org.team.id}&team_b={org.other_team.id}&quarter_a=2026-Q2&quarter_b=2026-Q3"
    ).text
    assert "<b>R&D</b>" not in html
    assert "&lt;b&gt;R&amp;D&lt;/b&gt; beside Search" in html
    assert '<th scope="row">&lt;b&gt;R&amp;D&lt;/b&gt;</th>' in _section(html, "compare-quarters")


def test_filters_trend_and_comparisons_speak_japanese(client: TestClient, db: Session, org: Org) -> None:
    _two_teams(db, org)
    sign_in(client, org.admin.email)
    html = client.get(
        "/dashboard?quarter_a=2026-Q2&quarter_b=2026-Q3&since=bad", headers={"Accept-Language": "ja"}
    ).text
    assert "四半期ごとの領域別レベル" in html
    assert 'aria-label="四半期ごとの全チームの領域別平均レベル"' in html
    assert "2026-Q2 と 2026-Q3 の比較" in html
    assert "データ管理" in html
    assert (
        '<div class="field-error" id="since-error">期間は年と四半期で入力してください（例：2026-Q4）。</div>'
        in html
    )


def test_a_reopened_and_changed_assessment_shows_its_new_levels_after_it_is_submitted_again(
    client: TestClient, db: Session, org: Org
) -> None:
    """Submitted results are kept per process (assessments/service.py): reopening and submitting again
    must score the assessment afresh."""
    model = factories.maturity_model(db, "playbook-base")
    assessment = factories.assessment(db, org.team, model, period="2026-Q3", level=1, submitted=True)
    db.commit()
    sign_in(client, org.manager.email)
    trend = _section(client.get("/dashboard").text, "area-trend-table")
    assert _cells(_row(trend, "Data management"))[0] == "1.0"
    token = {"csrf_token": csrf_token(client)}
    assert client.post(f"/assessments/{assessment.id}/reopen", data=token).status_code == 303
    for question in ("data-versioning", "data-pipeline", "data-quality"):
        page = client.get(f"/assessments/{assessment.id}").text
        version = re.search(rf'id="v-{question}" value="(\d+)"', page)
        assert version
        choice = {"data-versioning": "lineage", "data-pipeline": "self-healing", "data-quality": "advanced"}
        data = {"choice": choice[question], "version": version.group(1), **token}
        assert client.post(f"/assessments/{assessment.id}/answers/{question}", data=data).status_code == 303
    assert client.post(f"/assessments/{assessment.id}/submit", data=token).status_code == 303
    trend = _section(client.get("/dashboard").text, "area-trend-table")
    assert _cells(_row(trend, "Data management"))[0] == "4.0"
