"""Starting the next quarter from a review: a confirmation step listing what will be created, then the
copied assessment, key results from the roadmap items in progress, and the unfinished ones carried on."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import Assessment, KeyResult, Membership, Objective
from app.okrs import service as okrs_service
from app.reviews import quarters
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.okrs import rows
from tests.reviews.helpers import PERIOD, review_url, with_plan

NEXT = okrs_service.shift_period(PERIOD, 1)


def _in_progress(client: TestClient, org: Org) -> str:
    item = client.get(f"/api/v1/teams/{org.team.id}/roadmap").json()["items"][0]
    url = f"/teams/{org.team.id}/roadmap/items/{item['id']}/status"
    client.post(url, data={"csrf_token": csrf_token(client), "status": "in_progress"})
    return str(item["id"])


def test_confirmation_lists_what_will_be_created(client: TestClient, db: Session, org: Org) -> None:
    with_plan(client, db, org)
    _in_progress(client, org)
    unfinished = rows.key_result(db, rows.objective(db, org.team, org.manager, period=PERIOD), org.manager)
    db.commit()
    html = client.get(f"{review_url(org)}/next").text
    assert f"An assessment for {NEXT} (MLOps maturity model (full)), starting from the last submitted" in html
    assert 'name="proposed"' in html
    assert f'name="carried" value="{unfinished.id}"' in html
    assert db.scalars(select(Objective).where(Objective.period == NEXT)).all() == []  # nothing made yet


def test_confirmation_puts_each_objective_in_the_languages_brackets(
    client: TestClient, db: Session, org: Org
) -> None:
    parent = rows.objective(db, org.team, org.manager, title="Ship faster", period=PERIOD)
    rows.key_result(db, parent, org.manager, title="Deploys per month")
    db.commit()
    act_as(client, db, org.manager)
    assert (
        'Deploys per month<span class="muted"> (Ship faster · 0%)'
        in client.get(f"{review_url(org)}/next").text
    )
    japanese = client.get(f"{review_url(org)}/next", headers={"Accept-Language": "ja"}).text
    assert 'Deploys per month<span class="muted">（Ship faster · 0%）' in japanese  # no space before "（"


def test_start_creates_only_what_was_ticked(client: TestClient, db: Session, org: Org) -> None:
    with_plan(client, db, org)
    item_id = _in_progress(client, org)
    parent = rows.objective(db, org.team, org.manager, title="Ship faster", period=PERIOD)
    carried = rows.key_result(db, parent, org.manager, title="Deploys per month")
    rows.key_result(db, parent, org.manager, title="Left behind")
    db.commit()
    html = client.get(f"{review_url(org)}/next").text
    proposed = html.split('name="proposed" value="')[1].split('"')[0]
    assert proposed.startswith(f"item/{item_id}/")
    data = {
        "csrf_token": csrf_token(client),
        "assessment": "true",
        "proposed": [proposed],
        "carried": [str(carried.id)],
    }
    response = client.post(f"{review_url(org)}/next", data=data)
    assert response.status_code == 303
    assert db.scalars(select(Assessment).where(Assessment.period == NEXT)).one().copied_from_id is not None
    made = db.scalars(
        select(KeyResult).join(Objective).where(Objective.period == NEXT).order_by(KeyResult.id)
    ).all()
    titles = [kr.title for kr in made]
    assert "Deploys per month" in titles
    assert "Left behind" not in titles
    assert any(kr.roadmap_item_id == item_id for kr in made)
    again = client.get(f"{review_url(org)}/next").text  # what was made is proposed no more
    assert f'value="{proposed}"' not in again
    assert f'name="carried" value="{carried.id}"' not in again


def test_member_cannot_start_the_next_quarter(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    assert client.get(f"{review_url(org)}/next").status_code == 403
    assert client.post(f"{review_url(org)}/next", data={"csrf_token": csrf_token(client)}).status_code == 403
    assert "Start " + NEXT not in client.get(review_url(org)).text


def _kr(db: Session, org: Org, title: str, **fields: object) -> KeyResult:
    parent = rows.objective(db, org.team, org.manager, title="Ship faster", period=PERIOD)
    data = okrs_service.KeyResultInput(title, "numeric", 20, 5, "h", None)
    data = okrs_service.KeyResultInput(**{**data.__dict__, **fields})  # type: ignore[arg-type]
    return okrs_service.create_key_result(db, objective=parent, data=data, user=org.manager)


def _check_in(db: Session, kr: KeyResult, value: float) -> None:
    data = okrs_service.CheckInInput(value, 5, "", None)
    okrs_service.check_in(db, key_result=kr, data=data, user=None, now=utcnow())


def test_a_carried_key_result_keeps_its_owner_and_direction_and_its_due_date_moves_a_quarter_on(
    client: TestClient, db: Session, org: Org
) -> None:
    first, _last = quarters.bounds(PERIOD)
    due = first + timedelta(days=40)
    kr = _kr(db, org, "Lead time in hours", owner_id=org.member.id, direction="down", due_on=due)
    _check_in(db, kr, 12)
    db.commit()
    act_as(client, db, org.manager)
    moved = quarters.carried_due(due, into=NEXT)
    assert moved is not None
    assert moved.day == due.day
    assert quarters.bounds(NEXT)[0] <= moved <= quarters.bounds(NEXT)[1]
    html = client.get(f"{review_url(org)}/next").text
    assert f"Owner: {org.member.name}" in html
    assert "moved a quarter on from" in html
    ja = client.get(f"{review_url(org)}/next", headers={"Accept-Language": "ja"}).text
    assert f"担当：{org.member.name}" in ja
    assert "から 1 四半期後ろにずらしました" in ja
    data = {"csrf_token": csrf_token(client), "carried": [str(kr.id)]}
    assert client.post(f"{review_url(org)}/next", data=data).status_code == 303
    copy = db.scalars(select(KeyResult).join(Objective).where(Objective.period == NEXT)).one()
    assert (copy.title, copy.owner_id, copy.direction) == ("Lead time in hours", org.member.id, "down")
    assert (copy.start_value, copy.target_value, copy.unit) == (12, 5, "h")
    assert copy.due_on == moved


def test_a_carried_key_result_of_someone_who_left_has_no_owner_and_starts_from_a_latest_zero(
    client: TestClient, db: Session, org: Org
) -> None:
    _first, last = quarters.bounds(PERIOD)
    kr = _kr(db, org, "Deploys per week", start=2, target=10, owner_id=org.member.id, due_on=last)
    _check_in(db, kr, 0)
    db.execute(
        delete(Membership).where(Membership.user_id == org.member.id, Membership.team_id == org.team.id)
    )
    db.commit()
    act_as(client, db, org.manager)
    data = {"csrf_token": csrf_token(client), "carried": [str(kr.id)]}
    assert client.post(f"{review_url(org)}/next", data=data).status_code == 303
    copy = db.scalars(select(KeyResult).join(Objective).where(Objective.period == NEXT)).one()
    assert (copy.owner_id, copy.start_value, copy.direction) == (None, 0, "up")
    assert copy.due_on == okrs_service.quarter_dates(NEXT)[1]  # the quarter's end stays the quarter's end
