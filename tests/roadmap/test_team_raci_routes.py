"""Through HTTP: a manager edits the team's RACI, regenerates, and the roadmap follows the new owners."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.roadmap import service
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org

# source-control in the catalogue: the ML engineer and the data scientist are Responsible, the MLOps
# engineer Accountable; its first-quarter checklist has "Move notebooks ..." for the data scientist.
ITEM = "source-control"
MOVE_CODE = "Move notebooks and scripts from shared drives into one Git repository"


def _post(client: TestClient, url: str, data: dict[str, str] | None = None) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})})


def _generate(client: TestClient, db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    db.commit()
    act_as(client, db, org.manager)
    assert _post(client, f"/teams/{org.team.id}/roadmap/generate").status_code == 303


def _set_cell(client: TestClient, org: Org, role: str, letter: str) -> None:
    data = {"capability": ITEM, "role": role, "letter": letter}
    assert _post(client, f"/teams/{org.team.id}/raci/cell", data).status_code == 303


def _make_data_engineer_responsible(client: TestClient, org: Org) -> None:
    _set_cell(client, org, "data_engineer", "R")
    _set_cell(client, org, "ml_engineer", "C")
    _set_cell(client, org, "data_scientist", "C")


def _item(client: TestClient, org: Org) -> dict[str, Any]:
    items = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"]
    found: dict[str, Any] = next(i for i in items if i["id"] == ITEM)
    return found


def _task_row(client: TestClient, org: Org, text: str) -> str:
    page = client.get(f"/teams/{org.team.id}/roadmap/action-plan").text
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if text in row]
    assert len(rows) == 1, f"one task row for {text!r}"
    return rows[0]


def test_an_unedited_team_plans_with_the_catalogues_owners(client: TestClient, db: Session, org: Org) -> None:
    _generate(client, db, org)
    item = _item(client, org)
    assert (item["owner_roles"], item["accountable"]) == (["ml_engineer", "data_scientist"], "mlops_engineer")
    assert "Data scientist" in _task_row(client, org, MOVE_CODE)
    assert 'id="raci-changed"' not in client.get(f"/teams/{org.team.id}/roadmap").text


def test_after_a_raci_edit_and_regeneration_the_roadmap_and_action_plan_show_the_new_owner(
    client: TestClient, db: Session, org: Org
) -> None:
    _generate(client, db, org)
    _make_data_engineer_responsible(client, org)

    roadmap = client.get(f"/teams/{org.team.id}/roadmap").text
    assert 'id="raci-changed"' in roadmap  # the plan still has the old owners until it is regenerated
    assert _item(client, org)["owner_roles"] == ["ml_engineer", "data_scientist"]

    assert _post(client, f"/teams/{org.team.id}/roadmap/generate").status_code == 303
    item = _item(client, org)
    assert (item["owner_roles"], item["accountable"]) == (["data_engineer"], "mlops_engineer")
    assert "Owners from the team's RACI matrix: Data engineer (accountable: MLOps engineer)." in [
        r["en"] for r in item["reasons"]
    ]
    assert "Data engineer" in _task_row(client, org, MOVE_CODE)
    assert 'id="raci-changed"' not in client.get(f"/teams/{org.team.id}/roadmap").text


def test_the_raci_notice_is_in_japanese_for_a_japanese_reader(
    client: TestClient, db: Session, org: Org
) -> None:
    _generate(client, db, org)
    _make_data_engineer_responsible(client, org)
    page = client.get(f"/teams/{org.team.id}/roadmap", headers={"Accept-Language": "ja"}).text
    assert "このバージョンの生成後にマトリクスが変更されています" in page


def test_a_viewer_sees_the_raci_notice_without_the_call_to_regenerate(
    client: TestClient, db: Session, org: Org
) -> None:
    _generate(client, db, org)
    _make_data_engineer_responsible(client, org)
    act_as(client, db, org.viewer)
    page = client.get(f"/teams/{org.team.id}/roadmap").text
    assert 'id="raci-changed"' in page
    assert "Regenerate to update them." not in page


def test_a_version_stored_before_team_raci_still_replays_with_the_catalogues_owners(
    client: TestClient, db: Session, org: Org
) -> None:
    _generate(client, db, org)
    roadmap = service.get(db, team_id=org.team.id)
    assert roadmap is not None
    version = service.view(db, roadmap=roadmap).version
    assert version.inputs["raci"] == {}
    version.inputs = {k: v for k, v in version.inputs.items() if k != "raci"}
    db.commit()
    item = _item(client, org)
    assert item["owner_roles"] == ["ml_engineer", "data_scientist"]
    assert 'id="raci-changed"' not in client.get(f"/teams/{org.team.id}/roadmap").text


def test_the_raci_page_starts_from_the_catalogue_roles_the_roadmap_plans_with(
    client: TestClient, db: Session, org: Org
) -> None:
    factories.maturity_model(db, "mlops-full")
    db.commit()
    act_as(client, db, org.viewer)
    page = client.get(f"/teams/{org.team.id}/raci").text
    row = re.search(rf'<tr id="raci-{ITEM}".*?</tr>', page, re.S)
    assert row is not None
    for shown in ("ML engineer: R", "Data scientist: R", "MLOps engineer: A", "Data engineer: C"):
        assert f'aria-label="{shown}"' in row.group(0)
