"""Running a quarter through the service: own dates, owners, directions, due dates, expected progress,
check-ins refused once an objective's period is over, and a manager's reopening (audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import BadInput, Conflict
from app.models import AuditEvent
from app.okrs import playbook, service
from tests.factories import Org
from tests.okrs import rows

IN_QUARTER = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)
AFTER = datetime(2027, 4, 2, 9, 0, tzinfo=UTC)


def _objective(db: Session, org: Org, **fields: object) -> object:
    data = service.ObjectiveInput(title="Ship faster", description="", **fields)  # type: ignore[arg-type]
    return service.create_objective(db, team_id=org.team.id, period=rows.PERIOD, data=data, user=org.manager)


def _kr(db: Session, org: Org, objective: object, **fields: object) -> object:
    values = {
        "title": "Lead time",
        "kind": "numeric",
        "start": 10.0,
        "target": 5.0,
        "unit": "d",
        "owner_id": None,
    }
    data = service.KeyResultInput(**(values | fields))  # type: ignore[arg-type]
    return service.create_key_result(db, objective=objective, data=data, user=org.manager)  # type: ignore[arg-type]


def test_an_objective_runs_over_its_quarter_unless_it_has_its_own_days(db: Session, org: Org) -> None:
    whole = _objective(db, org)
    own = _objective(db, org, starts_on=date(2027, 2, 1), ends_on=date(2027, 5, 15))
    assert service.objective_dates(whole) == (date(2027, 1, 1), date(2027, 3, 31))  # type: ignore[arg-type]
    assert service.objective_dates(own) == (date(2027, 2, 1), date(2027, 5, 15))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"starts_on": date(2027, 2, 1)}, "ends_on"),
        ({"ends_on": date(2027, 2, 1)}, "starts_on"),
        ({"starts_on": date(2027, 4, 1), "ends_on": date(2027, 5, 1)}, "starts_on"),
        ({"starts_on": date(2027, 2, 1), "ends_on": date(2027, 1, 31)}, "ends_on"),
        ({"org_objective_id": 999_999}, "org_objective_id"),
    ],
)
def test_bad_dates_or_links_name_the_field_and_add_nothing(
    db: Session, org: Org, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(BadInput) as raised:
        _objective(db, org, **fields)
    assert raised.value.field == field
    assert service.objectives(db, team_ids=[org.team.id], period=rows.PERIOD) == []


def test_the_owner_of_an_objective_is_someone_in_the_team(db: Session, org: Org) -> None:
    with pytest.raises(BadInput) as raised:
        _objective(db, org, owner_id=org.outsider.id)
    assert raised.value.field == "owner_id"
    objective = _objective(db, org, owner_id=org.member.id)
    [found] = service.team_status(db, team_ids=[org.team.id], period=rows.PERIOD)[org.team.id]
    assert found.owner_name == org.member.name
    assert found.id == objective.id


def test_the_direction_is_what_the_target_implies_unless_it_contradicts_it(db: Session, org: Org) -> None:
    objective = _objective(db, org)
    assert _kr(db, org, objective).direction == "down"  # type: ignore[attr-defined]
    with pytest.raises(BadInput) as raised:
        _kr(db, org, objective, direction="up")
    assert (raised.value.field, raised.value.message) == (
        "target_value",
        "Higher is better: the target must be above the start value.",
    )
    with pytest.raises(BadInput) as raised:
        _kr(db, org, objective, target=10.0)
    assert raised.value.field == "target_value"


def test_a_due_date_lies_within_the_objectives_days(db: Session, org: Org) -> None:
    objective = _objective(db, org, starts_on=date(2027, 2, 1), ends_on=date(2027, 3, 15))
    with pytest.raises(BadInput) as before:
        _kr(db, org, objective, kind="milestone", due_on=date(2027, 1, 31))
    with pytest.raises(BadInput) as after:
        _kr(db, org, objective, kind="milestone", due_on=date(2027, 3, 16))
    assert before.value.field == after.value.field == "due_on"
    assert before.value.params == {"date": "2027-02-01"}
    kr = _kr(db, org, objective, kind="milestone", due_on=date(2027, 3, 1))
    assert kr.due_on == date(2027, 3, 1)  # type: ignore[attr-defined]


def test_moving_an_objectives_days_past_a_key_results_due_date_is_refused(db: Session, org: Org) -> None:
    objective = _objective(db, org)
    _kr(db, org, objective, kind="milestone", due_on=date(2027, 3, 20))
    loaded = service.get_objective(db, objective_id=objective.id)  # type: ignore[attr-defined]
    data = service.ObjectiveInput("Ship faster", "", None, date(2027, 1, 1), date(2027, 2, 28))
    with pytest.raises(BadInput) as raised:
        service.update_objective(db, objective=loaded, data=data, user=org.manager)
    assert raised.value.field == "due_on"


def test_expected_progress_follows_today_and_the_due_date(db: Session, org: Org) -> None:
    objective = _objective(db, org)
    _kr(db, org, objective, start=0.0, target=80.0, unit="%", kind="percentage")
    _kr(db, org, objective, kind="milestone", due_on=date(2027, 2, 1))
    found = service.team_status(db, team_ids=[org.team.id], period=rows.PERIOD, today=date(2027, 2, 15))
    coverage, milestone = found[org.team.id][0].key_results
    assert coverage.expected == pytest.approx(45 / 89)  # 45 of the quarter's 89 day steps
    assert milestone.expected == 1.0
    assert milestone.progress == 0.0


def test_check_ins_are_refused_after_the_last_day_until_a_manager_reopens(db: Session, org: Org) -> None:
    objective = _objective(db, org)
    kr = _kr(db, org, objective)
    data = service.CheckInInput(7, 6, "", None)
    service.check_in(db, key_result=kr, data=data, user=org.member, now=IN_QUARTER)  # type: ignore[arg-type]
    with pytest.raises(Conflict) as raised:
        service.check_in(db, key_result=kr, data=data, user=org.member, now=AFTER)  # type: ignore[arg-type]
    assert raised.value.field == "value"
    assert raised.value.params == {"date": "2027-03-31"}

    service.reopen(db, objective=objective, user=org.manager, now=AFTER)  # type: ignore[arg-type]
    service.check_in(db, key_result=kr, data=data, user=org.member, now=AFTER)  # type: ignore[arg-type]
    service.close(db, objective=objective, user=org.manager)  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        service.check_in(db, key_result=kr, data=data, user=org.member, now=AFTER)  # type: ignore[arg-type]
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "objective").order_by(AuditEvent.id)
    ).all()
    assert actions == ["objective.create", "objective.reopen", "objective.close"]


def test_the_playbook_template_starts_an_empty_quarter_in_either_language(db: Session, org: Org) -> None:
    template = playbook.get("faster-to-production")
    made = playbook.adopt(
        db, team_id=org.team.id, period=rows.PERIOD, template=template, locale="ja", user=org.manager
    )
    [status] = service.team_status(db, team_ids=[org.team.id], period=rows.PERIOD)[org.team.id]
    assert status.title == "モデル開発からデプロイまでの時間を50%短縮する"
    assert status.id == made.id
    pipeline, coverage, dashboard = status.key_results
    assert (pipeline.kind, pipeline.due_on) == ("milestone", date(2027, 3, 31))  # three months, at most
    assert (coverage.kind, coverage.start, coverage.target, coverage.unit) == ("percentage", 0, 80, "%")
    assert (dashboard.kind, dashboard.due_on) == ("milestone", None)
    with pytest.raises(Conflict):
        playbook.adopt(
            db, team_id=org.team.id, period=rows.PERIOD, template=template, locale="en", user=org.manager
        )


def test_a_template_key_result_is_due_months_after_the_start_or_on_the_last_day() -> None:
    assert playbook.due(date(2027, 1, 31), date(2027, 12, 31), 1) == date(2027, 2, 28)
    assert playbook.due(date(2027, 1, 15), date(2027, 12, 31), 3) == date(2027, 4, 15)
    assert playbook.due(date(2027, 1, 15), date(2027, 3, 31), 3) == date(2027, 3, 31)
    assert playbook.due(date(2027, 1, 15), date(2027, 3, 31), None) is None


def test_every_template_reads_in_both_languages() -> None:
    for template in playbook.templates():
        assert template.title.en
        assert template.title.ja
        assert all(kr.title.en and kr.title.ja for kr in template.key_results)
    with pytest.raises(BadInput):
        playbook.get("no-such-template")
