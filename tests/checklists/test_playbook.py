"""The playbook's checklists as shipped data (both languages, proofs on known signals), and their entries
ticked by real syncs (the fake adapter's signals, the app's own followers), a person's choice standing."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.checklists.playbook import PLAYBOOK_FILES, PlaybookFileError, playbook_checklists
from app.models import AuditEvent
from app.signals import sync
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from app.sync_followers import FOLLOWERS
from tests import factories
from tests.factories import Org
from tests.signals.conftest import Script, source

TESTS = "git.ci.runs_tests"


def test_the_shipped_checklists_are_the_playbooks_in_both_languages() -> None:
    technical, organisational = playbook_checklists()
    assert (technical.id, organisational.id) == ("technical", "organisational")
    assert [e.id for e in technical.entries] == [
        "version-control", "automated-tests", "reproducible-environments", "monitoring-dashboard",
        "documentation",
    ]  # fmt: skip
    assert [e.id for e in organisational.entries] == [
        "cross-functional-team", "responsibility-and-authority", "continuous-learning", "business-metrics"
    ]  # fmt: skip
    assert all(e.text.en and e.text.ja for c in (technical, organisational) for e in c.entries)
    assert all(e.proof is not None for e in technical.entries)
    assert all(e.proof is None for e in organisational.entries)


def test_a_broken_checklist_file_names_each_problem_and_its_line(tmp_path: Path) -> None:
    text = """id: technical
name: {en: Technical, ja: 技術}
entries:
  - id: tests
    text: {en: Tests, ja: テスト}
    proof: {signal: git.ci.runs_testz, equals: true}
  - id: tests
    text: {en: Again}
"""
    with pytest.raises(PlaybookFileError) as failed:
        PLAYBOOK_FILES.load_text(text, "technical.yaml")
    problems = {(p.line, p.message) for p in failed.value.problems}
    assert (6, "unknown signal 'git.ci.runs_testz': did you mean git.ci.runs_tests?") in problems
    assert (8, "missing Japanese translation") in problems
    assert any("duplicate checklist item id 'tests'" in message for _, message in problems)


def _sync(context: Context, source_id: int) -> None:
    ran = sync.sync_source(dataclasses.replace(context, followers=FOLLOWERS), source_id=source_id)
    assert ran.status == "ok"


def _entry(client: TestClient, db: Session, org: Org, entry_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {factories.api_token(db, org.member)}"}
    lists = client.get(f"/api/v1/teams/{org.team.id}/checklists", headers=headers).json()["lists"]
    return next(e for c in lists for e in c["entries"] if e["entry_id"] == entry_id)


def test_a_sync_ticks_a_proven_playbook_entry_without_a_roadmap_and_unticks_it_when_the_proof_goes(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    fake.signals = [Signal(TESTS, 1, "bool")]
    repo = source(db, org.team)
    db.commit()
    _sync(context, repo.id)
    entry = _entry(client, db, org, "automated-tests")
    assert (entry["status"], entry["ticked_by"], entry["changed_by"]) == ("done", "evidence", None)
    assert (entry["evidence"]["signal"], entry["evidence"]["holds"]) == (TESTS, True)
    assert _entry(client, db, org, "documentation")["status"] == "not_started"
    fake.signals = [Signal(TESTS, 0, "bool")]
    _sync(context, repo.id)
    entry = _entry(client, db, org, "automated-tests")
    assert (entry["status"], entry["ticked_by"], entry["evidence"]["holds"]) == ("not_started", None, False)
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_id.endswith("automated-tests"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["checklist.tick", "checklist.untick"]


def test_a_persons_not_done_and_not_applicable_stand_against_the_evidence(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    fake.signals = [Signal(TESTS, 1, "bool"), Signal("git.docs.readme", 1, "bool")]
    repo = source(db, org.team)
    db.commit()
    _sync(context, repo.id)
    headers = {"Authorization": f"Bearer {factories.api_token(db, org.member)}"}
    base = f"/api/v1/teams/{org.team.id}/checklists/playbook/technical"
    untick = client.patch(f"{base}/automated-tests", json={"status": "in_progress"}, headers=headers)
    assert untick.status_code == 200, untick.text
    assert (untick.json()["status"], untick.json()["overrides_evidence"]) == ("in_progress", True)
    skip = client.patch(
        f"{base}/monitoring-dashboard",
        json={"status": "not_applicable", "na_reason": "Batch only"},
        headers=headers,
    )
    assert skip.status_code == 200
    fake.signals.append(Signal("git.monitoring.configured", 1, "bool"))
    _sync(context, repo.id)
    assert _entry(client, db, org, "automated-tests")["status"] == "in_progress"
    assert _entry(client, db, org, "monitoring-dashboard")["status"] == "not_applicable"
    assert _entry(client, db, org, "documentation")["ticked_by"] == "evidence"
