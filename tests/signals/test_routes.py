"""The Sources page: connect, change and remove sources, test the connection and sync now (in the
background, the page polling a fragment), see the last sync in words; credentials never shown again."""

from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import AuditEvent, Source, SyncRun
from app.signals import service
from app.signals.adapters.base import Signal
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.conftest import csrf_token
from tests.factories import Org
from tests.signals.conftest import Script, failing, source

TOKEN = "tok-Zq8wLr2vNf5xKp1"
PASSWORD = "pw-Hy7uJm3cVb9tRe4"


def _page(org: Org) -> str:
    return f"/teams/{org.team.id}/sources"


def _post(client: TestClient, url: str, data: dict[str, str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kw)  # type: ignore[arg-type]


def _mlflow(org: Org, **extra: str) -> dict[str, str]:
    return {"kind": "mlflow", "name": "Tracking", "url": "https://mlflow.example.com", **extra}


def test_the_empty_page_says_what_a_source_is_and_offers_a_manager_to_connect_one(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    html = client.get(_page(org)).text
    assert "No sources yet." in html
    assert "A source is an MLflow tracking server or a Git repository" in html
    assert f'href="http://testserver/teams/{org.team.id}/sources/new"' in html


def test_a_member_reads_the_sources_without_the_buttons(client: TestClient, db: Session, org: Org) -> None:
    source(db, org.team)
    db.commit()
    act_as(client, db, org.member)
    html = client.get(_page(org)).text
    assert "model-repo" in html
    assert "Sync now" not in html
    assert "Test connection" not in html
    assert "A manager of the team can connect one." not in html  # only on the empty page


def test_the_team_page_links_to_its_sources(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.viewer)
    assert f'href="http://testserver/teams/{org.team.id}/sources"' in client.get(f"/teams/{org.team.id}").text


def test_a_manager_connects_a_git_repository_and_sees_it_listed_not_synced_yet(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    data = {
        "kind": "git",
        "name": "Model repo",
        "url": "git@git.example.com:team/model.git",
        "branch": "develop",
    }
    response = _post(client, _page(org), data)
    assert response.status_code == 303
    html = client.get(_page(org)).text
    assert "Model repo" in html
    assert "develop" in html
    assert "Not synced yet." in html


def test_a_bad_address_is_refused_beside_the_field_and_nothing_is_added(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    response = _post(client, _page(org), _mlflow(org, url="ftp://mlflow.example.com"))
    assert response.status_code == 422
    assert 'id="url-error"' in response.text
    assert "starting with https://" in response.text
    assert db.scalars(select(Source)).all() == []


def test_an_mlflow_source_not_synced_says_how_to_connect_it(
    client: TestClient, db: Session, org: Org
) -> None:
    source(db, org.team, kind="mlflow", name="Tracking")
    db.commit()
    act_as(client, db, org.viewer)
    html = client.get(_page(org)).text
    assert "what MLFLOW_TRACKING_URI says" in html
    assert 'id="git-not-connected"' in html
    assert 'id="mlflow-not-connected"' not in html


def test_a_team_with_a_repository_and_no_mlflow_server_is_told_how_to_connect_one(
    client: TestClient, db: Session, org: Org
) -> None:
    source(db, org.team, kind="git", name="model-repo")
    db.commit()
    act_as(client, db, org.manager)
    html = client.get(_page(org), headers={"Accept-Language": "en"}).text
    line = html[html.index('id="mlflow-not-connected"') :]
    assert "Not connected: add the team's tracking server" in line[: line.index("</p>")]
    assert 'id="git-not-connected"' not in html


def test_sync_now_runs_after_the_response_and_the_page_then_shows_the_counts(
    client: TestClient, db: Session, org: Org, fake: Script
) -> None:
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    response = _post(client, f"{_page(org)}/{row.id}/sync", headers={"HX-Request": "true"})
    assert response.status_code == 200
    # the fragment was rendered before the sync ran: it shows it running and polls
    assert 'id="sources"' in response.text
    assert "<html" not in response.text
    assert 'hx-trigger="every 2s"' in response.text
    assert "Syncing…" in response.text
    html = client.get(_page(org)).text  # the background task has run by now
    assert 'data-status="ok"' in html
    assert "3 commits" in html
    assert "2 signals" in html
    assert "git.commits.per_week" in html
    assert 'hx-trigger="every 2s"' not in html


def test_a_failed_sync_says_why_in_words_and_keeps_the_last_good_signals_with_their_age(
    client: TestClient, db: Session, org: Org, fake: Script
) -> None:
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    _post(client, f"{_page(org)}/{row.id}/sync")
    fake.error = failing("timeout", "no answer within 10 s")
    _post(client, f"{_page(org)}/{row.id}/sync")
    html = client.get(_page(org)).text
    assert 'data-status="failed"' in html
    assert "The source did not answer in time." in html
    assert "no answer within 10 s" in html
    assert "Showing the signals of the last good sync" in html
    assert "git.ci.configured" in html


def _signal_cells(html: str) -> dict[str, tuple[str, str]]:
    """Each signal row of the page by its key: the text of the name cell and of the value cell."""
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td class=\"num\">(.*?)</td>\s*</tr>", html, re.S)
    found = {}
    for name_cell, value in rows:
        key = re.search(r'<code class="signal-key muted">([^<]+)</code>', name_cell)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", name_cell)).strip()
        found[key.group(1) if key else text] = (text, value.strip())
    return found


WORDED = [
    Signal("git.ci.runs_tests", 1, "bool"),
    Signal("git.tests.file_share", 0.0064, "ratio"),
    Signal("git.delivery.lead_time_hours", 77, "hours"),
    Signal("git.delivery.release_tags_per_month", 7 / 3, "per_month"),
    Signal("git.commits.per_week", 12.5, "per_week"),  # a key the catalogue does not name (yet)
]


def test_signals_read_in_words_with_their_key_small_and_how_a_proxy_is_measured(
    client: TestClient, db: Session, org: Org, fake: Script
) -> None:
    fake.signals = WORDED
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    _post(client, f"{_page(org)}/{row.id}/sync")
    act_as(client, db, org.viewer)  # a member reads them as well
    cells = _signal_cells(client.get(_page(org)).text)
    assert cells["git.ci.runs_tests"] == ("CI runs tests git.ci.runs_tests", "yes")
    assert cells["git.tests.file_share"][1] == "0.6%"
    lead_time, value = cells["git.delivery.lead_time_hours"]
    assert lead_time.startswith("Lead time from commit to release (median) git.delivery.lead_time_hours")
    assert "A proxy for DORA lead time for changes" in lead_time
    assert value == "3.2 days"
    assert cells["git.delivery.release_tags_per_month"][1] == "2.3 a month"
    assert cells["git.commits.per_week"] == ("git.commits.per_week", "12.5 a week")  # the key, once
    assert "0.0064" not in client.get(_page(org)).text


def test_signals_read_in_japanese(client: TestClient, db: Session, org: Org, fake: Script) -> None:
    fake.signals = WORDED
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    _post(client, f"{_page(org)}/{row.id}/sync")
    cells = _signal_cells(client.get(_page(org), headers={"Accept-Language": "ja"}).text)
    assert cells["git.ci.runs_tests"] == ("CI がテストを実行する git.ci.runs_tests", "はい")
    assert cells["git.tests.file_share"][1] == "0.6%"
    lead_time, value = cells["git.delivery.lead_time_hours"]
    assert "DORA の変更のリードタイムの代理指標です" in lead_time
    assert value == "3.2 日"
    assert cells["git.delivery.release_tags_per_month"][1] == "月 2.3 回"


def test_the_last_sync_reads_in_japanese(client: TestClient, db: Session, org: Org, fake: Script) -> None:
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    fake.error = failing("unauthorised", "401")
    _post(client, f"{_page(org)}/{row.id}/sync")
    html = client.get(_page(org), headers={"Accept-Language": "ja"}).text
    assert "同期に失敗しました" in html
    assert "認証情報" in html


def test_a_second_sync_now_while_one_runs_does_not_start_another(
    client: TestClient, db: Session, org: Org, fake: Script
) -> None:
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    fake.hold = threading.Event()
    url = f"{_page(org)}/{row.id}/sync"
    token = csrf_token(client)
    first: list[int] = []
    worker = threading.Thread(
        target=lambda: first.append(client.post(url, data={"csrf_token": token}).status_code)
    )
    worker.start()
    try:
        assert fake.entered.wait(30)  # the first sync is inside the adapter
        second = client.post(url, data={"csrf_token": token})
    finally:
        fake.hold.set()
        worker.join(30)
    assert first == [303]
    assert second.status_code == 303
    assert len(fake.configs) == 1
    db.expire_all()
    assert [r.status for r in db.scalars(select(SyncRun).where(SyncRun.source_id == row.id))] == ["ok"]


def test_test_connection_shows_what_is_wrong_in_words(
    client: TestClient, db: Session, org: Org, fake: Script
) -> None:
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    fake.error = failing("host_not_allowed", "git.example.com is not on the allow-list")
    response = _post(client, f"{_page(org)}/{row.id}/test", headers={"HX-Request": "true"})
    assert "Testing the connection…" in response.text
    assert 'hx-trigger="every 2s"' in response.text
    html = client.get(_page(org)).text
    assert "Connection failed" in html
    assert "list of allowed hosts." in html
    assert "is not on the allow-list" in html
    fake.error = None
    _post(client, f"{_page(org)}/{row.id}/test")
    assert "Connection works" in client.get(_page(org)).text


def test_removing_a_source_needs_the_confirmation(client: TestClient, db: Session, org: Org) -> None:
    row_id = source(db, org.team).id
    db.commit()
    act_as(client, db, org.manager)
    refused = _post(client, f"{_page(org)}/{row_id}/delete")
    assert refused.status_code == 422
    assert "Tick the box to confirm the removal." in refused.text
    assert _post(client, f"{_page(org)}/{row_id}/delete", {"confirm": "yes"}).status_code == 303
    db.expire_all()
    assert db.scalars(select(Source).where(Source.id == row_id)).first() is None


def test_a_source_of_another_team_is_not_found_through_this_team(
    client: TestClient, db: Session, org: Org
) -> None:
    other = source(db, org.other_team)
    db.commit()
    act_as(client, db, org.manager)
    assert client.get(f"{_page(org)}/{other.id}/edit").status_code == 404
    assert _post(client, f"{_page(org)}/{other.id}/delete", {"confirm": "yes"}).status_code == 404


def test_changes_without_the_csrf_token_are_refused(client: TestClient, db: Session, org: Org) -> None:
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    for url in (
        _page(org),
        f"{_page(org)}/{row.id}",
        f"{_page(org)}/{row.id}/sync",
        f"{_page(org)}/{row.id}/delete",
    ):
        assert client.post(url, data={"confirm": "yes", **_mlflow(org)}).status_code == 403
    db.expire_all()
    assert db.get(Source, row.id) is not None


def test_credentials_are_never_shown_logged_or_audited(
    client: TestClient, db: Session, org: Org, fake: Script, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    act_as(client, db, org.manager)
    assert _post(client, _page(org), _mlflow(org, token=TOKEN)).status_code == 303
    row = db.scalars(select(Source)).one()
    assert TOKEN not in (row.credentials or "")
    edit = client.get(f"{_page(org)}/{row.id}/edit").text
    assert "Set — leave empty to keep." in edit
    assert TOKEN not in edit
    # empty fields keep the token; a new user name and password replace it
    _post(client, f"{_page(org)}/{row.id}", _mlflow(org, name="Renamed"))
    _post(client, f"{_page(org)}/{row.id}", _mlflow(org, username="ci", password=PASSWORD))
    fake.error = failing("unauthorised", "401 from https://mlflow.example.com")
    _post(client, f"{_page(org)}/{row.id}/sync")
    _post(client, f"{_page(org)}/{row.id}/test")
    assert fake.configs[0].username == "ci"
    assert fake.configs[0].password == PASSWORD
    page = client.get(_page(org)).text
    api = client.get(f"/api/v1/teams/{org.team.id}/sources").text
    audit = [
        f"{e.before} {e.after}"
        for e in db.scalars(select(AuditEvent).where(AuditEvent.object_type == "source"))
    ]
    assert len(audit) == 3
    assert all("has_credentials" in a for a in audit)
    act_as(client, db, org.admin)
    csv = client.get("/admin/audit.csv")
    assert csv.status_code == 200
    assert "source.create" in csv.text
    for text in (page, api, *audit, caplog.text, csv.text):
        assert TOKEN not in text
        assert PASSWORD not in text


def test_the_sources_page_takes_the_same_queries_for_one_source_as_for_several(
    client: TestClient, db: Session, org: Org, fake: Script, engine: Engine
) -> None:
    act_as(client, db, org.manager)
    counts = []
    for n in (1, 4):
        for i in range(n):
            row = source(db, org.team, name=f"repo-{n}-{i}")
            db.commit()
            _post(client, f"{_page(org)}/{row.id}/sync")
        with counting(engine) as statements:
            assert client.get(_page(org)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 12, counts


def test_the_admin_sees_where_sources_may_connect(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.admin)
    html = client.get("/admin/sources").text
    assert "None: no remote source can be reached." in html
    assert "HOSHIN_SOURCE_ALLOWED_HOSTS" in html


def test_a_sync_left_running_by_a_dead_process_stops_the_polling_and_says_so(
    client: TestClient, db: Session, org: Org
) -> None:
    row = source(db, org.team)
    db.add(
        SyncRun(source_id=row.id, started_at=utcnow() - service.STALE_RUN - timedelta(minutes=1), counts={})
    )
    db.commit()
    act_as(client, db, org.manager)
    html = client.get(_page(org)).text
    assert "The sync did not finish" in html
    assert 'hx-trigger="every 2s"' not in html


def test_a_manager_pauses_a_source_and_the_page_says_so(client: TestClient, db: Session, org: Org) -> None:
    row = source(db, org.team)
    db.commit()
    act_as(client, db, org.manager)
    data = {"kind": "git", "name": "model-repo", "url": row.url, "branch": "main"}  # "enabled" unticked
    assert _post(client, f"{_page(org)}/{row.id}", data).status_code == 303
    assert "Paused" in client.get(_page(org)).text
    assert 'name="enabled" value="yes">' in client.get(f"{_page(org)}/{row.id}/edit").text  # not checked


def _interval(client: TestClient, monkeypatch: pytest.MonkeyPatch, minutes: int) -> None:
    """The server's HOSHIN_SYNC_INTERVAL_MINUTES, for this test."""
    state = client.app.state  # type: ignore[attr-defined]
    changed = state.settings.model_copy(update={"sync_interval_minutes": minutes})
    monkeypatch.setattr(state, "settings", changed)


def _synced_minutes_ago(db: Session, row: Source, minutes: int) -> None:
    started = utcnow() - timedelta(minutes=minutes)
    db.add(
        SyncRun(
            source_id=row.id,
            started_at=started,
            finished_at=started + timedelta(seconds=3),
            status="ok",
            duration_ms=3000,
            counts={},
        )
    )


@pytest.mark.parametrize(
    ("lang", "every", "next_"),
    [
        ("en", "Each source that is not paused syncs on its own every 60 minutes.", "Next automatic sync in"),
        ("ja", "一時停止していないソースは 60 分ごとに自動で同期します。", "次の自動同期："),
    ],
)
def test_the_page_says_how_often_sources_sync_and_when_each_one_not_paused_syncs_next(
    client: TestClient,
    db: Session,
    org: Org,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    every: str,
    next_: str,
) -> None:
    _interval(client, monkeypatch, 60)
    active, paused = source(db, org.team, name="active"), source(db, org.team, name="paused")
    paused.enabled = False
    for row in (active, paused):
        _synced_minutes_ago(db, row, 20)
    db.commit()
    act_as(client, db, org.member)
    html = client.get(_page(org), headers={"Accept-Language": lang}).text
    assert every in html
    assert html.count(next_) == 1  # the paused source has none
    card = r'<section class="card section source" id="source-(\d+)"(.*?)</section>'
    sections = dict(re.findall(card, html, re.S))
    assert next_ in sections[str(active.id)]
    assert next_ not in sections[str(paused.id)]


def test_with_automatic_syncs_off_the_page_says_sources_sync_only_by_hand(
    client: TestClient, db: Session, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interval(client, monkeypatch, 0)
    _synced_minutes_ago(db, source(db, org.team), 20)
    db.commit()
    act_as(client, db, org.member)
    html = client.get(_page(org)).text
    assert "Automatic syncs are off on this server" in html
    assert "Next automatic sync" not in html
