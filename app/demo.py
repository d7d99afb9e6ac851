"""Demo organisation: three teams at visibly different maturity, two submitted quarters and a draft each.

Recommendations took the full model two quarters ago and only the base framework last quarter, so its
plan shows levels from two assessments (each capability's latest) and the dashboard names the model."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.kit.time import quarter_of, utcnow
from app.learning import demo as learning_demo
from app.maturity import service as maturity_service
from app.maturity.schema import MaturityModel, Question
from app.models import Answer, Assessment, Membership, Organisation, Target, Team, User
from app.okrs import demo as okrs_demo
from app.reviews import demo as reviews_demo
from app.roadmap import demo as roadmap_demo
from app.users import service as users_service

DEMO_MODEL = "playbook-base"
PLANNER_MODEL = "mlops-full"  # the roadmap reads this model's capabilities


@dataclass(frozen=True)
class DemoTeam:
    name: str
    slug: str
    description: str
    level: float  # where the team stands last quarter
    members: tuple[tuple[str, str, str, tuple[str, ...], float], ...]  # email, name, access, roles, capacity
    not_applicable: tuple[tuple[str, str], ...] = ()  # question id, reason: answered "not applicable"
    full_model_lag: int = 0  # quarters between its last full-model assessment and its last base one


TEAMS = (
    DemoTeam(
        "Recommendations",
        "recommendations",
        "Personalised ranking for the online store.",
        3.0,
        (
            ("ren.sato@example.com", "Ren Sato", "manager", ("product_owner",), 0.3),
            ("mika.ito@example.com", "Mika Ito", "member", ("mlops_engineer",), 0.8),
            ("kenji.mori@example.com", "Kenji Mori", "member", ("data_engineer",), 0.6),
            ("ayumi.kato@example.com", "Ayumi Kato", "member", ("data_scientist", "ml_engineer"), 0.7),
        ),
        full_model_lag=1,
    ),
    DemoTeam(
        "Fraud Detection",
        "fraud-detection",
        "Real-time scoring of card payments.",
        2.0,
        (
            ("daniel.weber@example.com", "Daniel Weber", "manager", ("product_owner",), 0.3),
            ("yui.nakamura@example.com", "Yui Nakamura", "member", ("ml_engineer",), 0.6),
            ("omar.haddad@example.com", "Omar Haddad", "member", ("data_scientist",), 0.5),
        ),
    ),
    DemoTeam(
        "Demand Forecasting",
        "demand-forecasting",
        "Weekly demand forecasts for 2,000 stores.",
        0.9,
        (
            ("sofia.rossi@example.com", "Sofia Rossi", "manager", ("product_owner", "data_scientist"), 0.4),
            ("taro.yamada@example.com", "Taro Yamada", "member", ("data_scientist",), 0.8),
        ),
        (
            ("infrastructure-monitoring", "The data platform team runs and monitors the batch servers."),
            ("progressive-delivery", "Forecasts are weekly files: there is no live traffic to split."),
        ),
    ),
)
ADMIN = ("admin@example.com", "Aiko Tanaka")
VIEWER = ("cto@example.com", "Hiroshi Suzuki")


def has_data(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def load(session: Session, *, organisation_name: str, now: datetime | None = None) -> str:
    """Add the demo organisation; returns the sign-in text to show the person who asked for it."""
    now = now or utcnow()
    password = secrets.token_urlsafe(9)
    maturity_service.sync_builtin(session)
    version = maturity_service.latest(session, slug=DEMO_MODEL)
    if version is None:
        raise RuntimeError(f"the shipped model {DEMO_MODEL} is missing")
    model = maturity_service.parsed(version)
    full_version = maturity_service.latest(session, slug=PLANNER_MODEL)
    if full_version is None:
        raise RuntimeError(f"the shipped model {PLANNER_MODEL} is missing")
    full_model = maturity_service.parsed(full_version)
    organisation = Organisation(name=organisation_name, default_locale="en")
    session.add(organisation)
    session.flush()
    _user(session, ADMIN, "admin", password)
    _user(session, VIEWER, "viewer", password)
    for number, demo in enumerate(TEAMS):
        team = Team(
            organisation_id=organisation.id, name=demo.name, slug=demo.slug, description=demo.description
        )
        session.add(team)
        session.flush()
        manager = _members(session, team, demo, password)
        _history(
            session,
            team=team,
            model=model,
            version_id=version.id,
            demo=demo,
            manager=manager,
            now=now,
            seed=number,
        )
        _history(
            session,
            team=team,
            model=full_model,
            version_id=full_version.id,
            demo=demo,
            manager=manager,
            now=now,
            seed=100 + number,
            draft=False,
            lag=demo.full_model_lag,
        )
    _targets(session, organisation.id, model)
    _targets(session, organisation.id, full_model)
    okrs_demo.load(session, organisation_id=organisation.id, now=now)
    roadmap_demo.load(session, organisation_id=organisation.id, now=now)
    learning_demo.load(session, organisation_id=organisation.id, now=now)
    reviews_demo.load(session, organisation_id=organisation.id, now=now)
    session.flush()
    return (
        f"Demo sign-in: {ADMIN[0]} (admin), {TEAMS[0].members[0][0]} (manager of {TEAMS[0].name}) "
        f"or {VIEWER[0]} (viewer); demo password: {password}"
    )


def _user(session: Session, who: tuple[str, str], role: str, password: str) -> User:
    return users_service.create(session, email=who[0], name=who[1], role=role, password=password)


def _members(session: Session, team: Team, demo: DemoTeam, password: str) -> User:
    manager = None
    for email, name, access, roles, capacity in demo.members:
        user = _user(session, (email, name), "manager" if access == "manager" else "member", password)
        session.add(
            Membership(
                team_id=team.id, user_id=user.id, access=access, team_roles=list(roles), capacity=capacity
            )
        )
        manager = manager or user
    assert manager is not None
    return manager


def _history(
    session: Session,
    *,
    team: Team,
    model: MaturityModel,
    version_id: int,
    demo: DemoTeam,
    manager: User,
    now: datetime,
    seed: int,
    draft: bool = True,
    lag: int = 0,
) -> None:
    """Two submitted quarters (and, with `draft`, this quarter's draft) of `model` for the team, the
    last one `lag` quarters before last quarter."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    back = timedelta(days=91 * lag)
    quarters = [now - timedelta(days=182) - back, now - timedelta(days=91) - back, *([now] if draft else [])]
    for index, moment in enumerate(quarters):
        level = demo.level + (index - 1) * 0.45
        submitted = index < 2
        assessment = Assessment(
            team_id=team.id,
            model_id=version_id,
            period=quarter_of(moment),
            created_by_id=manager.id,
            status="submitted" if submitted else "draft",
            submitted_at=moment if submitted else None,
            submitted_by_id=manager.id if submitted else None,
        )
        session.add(assessment)
        session.flush()
        share = 1.0 if submitted else 0.6
        skipped = dict(demo.not_applicable)
        for question in model.questions():
            if rng.random() <= share:
                wanted = level + rng.uniform(-0.9, 0.9)
                why = skipped.get(question.id) if question.allow_na else None
                session.add(_answer(assessment.id, question, wanted, manager, moment, why))


def _answer(
    assessment_id: int, question: Question, wanted: float, who: User, moment: datetime, why: str | None
) -> Answer:
    """The choice nearest the wanted level, or "not applicable" with the reason `why`."""
    scored = [c for c in question.choices if c.level is not None]
    choice = min(scored, key=lambda c: abs((c.level or 0) - wanted))
    return Answer(
        assessment_id=assessment_id,
        question_id=question.id,
        choice_id=None if why else choice.id,
        not_applicable=bool(why),
        na_reason=why or "",
        answered_by_id=who.id,
        answered_at=moment,
    )


def _targets(session: Session, organisation_id: int, model: MaturityModel) -> None:
    for dimension in model.dimensions:
        session.add(
            Target(
                organisation_id=organisation_id,
                team_id=None,
                model_slug=model.id,
                dimension_id=dimension.id,
                level=3,
            )
        )
