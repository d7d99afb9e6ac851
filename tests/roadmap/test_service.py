"""The roadmap service: generate from an assessment, replay pins and drops, statuses, versions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import AuditEvent
from app.roadmap import service
from app.roadmap.planner.plan import Move
from tests import factories
from tests.factories import Org


def _generate(db: Session, org: Org) -> service.RoadmapView:
    roadmap = service.generate_for_team(db, team=org.team, user=org.manager, now=utcnow())
    return service.view(db, roadmap=roadmap)


def test_generates_from_the_latest_mlops_full_assessment(db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    view = _generate(db, org)
    assert view.version.number == 1
    assert view.plan.items
    assert view.version.inputs["model"] == "mlops-full"
    assert db.query(AuditEvent).filter_by(action="roadmap.generate").count() == 1


def test_regeneration_keeps_pins_and_drops_and_removes_closed_gaps(db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "mlops-full")
    first = factories.assessment(db, org.team, model, period="2026-Q2", level=1, submitted=True)
    view = _generate(db, org)
    pinned, dropped = view.plan.items[0].id, view.plan.items[1].id
    service.add_edit(
        db, roadmap=view.roadmap, edit=service.pin_where_it_is(view.plan, pinned), user=org.manager
    )
    service.add_edit(db, roadmap=view.roadmap, edit=service.drop(dropped), user=org.manager)
    later = factories.assessment(db, org.team, model, period="2026-Q3", level=1, submitted=True)
    closed = view.plan.items[2].capability_id
    _raise_capability(db, later, closed)
    assert first.id != later.id
    again = _generate(db, org)
    assert again.version.number == 2
    assert pinned in again.pinned
    assert again.plan.item(pinned) is not None
    assert again.plan.item(dropped) is None
    assert dropped in {d.id for d in again.plan.dropped}
    assert again.plan.item(closed) is None
    assert closed in again.version.diff["removed"]


def _raise_capability(db: Session, assessment: object, capability_id: str | None) -> None:
    """Answer every question of one capability at level 4."""
    from app.maturity import service as maturity_service
    from app.models import Answer

    model = maturity_service.parsed(factories.maturity_model(db, "mlops-full"))
    capability = next(c for c in model.capabilities() if c.id == capability_id)
    for question in capability.questions:
        top = max((c for c in question.choices if c.level is not None), key=lambda c: c.level or 0)
        row = db.query(Answer).filter_by(assessment_id=assessment.id, question_id=question.id).one()  # type: ignore[attr-defined]
        row.choice_id = top.id
    db.flush()


def test_playbook_base_assessment_names_what_was_not_assessed(db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "playbook-base")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    view = _generate(db, org)
    assert view.version.inputs["model"] == "playbook-base"
    assert view.version.inputs["not_assessed"]


def test_status_and_rollup(db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    view = _generate(db, org)
    item = view.plan.items[0]
    service.set_status(
        db, roadmap=view.roadmap, item_id=item.id, status="done", progress=None, user=org.member, now=utcnow()
    )
    view = service.view(db, roadmap=view.roadmap)
    assert view.progress(item.id) == 100
    assert 0 < view.rollup() <= 100
    assert view.rollup([item.id]) == 100


def test_a_bad_edit_is_refused_and_nothing_is_written(db: Session, org: Org) -> None:
    import pytest

    from app.errors import BadInput

    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    view = _generate(db, org)
    with pytest.raises(BadInput):
        service.add_edit(db, roadmap=view.roadmap, edit=Move(view.plan.items[0].id, 12), user=org.manager)
    assert not service.view(db, roadmap=view.roadmap).edits
