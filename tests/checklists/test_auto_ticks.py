"""Checklist entries a signal proves, ticked by real syncs (the fake adapter's signals, the app's own
followers) and read back through the JSON API and the pages, in both languages."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit.time import format_local, utcnow
from app.models import AuditEvent, ChecklistTick, ChecklistUntick
from app.roadmap import service as roadmap_service
from app.signals import sync
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from app.sync_followers import FOLLOWERS
from tests import factories
from tests.access.conftest import act_as
from tests.checklists.helpers import Entry, generate, tick
from tests.conftest import csrf_token
from tests.factories import Org
from tests.signals.conftest import Script, source

LINT = Entry("ci-cd", "lint-on-push")
LINTS = "git.ci.lints"


def _sync(context: Context, source_id: int) -> None:
    assert (
        sync.sync_source(dataclasses.replace(context, followers=FOLLOWERS), source_id=source_id).status
        == "ok"
    )


def _entries(client: TestClient, team_id: int) -> dict[str, dict[str, Any]]:
    answer = client.get(f"/api/v1/teams/{team_id}/roadmap/checklist")
    assert answer.status_code == 200, answer.text
    return {f"{i['item_id']}/{e['entry_id']}": e for i in answer.json()["items"] for e in i["entries"]}


def _lint(client: TestClient, team_id: int) -> dict[str, Any]:
    return _entries(client, team_id)["ci-cd/lint-on-push"]


def _entry_html(client: TestClient, team_id: int, *, locale: str = "en") -> str:
    page = client.get(f"/teams/{team_id}/roadmap/action-plan", headers={"Accept-Language": locale})
    assert page.status_code == 200
    start = page.text.index('id="check-ci-cd--lint-on-push"')
    return page.text[start : page.text.index("</div>", start)]


def _audit(db: Session) -> list[tuple[str, int | None]]:
    query = select(AuditEvent.action, AuditEvent.actor_id).where(
        AuditEvent.object_id.endswith("lint-on-push")
    )
    return list(db.execute(query.order_by(AuditEvent.id)))


@pytest.fixture
def planned(client: TestClient, db: Session, org: Org) -> Org:
    """The main team with a generated roadmap whose CI/CD item has the lint-on-push entry."""
    generate(client, db, org)
    assert "ci-cd/lint-on-push" in _entries(client, org.team.id)
    return org


def test_a_sync_ticks_the_proven_entry_with_its_evidence_and_a_later_sync_without_it_unticks_it(
    client: TestClient, db: Session, planned: Org, fake: Script, context: Context
) -> None:
    org = planned
    fake.signals = [Signal(LINTS, 1, "bool"), Signal("git.ci.configured", 1, "bool")]
    repo = source(db, org.team)
    db.commit()
    _sync(context, repo.id)

    entries = _entries(client, org.team.id)
    lint = entries["ci-cd/lint-on-push"]
    assert (lint["done"], lint["ticked_by"], lint["done_by"], lint["overrides_evidence"]) == (
        True,
        "evidence",
        None,
        False,
    )
    assert lint["proved_by_signal"] is True
    evidence = lint["evidence"]
    assert (evidence["signal"], evidence["value"], evidence["source"], evidence["holds"]) == (
        LINTS,
        1.0,
        "model-repo",
        True,
    )
    assert evidence["signal_name"] == {
        "en": "CI lints or type-checks",
        "ja": "CI が静的解析や型チェックを行う",
    }
    assert evidence["source_id"] == repo.id
    # only the entry the signals prove: nothing else is done, and an entry without a proof has no evidence
    assert [key for key, e in entries.items() if e["done"]] == ["ci-cd/lint-on-push"]
    package = entries["ci-cd/package-image"]
    assert (package["proved_by_signal"], package["evidence"], package["ticked_by"]) == (False, None, None)
    assert _audit(db) == [("checklist.tick", None)]  # by the system

    html = _entry_html(client, org.team.id)
    assert "checked" in html
    assert "Done — from evidence: CI lints or type-checks: yes (model-repo, " in html
    assert " ago)" in html or "now)" in html
    report = client.get(f"/reports/teams/{org.team.id}/action-plan")
    assert report.status_code == 200
    row = report.text[report.text.index("Add a GitHub Actions workflow that lints") :]
    assert "From evidence" in row[: row.index("</tr>")]

    # the signal says no: the evidence's tick goes
    fake.signals = [Signal(LINTS, 0, "bool")]
    _sync(context, repo.id)
    lint = _lint(client, org.team.id)
    assert (lint["done"], lint["ticked_by"], lint["undone_by"], lint["overrides_evidence"]) == (
        False,
        None,
        None,
        False,
    )
    assert _audit(db) == [("checklist.tick", None), ("checklist.untick", None)]
    assert "checked" not in _entry_html(client, org.team.id)

    # back, then the signal disappears altogether: unticked again
    fake.signals = [Signal(LINTS, 1, "bool")]
    _sync(context, repo.id)
    assert _lint(client, org.team.id)["ticked_by"] == "evidence"
    fake.signals = []
    _sync(context, repo.id)
    assert _lint(client, org.team.id)["done"] is False
    assert db.scalars(select(ChecklistTick)).all() == []


def test_any_source_of_the_team_can_prove_an_entry_and_a_failed_sync_changes_nothing(
    client: TestClient, db: Session, planned: Org, fake: Script, context: Context
) -> None:
    org = planned
    app_repo, model_repo = source(db, org.team, name="app-repo"), source(db, org.team, name="model-repo")
    db.commit()
    fake.signals = [Signal(LINTS, 0, "bool")]
    _sync(context, app_repo.id)
    assert _lint(client, org.team.id)["done"] is False
    fake.signals = [Signal(LINTS, 1, "bool")]
    _sync(context, model_repo.id)
    lint = _lint(client, org.team.id)
    assert (lint["done"], lint["evidence"]["source"]) == (True, "model-repo")
    # the other source syncing again (still no) leaves the proof standing: model-repo's last good sync holds
    fake.signals = [Signal(LINTS, 0, "bool")]
    _sync(context, app_repo.id)
    assert _lint(client, org.team.id)["ticked_by"] == "evidence"
    from tests.signals.conftest import failing

    fake.error = failing()
    assert sync.sync_source(
        dataclasses.replace(context, followers=FOLLOWERS), source_id=model_repo.id
    ).status == ("failed")
    assert _lint(client, org.team.id)["ticked_by"] == "evidence"


def test_a_persons_tick_survives_the_evidence_disappearing_and_the_page_says_they_differ(
    client: TestClient, db: Session, planned: Org, fake: Script, context: Context
) -> None:
    org = planned
    act_as(client, db, org.member)
    put = client.put(
        f"/api/v1/teams/{org.team.id}/roadmap/items/ci-cd/checklist/lint-on-push",
        json={"done": True},
        headers={"X-CSRF-Token": csrf_token(client)},
    )
    assert put.status_code == 200, put.text
    lint = _lint(client, org.team.id)
    assert (lint["ticked_by"], lint["done_by"], lint["evidence"]) == ("person", org.member.name, None)

    repo = source(db, org.team)
    db.commit()
    fake.signals = [Signal(LINTS, 1, "bool")]
    _sync(context, repo.id)
    lint = _lint(client, org.team.id)
    assert (lint["ticked_by"], lint["evidence"]["holds"], lint["overrides_evidence"]) == (
        "person",
        True,
        False,
    )

    fake.signals = [Signal(LINTS, 0, "bool")]
    _sync(context, repo.id)
    lint = _lint(client, org.team.id)
    assert (lint["done"], lint["ticked_by"], lint["done_by"]) == (True, "person", org.member.name)
    assert (lint["evidence"]["holds"], lint["overrides_evidence"]) == (False, True)
    html = _entry_html(client, org.team.id)
    assert "Done by member" in html
    assert "The evidence says not done: CI lints or type-checks: no (model-repo, " in html
    assert "Ticked by a person, so it stays done." in html

    fake.signals = []
    _sync(context, repo.id)
    lint = _lint(client, org.team.id)
    assert (lint["done"], lint["ticked_by"], lint["evidence"], lint["overrides_evidence"]) == (
        True,
        "person",
        None,
        False,
    )
    assert [action for action, _ in _audit(db)] == ["checklist.tick"]  # the person's only


def test_a_persons_untick_of_an_evidence_tick_is_kept_across_syncs_and_shown(
    client: TestClient, db: Session, planned: Org, fake: Script, context: Context
) -> None:
    org = planned
    repo = source(db, org.team)
    db.commit()
    fake.signals = [Signal(LINTS, 1, "bool")]
    _sync(context, repo.id)
    act_as(client, db, org.member)
    answer = tick(client, org.team.id, LINT, done=False)
    assert answer.status_code == 200
    assert "checked" not in answer.text
    assert "The evidence says done: CI lints or type-checks: yes (model-repo, " in answer.text
    day = format_local(utcnow(), tz="UTC", locale="en", with_time=False)
    assert f"Unticked by member on {day}." in answer.text
    assert _audit(db) == [("checklist.tick", None), ("checklist.untick", org.member.id)]

    for _ in range(2):  # the evidence still says done; the person's choice stands
        _sync(context, repo.id)
        lint = _lint(client, org.team.id)
        assert (lint["done"], lint["undone_by"], lint["overrides_evidence"]) == (False, org.member.name, True)
        assert lint["undone_at"] is not None
        assert lint["evidence"]["holds"] is True
    assert len(_audit(db)) == 2

    # the evidence going quiets the disagreement, but the choice is still kept
    fake.signals = [Signal(LINTS, 0, "bool")]
    _sync(context, repo.id)
    lint = _lint(client, org.team.id)
    assert (lint["done"], lint["overrides_evidence"], lint["undone_by"]) == (False, False, org.member.name)
    fake.signals = [Signal(LINTS, 1, "bool")]
    _sync(context, repo.id)
    assert _lint(client, org.team.id)["done"] is False

    # ticking it again (while the signal says no) is the person's tick: the kept untick goes, the entry
    # says at once that the evidence disagrees, and the evidence no longer decides
    fake.signals = [Signal(LINTS, 0, "bool")]
    _sync(context, repo.id)
    ticked = tick(client, org.team.id, LINT)
    assert ticked.status_code == 200
    assert "The evidence says not done: CI lints or type-checks: no (model-repo, " in ticked.text
    assert db.scalars(select(ChecklistUntick)).all() == []
    fake.signals = []
    _sync(context, repo.id)
    lint = _lint(client, org.team.id)
    assert (lint["done"], lint["ticked_by"]) == (True, "person")


def test_other_teams_are_untouched_and_a_team_without_a_roadmap_syncs_as_before(
    client: TestClient, db: Session, planned: Org, fake: Script, context: Context
) -> None:
    org = planned
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.other_team, model, level=1, submitted=True)
    other = roadmap_service.generate_for_team(db, team=org.other_team, user=org.admin, now=utcnow())
    db.commit()
    fake.signals = [Signal(LINTS, 1, "bool")]
    _sync(context, source(db, org.team).id)
    ticked = db.scalars(select(ChecklistTick)).all()
    assert [(t.roadmap_id, t.entry_id, t.by_evidence) for t in ticked] == [
        (roadmap_service.get(db, team_id=org.team.id).id, "lint-on-push", True)  # type: ignore[union-attr]
    ]
    assert all(t.roadmap_id != other.id for t in ticked)

    # a team with a source and no roadmap: the sync is fine and ticks nothing
    third = factories.team(db, org.organisation, "Ranking")
    db.commit()
    lone = source(db, third)
    db.commit()
    _sync(context, lone.id)
    assert len(db.scalars(select(ChecklistTick)).all()) == 1


def test_the_evidence_reads_in_japanese(
    client: TestClient, db: Session, planned: Org, fake: Script, context: Context
) -> None:
    org = planned
    repo = source(db, org.team)
    db.commit()
    fake.signals = [Signal(LINTS, 1, "bool")]
    _sync(context, repo.id)
    html = _entry_html(client, org.team.id, locale="ja")
    assert "完了（エビデンスより）：CI が静的解析や型チェックを行う：はい（model-repo、" in html
    act_as(client, db, org.member)
    answer = client.post(
        LINT.url(org.team.id),
        data={"csrf_token": csrf_token(client)},
        headers={"HX-Request": "true", "Accept-Language": "ja"},
    )
    assert "エビデンスでは完了：CI が静的解析や型チェックを行う：はい（model-repo、" in answer.text
    assert "member さんがチェックを外しました" in answer.text


def test_every_proof_in_the_catalogue_names_a_signal_the_adapters_measure() -> None:
    from app.catalogue.loader import builtin_catalogue

    catalogue = builtin_catalogue()
    proofs = {
        f"{c.id}/{e.id}": e.proof.signal
        for c in catalogue.capabilities
        for e in c.checklist
        if e.proof is not None
    }
    assert proofs["ci-cd/lint-on-push"] == LINTS
    assert len(proofs) >= 8
    assert all(catalogue.signal(key) is not None for key in proofs.values())


@dataclasses.dataclass(frozen=True)
class _Plan:
    items: tuple[Any, ...]

    def item(self, item_id: str) -> Any:
        return next((i for i in self.items if i.id == item_id), None)


def test_an_evidence_tick_goes_when_its_entry_loses_its_proof_and_a_persons_tick_stays(
    client: TestClient, db: Session, planned: Org, fake: Script, context: Context
) -> None:
    from app.checklists import service
    from app.checklists.proofs import team_observations

    org = planned
    repo = source(db, org.team)
    db.commit()
    fake.signals = [Signal(LINTS, 1, "bool"), Signal("git.deps.locked", 1, "bool")]
    _sync(context, repo.id)
    roadmap, plan = roadmap_service.current_plan(db, team_id=org.team.id)
    service.set_done(
        db,
        roadmap=roadmap,
        plan=plan,
        item_id="ci-cd",
        entry_id="package-image",
        done=True,
        user=org.member,
        now=utcnow(),
    )
    ci = plan.item("ci-cd")
    assert ci is not None
    unproved = dataclasses.replace(
        ci, checklist=tuple(e.model_copy(update={"proof": None}) for e in ci.checklist)
    )
    changes = service.apply_evidence(
        db,
        roadmap=roadmap,
        plan=_Plan(tuple(unproved if i.id == "ci-cd" else i for i in plan.items)),
        observed=team_observations(db, team_id=org.team.id),
        now=utcnow(),
    )
    assert changes.unticked == ("ci-cd/lint-on-push",)
    assert changes.ticked == ()
    db.commit()
    entries = _entries(client, org.team.id)
    assert entries["ci-cd/lint-on-push"]["done"] is False
    assert entries["ci-cd/package-image"]["ticked_by"] == "person"
