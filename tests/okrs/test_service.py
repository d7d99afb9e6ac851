"""The OKR service: the many-teams read, check-ins that land once, adopting the roadmap's suggestions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, CheckIn, KeyResult, Objective
from app.okrs import adopt, service
from app.roadmap import service as roadmap_service
from tests import factories
from tests.factories import Org
from tests.okrs import rows

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def test_current_period_is_the_calendar_quarter() -> None:
    assert service.current_period(date(2027, 1, 1)) == "2027-Q1"
    assert service.current_period(date(2027, 6, 30)) == "2027-Q2"
    assert service.current_period(date(2026, 12, 31)) == "2026-Q4"


def test_shift_period_crosses_years() -> None:
    assert service.shift_period("2027-Q1", -1) == "2026-Q4"
    assert service.shift_period("2026-Q4", 2) == "2027-Q2"


def test_team_status_has_every_asked_team_and_objectives_in_position_order(db: Session, org: Org) -> None:
    first = rows.objective(db, org.team, org.manager, "First")
    second = rows.objective(db, org.team, org.manager, "Second")
    rows.objective(db, org.team, org.manager, "Other quarter", period="2026-Q4")
    kr = rows.key_result(db, first, org.manager, start=0, target=10, owner=org.member)
    rows.key_result(db, first, org.manager, kind="milestone", start=0, target=1)
    service.check_in(db, key_result=kr, data=service.CheckInInput(5, 8, "", None), user=org.member, now=NOW)

    found = service.team_status(db, team_ids=[org.team.id, org.other_team.id], period=rows.PERIOD)

    assert found[org.other_team.id] == []
    assert [o.id for o in found[org.team.id]] == [first.id, second.id]
    status = found[org.team.id][0]
    assert status.progress == pytest.approx(0.25)  # (0.5 + 0) / 2
    assert status.key_results[0].status == "on_track"
    assert status.key_results[0].owner_name == org.member.name
    assert status.key_results[1].status is None
    assert found[org.team.id][1].progress == 0.0


def test_check_in_updates_the_key_result_and_is_audited(db: Session, org: Org) -> None:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager)
    service.check_in(
        db, key_result=kr, data=service.CheckInInput(3, 4, "slow", "t1"), user=org.member, now=NOW
    )
    db.refresh(kr)
    assert (kr.current_value, kr.confidence) == (3, 4)
    assert kr.checked_in_at is not None
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(kr.id))).all()
    assert "key_result.check_in" in actions


def test_the_same_client_token_lands_once(db: Session, org: Org) -> None:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager)
    data = service.CheckInInput(3, 4, "", "same")
    first = service.check_in(db, key_result=kr, data=data, user=org.member, now=NOW)
    again = service.check_in(db, key_result=kr, data=data, user=org.member, now=NOW)
    assert first.id == again.id
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_a_concurrent_twin_that_wins_the_insert_is_returned_not_an_error(
    db: Session, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager)
    twin = CheckIn(key_result_id=kr.id, value=1, confidence=5, client_token="race", created_at=NOW)
    db.add(twin)
    db.flush()
    lookups = iter([None])  # the first look-up misses the twin, as it would before the twin committed
    real = service._by_token
    monkeypatch.setattr(service, "_by_token", lambda s, k, t: next(lookups, real(s, k, t)))

    got = service.check_in(
        db, key_result=kr, data=service.CheckInInput(1, 5, "", "race"), user=org.member, now=NOW
    )

    assert got.id == twin.id
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_deleting_an_objective_removes_its_key_results_and_check_ins(db: Session, org: Org) -> None:
    objective = rows.objective(db, org.team, org.manager)
    kr = rows.key_result(db, objective, org.manager)
    service.check_in(db, key_result=kr, data=service.CheckInInput(1, 5, "", None), user=org.member, now=NOW)
    loaded = service.get_objective(db, team_id=org.team.id, objective_id=objective.id)
    service.delete_objective(db, objective=loaded, user=org.manager)
    assert db.scalar(select(func.count()).select_from(KeyResult)) == 0
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0


def _roadmap(db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    roadmap_service.generate_for_team(db, team=org.team, user=org.manager, now=NOW)


def test_adopting_the_roadmaps_suggestions_twice_adds_nothing_the_second_time(db: Session, org: Org) -> None:
    _roadmap(db, org)
    suggested = adopt.suggestions(db, team_id=org.team.id)
    assert suggested, "the generated roadmap should suggest OKRs"

    first = adopt.adopt(db, team=org.team, locale="ja", user=org.manager)
    second = adopt.adopt(db, team=org.team, locale="ja", user=org.manager)

    assert first.key_results == sum(len(s.key_results) for s in suggested)
    assert (second.objectives, second.key_results, second.periods) == (0, 0, ())
    adopted = db.scalars(select(Objective).where(Objective.team_id == org.team.id)).all()
    assert first.objectives == len(adopted)
    assert {o.catalogue_id for o in adopted} == {s.id for s in suggested}
    assert adopted[0].title == next(s for s in suggested if s.id == adopted[0].catalogue_id).text.ja
    krs = db.scalars(select(KeyResult)).all()
    assert all(kr.catalogue_id and kr.roadmap_item_id for kr in krs)


def test_adopted_milestones_go_from_zero_to_one_and_at_most_targets_count_down(db: Session, org: Org) -> None:
    _roadmap(db, org)
    adopt.adopt(db, team=org.team, locale="en", user=org.manager)
    for kr in db.scalars(select(KeyResult)):
        if kr.kind == "milestone":
            assert (kr.start_value, kr.target_value) == (0, 1)
        elif "≤" in kr.title:
            assert kr.start_value > kr.target_value
        else:
            assert kr.start_value < kr.target_value
