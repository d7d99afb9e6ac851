"""An app with /metrics on (a bearer token), a scrape parsed with prometheus-client's own parser, and an
organisation with something in every gauge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy.orm import Session

from app.config import Settings
from app.kit.time import utcnow
from app.maturity import service as maturity_service
from app.models import RoadmapItemStatus, Source, SyncRun, Target, Team, User
from app.okrs import service as okrs_service
from app.roadmap import service as roadmap_service
from tests import factories
from tests.factories import Org
from tests.okrs import rows as okr_rows

TOKEN = "scrape-" + "t" * 25


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        database_url=database_url,
        secret_key="test-" + "x" * 40,
        metrics_token=TOKEN,
    )


@dataclass(frozen=True)
class Scrape:
    samples: list[Sample]
    families: set[str]  # every family the exposition declares, with or without samples

    def value(self, name: str, **labels: str) -> float:
        """The one sample called `name` whose labels include `labels` (0 when there is none)."""
        found = [s.value for s in self.samples if s.name == name and labels.items() <= s.labels.items()]
        assert len(found) <= 1, (name, labels, found)
        return found[0] if found else 0.0

    def labelled(self, name: str) -> list[dict[str, str]]:
        return [s.labels for s in self.samples if s.name == name]

    @property
    def names(self) -> set[str]:
        return {s.name for s in self.samples}


def scrape(client: TestClient, token: str = TOKEN) -> Scrape:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text[:300]
    families = list(text_string_to_metric_families(response.text))
    return Scrape([s for f in families for s in f.samples], {f.name for f in families})


@dataclass(frozen=True)
class Activity:
    """What `busy_team` made, as the gauges should show it."""

    areas: tuple[str, ...]  # the model's dimension ids
    objectives: int
    progress: float
    overdue: int
    failures: int
    last_good: timedelta  # before the scrape, at least


def busy_team(db: Session, team: Team, by: User, *, regressed: bool = True) -> Activity:
    """A team with two submitted assessments (level 3, then 2), a target of 4 on its first area, an OKR of
    this quarter with two off-track check-ins on one key result and none on another, a roadmap begun two
    years ago with one item done, and a source whose last two syncs failed after a good one."""
    model = factories.maturity_model(db, "mlops-full")
    if regressed:
        factories.assessment(db, team, model, period="2026-Q2", level=3, submitted=True)
    factories.assessment(db, team, model, period="2026-Q3", level=2, submitted=True)
    areas = tuple(d.id for d in maturity_service.parsed(model).dimensions)
    db.add(
        Target(
            organisation_id=team.organisation_id,
            team_id=team.id,
            model_slug=model.slug,
            dimension_id=areas[0],
            level=4,
        )
    )
    now = utcnow()
    objective = okr_rows.objective(db, team, by, period=okrs_service.current_period(now.date()))
    tracked = okr_rows.key_result(db, objective, by, start=0, target=10)
    okr_rows.key_result(db, objective, by, title="Not checked in yet")
    for value, confidence in ((4, 2), (5, 3)):
        data = okrs_service.CheckInInput(value=value, confidence=confidence, note="", client_token=None)
        okrs_service.check_in(db, key_result=tracked, data=data, user=by, now=now)
    roadmap = roadmap_service.generate_for_team(db, team=team, user=by, now=now)
    roadmap.start_date = date(now.year - 2, now.month, 1)
    items = roadmap_service.view(db, roadmap=roadmap).plan.items
    db.add(RoadmapItemStatus(roadmap_id=roadmap.id, item_id=items[0].id, status="done", progress=100))
    source = Source(
        team_id=team.id, kind="git", name=f"{team.slug}-repo", url="/nowhere/repo.git", branch="main"
    )
    db.add(source)
    db.flush()
    db.add_all(
        _runs(
            source.id,
            now,
            ("ok", timedelta(hours=3)),
            ("failed", timedelta(hours=2)),
            ("failed", timedelta(hours=1)),
        )
    )
    db.commit()
    # progress: the one checked-in key result is half way (5 of 10), the other at its start
    return Activity(areas, 1, 0.25, len(items) - 1, 2, timedelta(hours=3))


def _runs(source_id: int, now: datetime, *runs: tuple[str, timedelta]) -> Iterable[SyncRun]:
    for status, ago in runs:
        yield SyncRun(
            source_id=source_id, status=status, started_at=now - ago, finished_at=now - ago, counts={}
        )


@pytest.fixture
def busy(db: Session, org: Org) -> Activity:
    return busy_team(db, org.team, org.manager)
