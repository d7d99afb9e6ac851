"""The quarterly review page through HTTP: figures with their basis, saving versions, actions into the
roadmap and next quarter's OKRs, bad input, and who may do what."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, LearningSession, Objective, QuarterlyReview
from app.okrs import service as okrs_service
from app.reviews import quarters, service
from tests.access.conftest import act_as
from tests.checklists.helpers import HTMX
from tests.conftest import csrf_token
from tests.factories import Org
from tests.okrs import rows
from tests.reviews.helpers import PERIOD, review_url, save, with_plan


def test_empty_quarter_says_what_to_do_next(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    html = client.get(review_url(org)).text
    assert "No submitted assessment up to this quarter" in html
    assert "No roadmap yet" in html
    assert "No signal connected." in html
    assert f"No sessions logged in {PERIOD}." in html


def test_figures_say_what_they_rest_on(client: TestClient, db: Session, org: Org) -> None:
    with_plan(client, db, org)
    html = client.get(review_url(org)).text
    previous = okrs_service.shift_period(PERIOD, -1)
    assert f"assessment of {PERIOD}" in html
    assert f"against the one of {previous}" in html
    assert "+1.0" in html  # level 1 → 2
    assert "Capabilities not listed did not change" not in html  # every capability moved
    assert "Roadmap version 1" in html
    total = len(client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"])
    assert f"No item was planned to finish by now ({total} items in the plan)." in html  # it starts today


def test_done_against_planned_counts_the_items_due_and_names_those_slipping(
    client: TestClient, db: Session, org: Org
) -> None:
    with_plan(client, db, org)
    items = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"]
    later = okrs_service.shift_period(PERIOD, 5)  # counted to its first day: every item of the year is due
    client.post(
        f"/teams/{org.team.id}/roadmap/items/{items[0]['id']}/status",
        data={"csrf_token": csrf_token(client), "status": "done"},
    )
    html = client.get(review_url(org, later)).text
    n = len(items)
    assert f"1 of {n} items planned to finish by now are done ({n} items in the plan)." in html
    slipping = html.split("<h3>Slipping</h3>")[1].split("</ul>")[0]
    assert slipping.count("<li>") == len(items) - 1
    assert escape(items[0]["title"]["en"]) not in slipping
    assert escape(items[1]["title"]["en"]) in slipping


def test_learning_sessions_of_the_quarter_are_counted(client: TestClient, db: Session, org: Org) -> None:
    first, _ = quarters.bounds(PERIOD)
    for day in (
        first,
        first + timedelta(days=1),
        first - timedelta(days=1),
    ):  # the last is the quarter before
        db.add(LearningSession(team_id=org.team.id, held_on=day, kind="study", topic="MLflow", lessons=""))
    db.commit()
    act_as(client, db, org.viewer)
    assert f"2 sessions held in {PERIOD}." in client.get(review_url(org)).text


def test_checklists_count_every_checklist_of_the_team_as_its_checklist_page_does(
    client: TestClient, db: Session, org: Org
) -> None:
    with_plan(client, db, org)
    lists = client.get(f"/api/v1/teams/{org.team.id}/checklists").json()["lists"]
    total = sum(c["total"] for c in lists)
    playbook = next(c for c in lists if c["source"] == "playbook")
    roadmap = next(c for c in lists if c["source"] == "roadmap")
    act_as(client, db, org.member)
    base = f"/teams/{org.team.id}/checklists"
    ticked = [f"playbook/{playbook['list_id']}/{playbook['entries'][0]['entry_id']}"]
    ticked.append(f"roadmap/{roadmap['list_id']}/{roadmap['entries'][0]['entry_id']}")
    for entry in ticked:
        tick = {"csrf_token": csrf_token(client), "done": "1"}
        assert client.post(f"{base}/{entry}/tick", data=tick, headers=HTMX).status_code == 200
    skipped = {"csrf_token": csrf_token(client), "status": "not_applicable", "na_reason": "Batch only"}
    entry = f"playbook/{playbook['list_id']}/{playbook['entries'][1]['entry_id']}"
    assert client.post(f"{base}/{entry}", data=skipped, headers=HTMX).status_code == 200
    html = client.get(review_url(org)).text
    books = sum(c["total"] for c in lists if c["source"] == "playbook") - 1  # the one not applicable
    maps = [c for c in lists if c["source"] == "roadmap"]
    assert f"Playbook checklists (technical and organisational): 1 of {books} done" in html
    assert "(1 entry marked not applicable left out)." in html
    assert f"Roadmap checklists: 1 of {sum(c['total'] for c in maps)} done across {len(maps)} items." in html
    assert total == books + 1 + sum(c["total"] for c in maps)  # every checklist of the page is counted
    assert "Checklists, as they stand today" in html  # not as they stood at the quarter's end
    assert f'href="http://testserver{base}"' in html  # "Go to the checklists"


def test_manager_saves_versions_and_reads_an_earlier_one(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    first = save(client, org, went_well="Pipelines", bottleneck="Reviews", patterns=["tool-dependency"])
    assert first.status_code == 303
    save(client, org, went_well="Pipelines & <tests>", bottleneck="Reviews", new_action="Automate the tests")
    rows = db.scalars(select(QuarterlyReview).order_by(QuarterlyReview.version)).all()
    assert [r.version for r in rows] == [1, 2]
    assert rows[1].actions[0]["text"] == "Automate the tests"
    assert rows[0].patterns == ["tool-dependency"]
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "review.save")).all()
    latest = client.get(review_url(org)).text
    assert "Pipelines &amp; &lt;tests&gt;" in latest
    earlier = client.get(f"{review_url(org)}?version=1")
    assert earlier.status_code == 200
    assert "Show the latest version" in earlier.text
    assert client.get(f"{review_url(org)}?version=9").status_code == 404


def test_an_emptied_action_is_refused_inline_and_nothing_is_lost(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    save(client, org, new_action="Automate the tests")
    action_id = db.scalars(select(QuarterlyReview)).one().actions[0]["id"]
    bad = save(client, org, went_well="Kept text", action_ids=[action_id], actions=["  "])
    assert bad.status_code == 422
    assert "Write the action, or tick Remove" in bad.text
    assert "Kept text" in bad.text
    assert db.scalars(select(QuarterlyReview)).all().__len__() == 1
    spaces = save(client, org, new_action="   ")
    assert spaces.status_code == 422
    removed = save(client, org, action_ids=[action_id], actions=[""], remove=[action_id])
    assert removed.status_code == 303


def test_over_long_text_is_refused_inline_and_kept(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    long = "x" * 5001
    bad = save(client, org, went_well="fine", bottleneck=long)
    assert bad.status_code == 422
    assert 'id="bottleneck-error"' in bad.text
    assert "fine" in bad.text
    too_long_action = save(client, org, new_action="y" * 301)
    assert 'id="new_action-error"' in too_long_action.text
    assert db.scalars(select(QuarterlyReview)).all() == []


def test_action_becomes_a_roadmap_item_that_survives_regeneration(
    client: TestClient, db: Session, org: Org
) -> None:
    with_plan(client, db, org)
    save(client, org, new_action="Run a blameless post-mortem")
    action_id = db.scalars(select(QuarterlyReview)).one().actions[0]["id"]
    url = f"{review_url(org)}/actions/{action_id}/roadmap"
    data = {
        "csrf_token": csrf_token(client),
        "effort": "1",
        "phase": "foundation",
        "owner_role": "ml_engineer",
    }
    assert client.post(url, data=data).status_code == 303
    titles = [i["title"] for i in client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"]]
    assert "Run a blameless post-mortem" in str(titles)
    client.post(f"/teams/{org.team.id}/roadmap/generate", data={"csrf_token": csrf_token(client)})
    titles = [i["title"] for i in client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"]]
    assert "Run a blameless post-mortem" in str(titles)
    assert "On the roadmap" in client.get(review_url(org)).text
    again = client.post(url, data=data)
    assert again.status_code == 422
    assert "already on the roadmap" in again.text


def test_action_becomes_a_key_result_next_quarter(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    save(client, org, new_action="Monitoring dashboard live")
    action_id = db.scalars(select(QuarterlyReview)).one().actions[0]["id"]
    response = client.post(
        f"{review_url(org)}/actions/{action_id}/key-result", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    objective = db.scalars(select(Objective)).one()
    assert objective.period == okrs_service.shift_period(PERIOD, 1)
    assert "Key result for" in client.get(review_url(org)).text


def test_member_reads_but_cannot_save_or_decide(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    save(client, org, went_well="Pipelines", new_action="Automate the tests")
    action_id = db.scalars(select(QuarterlyReview)).one().actions[0]["id"]
    for who in (org.member, org.viewer):
        act_as(client, db, who)
        html = client.get(review_url(org)).text
        assert "Pipelines" in html
        assert "Automate the tests" in html
        assert 'name="went_well"' not in html
        assert "Add to the roadmap" not in html
        assert save(client, org, went_well="mine").status_code == 403
        kr = client.post(
            f"{review_url(org)}/actions/{action_id}/key-result", data={"csrf_token": csrf_token(client)}
        )
        assert kr.status_code == 403
    assert len(db.scalars(select(QuarterlyReview)).all()) == 1


def test_save_without_csrf_is_refused(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    assert client.post(review_url(org), data={"went_well": "x"}).status_code == 403


def test_a_bad_quarter_is_a_clear_error(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    assert client.get(f"/teams/{org.team.id}/reviews/2027-Q9").status_code == 422


def test_review_page_reads_in_japanese(client: TestClient, db: Session, org: Org) -> None:
    with_plan(client, db, org)
    save(client, org, went_well="順調", new_action="テストを自動化する")
    html = client.get(review_url(org), headers={"Accept-Language": "ja"}).text
    assert "四半期の振り返り" in html
    assert "成熟度の変化" in html
    assert "テストを自動化する" in html


def test_okr_outcomes_read_in_each_languages_punctuation(client: TestClient, db: Session, org: Org) -> None:
    parent = rows.objective(db, org.team, org.manager, period=PERIOD)
    rows.key_result(db, parent, org.manager, title="Deploys per month")
    db.commit()
    act_as(client, db, org.member)
    assert "Deploys per month: 0% (no check-in yet)" in client.get(review_url(org)).text
    japanese = client.get(review_url(org), headers={"Accept-Language": "ja"}).text
    assert "Deploys per month：0%（チェックインなし）" in japanese  # no space after a full-width colon


def test_a_save_that_lost_a_race_is_told_and_keeps_its_text(
    client: TestClient, db: Session, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as(client, db, org.manager)
    save(client, org, went_well="first")

    def racing(session: Session, **kwargs: Any) -> QuarterlyReview:
        # someone else's version 2 lands between our read of the last version and our insert
        session.add(QuarterlyReview(team_id=org.team.id, period=PERIOD, version=2, patterns=[], actions=[]))
        session.flush()
        return service._add(session, number=2, **kwargs)

    monkeypatch.setattr(service, "save", racing)
    response = save(client, org, went_well="mine, typed carefully")
    assert response.status_code == 409
    assert "Someone saved this review in the meantime" in response.text
    assert "mine, typed carefully" in response.text


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>"])
def test_the_teams_words_render_inert_for_writer_and_reader(
    client: TestClient, db: Session, org: Org, payload: str
) -> None:
    act_as(client, db, org.manager)
    save(client, org, went_well=payload, bottleneck=payload, new_action=f"Act {payload}")
    for who in (org.manager, org.viewer):
        act_as(client, db, who)
        html = client.get(review_url(org)).text
        assert payload not in html
        assert "&lt;" in html
