"""The demo's delivery history is measured, not invented: the demo repository is rewound to each past
week in turn and synced by the real Git adapter with the clock at that moment, so each point is what a
sync on that day would have read; afterwards the repository is as it was built."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.kit.time import utcnow
from app.signals import demo, sync
from app.signals.adapters.base import Outbound
from app.signals.sync import Context
from tests.access.conftest import act_as
from tests.factories import Org
from tests.signals.conftest import SECRET


def _git(repository: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={repository}", *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _tag_times(repository: Path) -> list[int]:
    out = _git(repository, "for-each-ref", "--format=%(creatordate:unix)", "refs/tags")
    return [int(line) for line in out.splitlines()]


def test_the_replayed_weeks_are_the_repository_as_it_stood_and_it_is_restored_after(tmp_path: Path) -> None:
    path = demo.repository_path(tmp_path)
    now = utcnow()
    demo.build_repository(path, now=now)
    head, tags = _git(path, "rev-parse", "main"), _git(path, "tag")
    seen = []
    for moment in demo.replay(path, now=now, weeks=4):
        seen.append(moment)
        assert int(_git(path, "log", "-1", "--format=%ct", "main")) <= moment.timestamp()
        assert all(t <= moment.timestamp() for t in _tag_times(path))
        later = _git(path, "rev-list", "--count", "--since", str(int(moment.timestamp()) + 1), head)
        # the branch stands at the last commit made by then: every commit after it is later
        assert int(_git(path, "rev-list", "--count", f"main..{head}")) == int(later)
    assert seen == [now - timedelta(weeks=w) for w in (4, 3, 2, 1)]
    assert (_git(path, "rev-parse", "main"), _git(path, "tag")) == (head, tags)


def test_the_demo_history_gives_the_delivery_page_a_trend_of_real_measurements(
    client: TestClient, db: Session, org: Org, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    root = tmp_path / "repos"
    path = demo.repository_path(root)
    now = utcnow()
    demo.build_repository(path, now=now)
    org.team.slug = demo.TEAM
    db.flush()
    row = demo.connect(db, path=path)
    assert row is not None
    db.commit()
    context = Context(
        factory=session_factory,
        secret_key=SECRET,
        outbound=Outbound(allowed_root=str(root)),
        cache_dir=tmp_path / "cache",
    )
    moments: list[datetime] = []
    for moment in demo.replay(path, now=now, weeks=3):
        moments.append(moment)
        at = dataclasses.replace(context, clock=lambda moment=moment: moment)
        assert sync.sync_source(at, source_id=row.id).status == "ok"
    assert sync.sync_source(context, source_id=row.id).status == "ok"

    act_as(client, db, org.member)
    metrics = client.get(f"/api/v1/teams/{org.team.id}/delivery-metrics").json()["sources"][0]["metrics"]
    releases = next(m for m in metrics if m["key"] == "git.delivery.release_tags_per_month")
    assert len(releases["points"]) == 4
    # each point is the release tags of the 90 days before that sync, as git itself counts them
    times = _tag_times(path)
    for point, moment in zip(releases["points"], [*moments, now], strict=True):
        since = (moment - timedelta(days=90)).timestamp()
        expected = sum(since <= t <= moment.timestamp() for t in times) / 3
        assert point["value"] == round(expected, 2), (point, moment)
    html = client.get(f"/teams/{org.team.id}/delivery").text
    assert "4 good syncs" in html
    assert "1 sync so far" not in html
