"""What a plan is made from: each capability's latest submitted assessment (any model), or the one the
manager chose; the pages name those assessments by model name and period, never by slug."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Assessment
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org

JA = {"Accept-Language": "ja"}


def _submitted(db: Session, org: Org, slug: str, period: str, level: int) -> Assessment:
    model = factories.maturity_model(db, slug)
    found = factories.assessment(db, org.team, model, period=period, level=level, submitted=True)
    db.commit()
    return found


def _generate(client: TestClient, org: Org, **form: Any) -> Any:
    data = {"csrf_token": csrf_token(client), **form}
    return client.post(f"/teams/{org.team.id}/roadmap/generate", data=data)


def _items(client: TestClient, org: Org) -> dict[str, dict[str, Any]]:
    body = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()
    return {i["capability_id"]: i for i in body["items"] if i["capability_id"]}


def _full_then_base_with_a_drop(client: TestClient, db: Session, org: Org) -> None:
    """A full-model assessment at level 3 planned from, then a newer base-framework one at level 1."""
    _submitted(db, org, "mlops-full", "2026-Q2", 3)
    act_as(client, db, org.manager)
    assert _generate(client, org).status_code == 303
    _submitted(db, org, "playbook-base", "2026-Q3", 1)


def test_regenerating_plans_from_a_newer_base_framework_assessment(
    client: TestClient, db: Session, org: Org
) -> None:
    _full_then_base_with_a_drop(client, db, org)
    assert "data-versioning" not in _items(client, org)  # at level 3 of 3 in the full model
    assert _generate(client, org).status_code == 303
    items = _items(client, org)
    assert items["data-versioning"]["from_level"] == 1  # the newer assessment's drop
    html = client.get(f"/teams/{org.team.id}/roadmap").text
    assert "Nothing changed." not in html
    assert "Version 2, from the latest assessment of each capability:" in html


def test_the_roadmap_page_names_every_assessment_it_is_based_on(
    client: TestClient, db: Session, org: Org
) -> None:
    _full_then_base_with_a_drop(client, db, org)
    _generate(client, org)
    full = factories.maturity_model(db, "mlops-full")
    base = factories.maturity_model(db, "playbook-base")
    for headers, name in (({}, "name_en"), (JA, "name_ja")):
        html = client.get(f"/teams/{org.team.id}/roadmap", headers=headers).text
        basis = html[html.index("<h1>") : html.index('class="head-actions"')]
        assert f"{getattr(base, name)} · 2026-Q3" in basis
        assert f"{getattr(full, name)} · 2026-Q2" in basis
        assert "mlops-full" not in basis
        assert "playbook-base" not in basis


def test_an_item_whose_level_is_older_than_the_rest_shows_its_period(
    client: TestClient, db: Session, org: Org
) -> None:
    _submitted(db, org, "mlops-full", "2026-Q2", 1)
    _submitted(db, org, "playbook-base", "2026-Q3", 1)
    act_as(client, db, org.manager)
    _generate(client, org)
    html = client.get(f"/teams/{org.team.id}/roadmap").text
    older = re.search(r'id="item-model-registry".*?</article>', html, re.S)
    newer = re.search(r'id="item-data-versioning".*?</article>', html, re.S)
    assert older
    assert newer
    assert "level as assessed in 2026-Q2" in older.group(0)
    assert "level as assessed in" not in newer.group(0)


def test_the_manager_can_plan_from_one_chosen_assessment(client: TestClient, db: Session, org: Org) -> None:
    _full_then_base_with_a_drop(client, db, org)
    html = client.get(f"/teams/{org.team.id}/roadmap").text
    assert '<option value="latest" selected>' in html
    full = db.query(Assessment).filter_by(team_id=org.team.id, period="2026-Q2").one()
    assert _generate(client, org, source=str(full.id)).status_code == 303
    assert "data-versioning" not in _items(client, org)  # the newer drop is not used
    html = client.get(f"/teams/{org.team.id}/roadmap").text
    assert "Version 2, from the 2026-Q2 assessment" in html
    assert "The manager chose this assessment" in html


def test_choosing_an_assessment_the_team_does_not_have_is_refused_on_the_form(
    client: TestClient, db: Session, org: Org
) -> None:
    _full_then_base_with_a_drop(client, db, org)
    model = factories.maturity_model(db, "mlops-full")
    theirs = factories.assessment(db, org.other_team, model, level=1, submitted=True)
    db.commit()
    for source in (str(theirs.id), "newest"):
        response = _generate(client, org, source=source)
        assert response.status_code == 422
        assert "Choose one of the team&#39;s submitted assessments." in response.text
        assert 'id="source" name="source" aria-invalid="true"' in response.text
    assert client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["version"] == 1


def test_the_notice_names_only_what_the_plan_left_out(client: TestClient, db: Session, org: Org) -> None:
    _submitted(db, org, "playbook-base", "2026-Q3", 1)
    act_as(client, db, org.manager)
    _generate(client, org)
    html = client.get(f"/teams/{org.team.id}/roadmap").text
    item = r'<article class="card roadmap-item" id="item-[^"]+"[^>]*>\s*<div class="item-head">\s*<h3>([^<]+)'
    titles = [t.strip() for t in re.findall(item, html)]
    assert titles
    notes = re.findall(r"<p[^>]*>([^<]*?(?:left out of the plan|in the plan from level 0)[^<]*)</p>", html)
    left_out = next(n for n in notes if "left out of the plan" in n)
    assert not [t for t in titles if t in left_out]
    planned = next(n for n in notes if "in the plan from level 0" in n)
    assert [t for t in titles if t in planned]


def test_the_versions_page_names_the_model_in_the_readers_language(
    client: TestClient, db: Session, org: Org
) -> None:
    _full_then_base_with_a_drop(client, db, org)
    _generate(client, org)
    base = factories.maturity_model(db, "playbook-base")
    for headers, name in (({}, base.name_en), (JA, base.name_ja)):
        html = client.get(f"/teams/{org.team.id}/roadmap/versions", headers=headers).text
        assert f"2026-Q3 · {name}" in html
        assert "playbook-base" not in html
        assert "mlops-full" not in html
