"""An organisation with a row in every table the export carries: the demo data, plus the rows the demo
does not make (RACI, evidence reviews, checklist marks and entry states, an incident review that led to
a roadmap item, a source with credentials, runs and signals, audit events), and the secrets an export
must leave out (sessions, API tokens, invitation links)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session

from app import demo, migrate
from app import models as m
from app.audit import service as audit
from app.auth import service as auth_service
from app.auth import tokens
from app.db import make_engine, make_session_factory, session_scope
from app.kit.time import utcnow
from app.roadmap import service as roadmap_service
from app.roadmap.planner.plan import Drop
from app.signals import secrets as source_secrets
from app.transfer.tables import EXPORTED
from app.users import service as users_service
from tests.conftest import reset_database

SECRET_KEY = "transfer-test-" + "k" * 40
CREDENTIAL = "mlflow-token-that-must-never-leave"
HOSHIN = [sys.executable, "-m", "app.cli"]


@dataclass(frozen=True)
class Secrets:
    """What the organisation holds that no export may contain."""

    values: tuple[str, ...]


def database_url(tmp: Path, name: str) -> str:
    """A database of its own for one instance: on the test PostgreSQL server when tests run there."""
    server = os.environ.get("HOSHIN_TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp / f'{name}.sqlite3'}"
    url = make_url(server)
    return url.set(database=f"{url.database}_{name}").render_as_string(hide_password=False)


def fresh_instance(url: str) -> None:
    """An empty, migrated database."""
    reset_database(url)
    migrate.upgrade(url)


def filled_instance(url: str) -> Secrets:
    """A migrated database with the organisation in it (committed)."""
    fresh_instance(url)
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            demo.load(session, organisation_name="Transfer Org")
            return fill(session)
    finally:
        engine.dispose()


def fill(session: Session) -> Secrets:
    """Rows the demo lacks, in the first team, and secrets beside them."""
    now = utcnow()
    team = session.scalars(select(m.Team).order_by(m.Team.slug)).first()
    assert team is not None
    admin = session.scalars(select(m.User).where(m.User.role == "admin")).one()
    assessment = session.scalars(select(m.Assessment).where(m.Assessment.team_id == team.id)).first()
    roadmap = session.scalars(select(m.Roadmap).where(m.Roadmap.team_id == team.id)).one()
    plan = session.scalars(
        select(m.RoadmapVersion.plan).where(m.RoadmapVersion.roadmap_id == roadmap.id)
    ).first()
    assert plan is not None
    roadmap_service.add_edit(session, roadmap=roadmap, edit=Drop(plan["items"][-1]["id"]), user=admin)
    session.add(m.RaciAssignment(team_id=team.id, capability_id="ci-cd", team_role="ml_engineer", letter="R"))
    assert assessment is not None
    session.add(
        m.EvidenceReview(
            assessment_id=assessment.id,
            question_id="q-ci",
            capability_id="ci-cd",
            verdict="dismissed",
            reason="「評価」は手作業です",
            evidence=[{"key": "git.ci_runs", "value": 3, "says": {"en": "3 runs", "ja": "3 回"}}],
            user_id=admin.id,
        )
    )
    evidence = {"signal": "git.ci_runs", "value": 3, "unit": "runs", "source": "repo", "holds": True}
    session.add(
        m.ChecklistTick(
            roadmap_id=roadmap.id, item_id="transfer-item", entry_id="e1", by_evidence=True, evidence=evidence
        )
    )
    session.add(
        m.ChecklistUntick(
            roadmap_id=roadmap.id, item_id="transfer-item", entry_id="e2", undone_by_id=admin.id
        )
    )
    session.add_all(
        [
            m.ChecklistEntryState(
                team_id=team.id,
                source="playbook",
                list_id="technical",
                entry_id="monitoring-dashboard",
                status="in_progress",
                owner_id=admin.id,
                due=date(2027, 3, 31),
                note="ダッシュボードは Grafana で",
                link="https://wiki.example.com/dashboards",
                done_by_evidence=True,
                evidence=evidence,
                changed_by_id=admin.id,
                changed_at=now,
            ),
            m.ChecklistEntryState(
                team_id=team.id,
                source="roadmap",
                list_id="transfer-item",
                entry_id="e2",
                status="not_applicable",
                na_reason="No GPU jobs",
                kept_undone=True,
            ),
        ]
    )
    session.add(
        m.LearningSession(
            team_id=team.id,
            held_on=date(2026, 11, 30),
            kind="incident_review",
            topic="障害の振り返り",
            lessons="Alert on drift",
            led_to_item=plan["items"][0]["id"],
            created_by_id=admin.id,
            updated_by_id=admin.id,
            created_at=now,
            updated_at=now,
            attendees=[m.LearningAttendee(user_id=admin.id)],
        )
    )
    _okrs_and_review(session, team, admin, now)
    credentials = source_secrets.encrypt(source_secrets.Credentials(token=CREDENTIAL), secret_key=SECRET_KEY)
    source = m.Source(
        team_id=team.id,
        kind="mlflow",
        name="Tracking",
        url="https://mlflow.example.com",
        credentials=credentials,
    )
    run = m.SyncRun(started_at=now, finished_at=now, status="ok", counts={"runs": 2}, duration_ms=40)
    source.runs = [run]
    session.add(source)
    session.flush()
    session.add(
        m.SignalValue(
            source_id=source.id,
            sync_run_id=run.id,
            key="mlflow.runs",
            value=2.0,
            unit="runs",
            observed_at=now,
        )
    )
    audit.record(
        session,
        actor=admin,
        action="team.update",
        object_type="team",
        object_id=team.id,
        before={"name": "old"},
        after={"name": team.name},
    )
    token = tokens.create(session, user=admin, name="script").secret
    cookie = auth_service.start_session(session, user=admin, now=now, absolute=timedelta(hours=1))
    invitation = users_service.invite(
        session, email="new@example.com", role="member", actor=admin, now=now
    ).token
    session.flush()
    hashes = [h for h in session.scalars(select(m.User.password_hash)) if h]
    hashes += list(session.scalars(select(m.ApiToken.token_hash)))
    hashes += list(session.scalars(select(m.UserSession.token_hash)))
    hashes += list(session.scalars(select(m.OneTimeLink.token_hash)))
    return Secrets((SECRET_KEY, CREDENTIAL, credentials, token, cookie, invitation, *hashes))


def _okrs_and_review(session: Session, team: m.Team, admin: m.User, now: datetime) -> None:
    """An organisation objective a team objective with its own dates contributes to, a reopened one, a
    milestone due on a day going down, and a review (two versions) whose action became that key result."""
    org = m.OrgObjective(
        period="2027-Q1",
        title="全社で MLOps を",
        description="Lead",
        owner_id=admin.id,
        position=2,
        created_by_id=admin.id,
    )
    session.add(org)
    session.flush()
    key_result = m.KeyResult(
        title="Lead time down",
        kind="numeric",
        start_value=10.0,
        target_value=2.0,
        unit="d",
        direction="down",
        due_on=date(2027, 2, 28),
        position=0,
    )
    objective = m.Objective(
        team_id=team.id,
        period="2027-Q1",
        title="Ship weekly",
        owner_id=admin.id,
        starts_on=date(2027, 1, 15),
        ends_on=date(2027, 3, 15),
        org_objective_id=org.id,
        reopened_at=now,
        position=9,
        key_results=[key_result],
    )
    session.add(objective)
    session.flush()
    action = {"id": "a1b2c3d4", "text": "Cut lead time", "roadmap_item_id": "transfer-item"}
    linked = {**action, "key_result_id": key_result.id, "key_result_period": "2027-Q1"}
    for version, actions in ((1, [action]), (2, [linked])):
        session.add(
            m.QuarterlyReview(
                team_id=team.id,
                period="2026-Q4",
                version=version,
                went_well="速くなった",
                bottleneck="Reviews",
                patterns=["no-monitoring"],
                actions=actions,
                created_by_id=admin.id,
            )
        )


def row_counts(url: str) -> dict[str, int]:
    """Rows per exported table."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = m.Base.metadata.tables
            return {
                name: connection.scalar(select(func.count()).select_from(tables[name])) or 0
                for name in EXPORTED
            }
    finally:
        engine.dispose()


def hoshin(*args: str, url: str, var: Path) -> subprocess.CompletedProcess[str]:
    """The `hoshin` command on the instance at `url`, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSHIN_")}
    env |= {"HOSHIN_DATABASE_URL": url, "HOSHIN_VAR_DIR": str(var), "HOSHIN_SECRET_KEY": SECRET_KEY}
    return subprocess.run([*HOSHIN, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def comparable(text: str) -> dict[str, Any]:
    """An export without the moment it was made: what must match between two exports."""
    document: dict[str, Any] = json.loads(text)
    document.pop("exported_at")
    return document
