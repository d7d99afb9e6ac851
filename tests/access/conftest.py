"""Personas signed in without a password round-trip (argon2 is slow), the ids every route needs, and one
app for all the tests of a module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.auth import service as auth_service
from app.kit.time import utcnow
from app.main import create_app
from app.maturity import service as maturity_service
from app.models import LearningSession, Membership, QuarterlyReview, Source, User
from app.okrs.org import service as org_service
from app.users import service as users_service
from tests import factories
from tests.conftest import bind, csrf_token, settings_for
from tests.factories import Org
from tests.okrs import rows as okr_rows

PERSONAS = ("admin", "manager", "member", "viewer", "outsider", "anonymous")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, database_url: str, engine: Engine) -> FastAPI:
    """One app for a module's tests, as one server process serves every request. These modules send a
    request or two per test, well over a thousand tests; FastAPI builds an app's routes on its first
    requests (~0.4 s), which an app per test paid every time. Each test still has its own transaction."""
    return create_app(settings_for(tmp_path_factory.mktemp("var"), database_url), engine=engine)


@pytest.fixture
def app(served: FastAPI, session_factory: sessionmaker[Session]) -> FastAPI:
    return bind(served, session_factory)


def act_as(client: TestClient, db: Session, user: User | None) -> None:
    """Give the client a signed-in session for `user` (None: stay anonymous), and a CSRF cookie."""
    csrf_token(client)
    if user is None:
        return
    token = auth_service.start_session(db, user=user, now=utcnow(), absolute=timedelta(hours=1))
    db.commit()
    client.cookies.set("hoshin_session", token, domain="testserver.local")


@dataclass(frozen=True)
class World:
    org: Org
    params: dict[str, object]  # path parameter → value for the org's main team


@pytest.fixture
def world(db: Session, org: Org) -> World:
    model = factories.maturity_model(db, "playbook-base")
    factories.maturity_model(db, "mlops-full")
    assessment = factories.assessment(db, org.team, model)
    membership = db.query(Membership).filter_by(team_id=org.team.id, user_id=org.member.id).one()
    now = utcnow()
    invite = users_service.invite(db, email="new@example.com", role="member", actor=org.admin, now=now)
    reset = users_service.password_reset_link(db, user=org.member, actor=org.admin, now=now)
    question = maturity_service.parsed(model).questions()[0]
    key_result = okr_rows.key_result(db, okr_rows.objective(db, org.team, org.manager), org.manager)
    org_objective = org_service.create(
        db, period=okr_rows.PERIOD, data=org_service.OrgObjectiveInput("Lead", "", None), user=org.admin
    )
    source = Source(team_id=org.team.id, kind="git", name="repo", url="/nowhere/repo.git", branch="main")
    db.add(source)
    learning = LearningSession(
        team_id=org.team.id, held_on=now.date(), kind="study", topic="MLflow", lessons=""
    )
    db.add(learning)
    action = {"id": "a1", "text": "Automate the tests"}
    db.add(QuarterlyReview(team_id=org.team.id, period="2027-Q1", version=1, actions=[action]))
    db.commit()
    params: dict[str, object] = {
        "team_id": org.team.id,
        "membership_id": membership.id,
        "user_id": org.member.id,
        "assessment_id": assessment.id,
        "question_id": question.id,
        "slug": model.slug,
        "model": model.slug,
        "invite_token": invite.token,
        "reset_token": reset.token,
        "objective_id": key_result.objective_id,
        "key_result_id": key_result.id,
        "source_id": source.id,
        "learning_session_id": learning.id,
        "period": "2027-Q1",
        "action_id": "a1",
        "org_objective_id": org_objective.id,
    }
    return World(org, params)
