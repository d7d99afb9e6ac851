"""The review's checklist figure counts the playbook's team checklists and the roadmap items' apart, as the
checklist page marks them, with entries marked not applicable left out of what is counted."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.reviews.helpers import review_url, with_plan

NA = {"status": "not_applicable", "na_reason": "One-person team"}


def _mark(client: TestClient, org: Org, entry: str, **fields: str) -> None:
    data = {"csrf_token": csrf_token(client), "status": "done", **fields}
    response = client.post(f"/teams/{org.team.id}/checklists/{entry}", data=data)
    assert response.status_code == 303, response.text


def _figure(html: str, kind: str) -> str:
    found = re.search(rf'<li data-checklists="{kind}">(.*?)</li>', html, re.S)
    assert found, html
    return " ".join(found.group(1).split())


def test_the_figure_counts_playbook_and_roadmap_checklists_apart_without_not_applicable(
    client: TestClient, db: Session, org: Org
) -> None:
    with_plan(client, db, org)
    items = client.get(f"/api/v1/teams/{org.team.id}/roadmap/checklist").json()["items"]
    roadmap_total = sum(len(i["entries"]) for i in items)
    assert len(items) >= 2, items
    assert len(items[0]["entries"]) >= 2, items
    act_as(client, db, org.member)
    _mark(client, org, "playbook/technical/documentation")
    _mark(client, org, "playbook/technical/automated-tests")
    _mark(client, org, "playbook/organisational/cross-functional-team", **NA)
    first, second = items[0], items[1]
    _mark(client, org, f"roadmap/{first['item_id']}/{first['entries'][0]['entry_id']}")
    _mark(client, org, f"roadmap/{second['item_id']}/{second['entries'][0]['entry_id']}")
    _mark(client, org, f"roadmap/{first['item_id']}/{first['entries'][1]['entry_id']}", **NA)
    act_as(client, db, org.viewer)
    html = client.get(review_url(org)).text
    assert _figure(html, "playbook") == (
        "Playbook checklists (technical and organisational): 2 of 8 done"
        " (1 entry marked not applicable left out)."
    )
    assert _figure(html, "roadmap") == (
        f"Roadmap checklists: 2 of {roadmap_total - 1} done across {len(items)} items"
        " (1 entry marked not applicable left out)."
    )
    ja = client.get(review_url(org), headers={"Accept-Language": "ja"}).text
    assert _figure(ja, "playbook") == (
        "プレイブックのチェックリスト（技術・組織）：8 件のうち 2 件が完了（該当なしの 1 件を除く）。"
    )
    assert _figure(ja, "roadmap") == (
        f"ロードマップのチェックリスト：{len(items)} 項目の {roadmap_total - 1} 件のうち 2 件が完了"
        "（該当なしの 1 件を除く）。"
    )


def test_without_a_roadmap_the_playbooks_checklists_are_still_counted(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    _mark(client, org, "playbook/organisational/continuous-learning")
    html = client.get(review_url(org)).text
    assert _figure(html, "playbook") == "Playbook checklists (technical and organisational): 1 of 9 done."
    assert _figure(html, "roadmap") == "No roadmap yet, so no roadmap checklists."
