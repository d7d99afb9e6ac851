"""The organisation's gauges: what a scrape reports is what the teams did, read in a fixed number of
queries however many teams there are."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import Assessment, Source
from app.monitoring import collector
from app.monitoring.service import snapshot
from tests import factories
from tests.assessments.test_queries import counting
from tests.factories import Org
from tests.monitoring.conftest import Activity, busy_team, scrape


def test_maturity_gauges_show_the_latest_assessment_its_gaps_and_its_regression(
    client: TestClient, org: Org, busy: Activity
) -> None:
    found = scrape(client)
    team = {"team": org.team.slug, "model": "mlops-full"}
    for area in busy.areas:
        assert found.value("hoshin_maturity_level", area=area, **team) == 2
        assert found.value("hoshin_maturity_level_change", area=area, **team) == -1
        target = 4 if area == busy.areas[0] else 3
        assert found.value("hoshin_maturity_target_level", area=area, **team) == target
        assert found.value("hoshin_maturity_gap", area=area, **team) == target - 2
    assert {labels["area"] for labels in found.labelled("hoshin_maturity_level")} == set(busy.areas)


def test_okr_gauges_show_progress_statuses_and_a_key_result_off_track_twice(
    client: TestClient, org: Org, busy: Activity
) -> None:
    found = scrape(client)
    team = org.team.slug
    assert found.value("hoshin_okr_objectives", team=team) == busy.objectives
    assert found.value("hoshin_okr_progress_ratio", team=team) == pytest.approx(busy.progress)
    statuses = {
        labels["status"]: found.value("hoshin_okr_key_results", **labels)
        for labels in found.labelled("hoshin_okr_key_results")
    }
    assert statuses == {"on_track": 0, "at_risk": 0, "off_track": 1, "not_checked_in": 1}
    assert found.value("hoshin_okr_key_results_off_track_twice", team=team) == 1


def test_roadmap_and_source_gauges_show_overdue_items_and_failing_syncs(
    client: TestClient, org: Org, busy: Activity
) -> None:
    found = scrape(client)
    team = org.team.slug
    assert busy.overdue > 0
    assert found.value("hoshin_roadmap_items_overdue", team=team) == busy.overdue
    source = {"team": team, "source": f"{team}-repo", "kind": "git"}
    assert found.value("hoshin_source_sync_failures", **source) == busy.failures
    age = found.value("hoshin_source_last_success_age_seconds", **source)
    assert busy.last_good.total_seconds() <= age < busy.last_good.total_seconds() + 600  # the test's own time


def test_a_team_with_nothing_yet_has_no_levels_and_no_okrs(
    client: TestClient, org: Org, busy: Activity
) -> None:
    found = scrape(client)
    quiet = org.other_team.slug
    assert found.value("hoshin_teams") == 2
    for name in ("hoshin_maturity_level", "hoshin_okr_objectives", "hoshin_roadmap_items_overdue"):
        assert all(labels["team"] != quiet for labels in found.labelled(name)), name


def test_a_paused_source_is_left_out(client: TestClient, org: Org, busy: Activity, db: Session) -> None:
    for source in db.query(Source).all():
        source.enabled = False
    db.commit()
    assert scrape(client).labelled("hoshin_source_sync_failures") == []


def test_a_scrape_reads_the_same_number_of_statements_for_two_teams_as_for_six(
    client: TestClient, org: Org, db: Session, engine: Engine
) -> None:
    counts = {}
    teams = [org.team, org.other_team]
    for size in (2, 6):
        while len(teams) < size:
            team = factories.team(db, org.organisation, f"Team {len(teams)}")
            factories.member(db, team, org.manager, "manager")
            teams.append(team)
        for team in teams:
            if not db.query(Assessment).filter_by(team_id=team.id).count():
                busy_team(db, team, org.manager, regressed=False)
        scrape(client)  # plans made once per process are then memoised, as on a warm server
        with counting(engine) as statements:
            found = scrape(client)
        assert found.value("hoshin_teams") == size
        counts[size] = len(statements)
    assert counts[2] == counts[6], counts
    assert counts[6] <= 25, counts


def test_the_collector_yields_every_family_even_for_an_empty_organisation(db: Session) -> None:
    families = list(collector.OrganisationCollector(snapshot(db, now=utcnow())).collect())
    assert {f.name for f in families} >= {
        "hoshin_teams",
        "hoshin_maturity_level",
        "hoshin_source_sync_failures",
    }
