"""The Delivery metrics page and its JSON twin: each source's release frequency, lead times and revert
share as trends (one point per day, in the user's time zone) with the latest value formatted, its Four
Keys bucket and how it is measured; empty states in words; the team's access; bounded queries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import Source
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from tests.access.conftest import act_as
from tests.assessments.test_queries import counting
from tests.delivery.conftest import sync_at
from tests.factories import Org
from tests.signals.conftest import Script, failing, source

RELEASES = "git.delivery.release_tags_per_month"
LEAD = "git.delivery.lead_time_hours"
REVERTS = "git.delivery.revert_share"


def _git(releases: float | None, lead: float | None, reverts: float | None, **buckets: str) -> list[Signal]:
    out = [Signal("git.ci.configured", 1, "bool")]  # not a delivery metric: never shown
    if releases is not None:
        out.append(Signal(RELEASES, releases, "per_month", {"bucket": buckets.get("release", "monthly")}))
    if lead is not None:
        out.append(Signal(LEAD, lead, "hours", {"bucket": buckets.get("lead_bucket", "one_week")}))
    if reverts is not None:
        out.append(Signal(REVERTS, reverts, "ratio", {"count": 1, "of": 8}))
    return out


def _page(org: Org) -> str:
    return f"/teams/{org.team.id}/delivery"


def _api(org: Org) -> str:
    return f"/api/v1/teams/{org.team.id}/delivery-metrics"


def _section(html: str, source_id: int) -> str:
    start = html.index(f'id="delivery-{source_id}"')
    return html[start : html.index("</section>", start)]


def _metric(section: str, key: str) -> str:
    start = section.index(f'data-key="{key}"')
    return section[start : section.index("</article>", start)]


def _history(db: Session, org: Org, context: Context, fake: Script, now: datetime) -> Source:
    """Four good syncs over ten days, two of them on the same day (08:00 and 09:00 UTC)."""
    row = source(db, org.team, name="ranker")
    db.commit()
    day5 = (now - timedelta(days=5)).replace(hour=8, minute=0, second=0, microsecond=0)
    sync_at(context, fake, row.id, now - timedelta(days=10), _git(1, 30, 0.02))
    sync_at(context, fake, row.id, day5, _git(2, 40, 0.05))
    sync_at(context, fake, row.id, day5 + timedelta(hours=1), _git(3, 50, 0.04))
    sync_at(context, fake, row.id, now - timedelta(hours=1), _git(4, 72, 0.125, release="weekly"))
    return row


def test_the_page_shows_each_metric_latest_value_bucket_note_and_one_point_per_day(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = _history(db, org, context, fake, utcnow())
    act_as(client, db, org.member)
    html = client.get(_page(org)).text
    section = _section(html, row.id)
    assert "4 good syncs" in section
    releases = _metric(section, RELEASES)
    assert "Release tags per month" in releases
    assert re.search(r"data-latest>4 a month<", releases)
    assert 'data-bucket="weekly">Four Keys: weekly<' in releases
    assert "A proxy for DORA deployment frequency: release tags stand in for deployments." in releases
    # 4 syncs on 3 days: 3 points (the 09:00 value replaces the 08:00 one), in the chart and the table
    assert releases.count('class="chart-dot') == 3
    assert releases.count("chart-last") == 1
    assert "<title>Release tags per month over time</title>" in releases
    assert "3 points from" in releases
    cells = re.findall(r'<td class="num">([^<]*)</td>', releases)
    assert cells == ["4 a month", "3 a month", "1 a month"]  # newest first
    lead = _metric(section, LEAD)
    assert re.search(r"data-latest>3 days<", lead)  # 72 hours read as days
    assert 'data-bucket="one_week">Four Keys: under a week<' in lead
    assert "the first release tag that contains a commit stands in for its deployment" in lead
    reverts = _metric(section, REVERTS)
    assert re.search(r"data-latest>12.5%<", reverts)
    assert "A proxy for DORA change failure rate" in reverts
    assert "git.ci.configured" not in section  # only delivery metrics
    assert "1 sync so far" not in section


def test_the_page_reads_in_japanese(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = _history(db, org, context, fake, utcnow())
    act_as(client, db, org.viewer)
    html = client.get(_page(org), headers={"Accept-Language": "ja"}).text
    assert "<h1>デリバリー指標</h1>" in html
    section = _section(html, row.id)
    releases = _metric(section, RELEASES)
    assert "月あたりのリリースタグ数" in releases
    assert "DORA のデプロイ頻度の代理指標です。" in releases
    assert re.search(r"data-latest>月 4 回<", releases), releases
    assert "Four Keys: 毎週" in releases
    assert "<title>月あたりのリリースタグ数の推移</title>" in releases
    assert re.search(r"data-latest>3 日<", _metric(section, LEAD))
    assert "Delivery" not in section


def test_days_are_the_users_days(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    """14:00 and 16:00 UTC are one day in UTC, two in Tokyo (23:00 and 01:00 the next day)."""
    row = source(db, org.team)
    db.commit()
    day = (utcnow() - timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)
    sync_at(context, fake, row.id, day, _git(1, 10, 0.1))
    sync_at(context, fake, row.id, day + timedelta(hours=2), _git(2, 10, 0.1))
    act_as(client, db, org.member)
    assert [len(m["points"]) for m in client.get(_api(org)).json()["sources"][0]["metrics"]] == [1, 1, 1]
    org.member.timezone = "Asia/Tokyo"
    db.commit()
    points = client.get(_api(org)).json()["sources"][0]["metrics"][0]["points"]
    assert [p["value"] for p in points] == [1.0, 2.0]
    assert points[1]["day"] == (day + timedelta(hours=11)).date().isoformat()


def test_sources_are_shown_apart_never_averaged(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    now = utcnow()
    web = source(db, org.team, name="web-app")
    ranker = source(db, org.team, name="ranker")
    tracking = source(db, org.team, kind="mlflow", name="tracking")
    db.commit()
    sync_at(
        context,
        fake,
        web.id,
        now - timedelta(days=1),
        _git(8, 5, 0.0, release="daily", lead_bucket="one_day"),
    )
    sync_at(context, fake, ranker.id, now - timedelta(days=1), _git(1, 300, 0.25, lead_bucket="one_month"))
    mlflow = [
        Signal("mlflow.releases.versions_per_week", 1.5, "per_week"),
        Signal("mlflow.lead_time.run_to_version", 2, "hours"),
    ]
    sync_at(context, fake, tracking.id, now - timedelta(days=1), mlflow)
    act_as(client, db, org.member)
    html = client.get(_page(org)).text
    assert re.search(r"data-latest>8 a month<", _metric(_section(html, web.id), RELEASES))
    assert re.search(r"data-latest>1 a month<", _metric(_section(html, ranker.id), RELEASES))
    assert "Four Keys: daily" in _section(html, web.id)
    assert "Four Keys: under a month" in _section(html, ranker.id)
    assert "4.5 a month" not in html  # no average of the two repositories
    ml = _section(html, tracking.id)
    assert RELEASES not in ml
    assert re.search(r"data-latest>1.5 a week<", _metric(ml, "mlflow.releases.versions_per_week"))
    assert re.search(r"data-latest>2 hours<", _metric(ml, "mlflow.lead_time.run_to_version"))
    assert "No production version comes from a finished run" in _metric(
        ml, "mlflow.lead_time.run_to_production"
    )
    assert "MLflow keeps no alias timestamps" in _metric(ml, "mlflow.lead_time.run_to_production")
    assert html.count("1 sync so far: the trend builds up with each sync.") == 3


def test_a_metric_the_source_could_not_measure_says_why_rather_than_zero(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    sync_at(context, fake, row.id, utcnow() - timedelta(days=2), _git(2, 20, 0.1))
    sync_at(context, fake, row.id, utcnow() - timedelta(hours=2), _git(None, None, None))
    act_as(client, db, org.member)
    section = _section(client.get(_page(org)).text, row.id)
    releases = _metric(section, RELEASES)
    assert "No release tags in the last 90 days." in releases
    assert "data-latest" not in releases
    assert "No release in the last 90 days, so there is no lead time to measure." in section
    assert "No commits in the last 90 days" in section
    assert releases.count('class="chart-dot') == 1  # the earlier measurement stays in the trend
    body = client.get(_api(org)).json()["sources"][0]["metrics"][0]
    assert body["latest"] is None
    assert body["absent_text"] == "No release tags in the last 90 days."
    assert [p["value"] for p in body["points"]] == [2.0]


def test_without_sources_the_page_says_where_to_connect_one(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    html = client.get(_page(org)).text
    assert "No sources yet, so no delivery metrics." in html
    assert f'href="http://testserver/teams/{org.team.id}/sources"' in html
    assert f'href="http://testserver/teams/{org.team.id}/sources/new">Connect a source<' in html
    act_as(client, db, org.viewer)
    html = client.get(_page(org), headers={"Accept-Language": "ja"}).text
    assert "ソースがまだないため、デリバリー指標はありません。" in html
    assert "ソースのページへ" in html  # a viewer cannot connect one: the page to ask about it
    assert "/sources/new" not in html
    assert client.get(_api(org)).json() == {"team_id": org.team.id, "days": 180, "sources": []}


def test_a_source_never_synced_or_only_failed_says_so_with_the_error_in_words(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    fresh = source(db, org.team, name="fresh")
    broken = source(db, org.team, name="broken")
    db.commit()
    sync_at(
        context, fake, broken.id, utcnow() - timedelta(minutes=5), failing("timeout", "no answer in 10 s")
    )
    act_as(client, db, org.member)
    html = client.get(_page(org)).text
    never = _section(html, fresh.id)
    assert 'data-state="never_synced"' in never
    assert "Not synced yet, so nothing is measured." in never
    assert "data-key" not in never
    failed = _section(html, broken.id)
    assert 'data-state="failed"' in failed
    assert "No sync has succeeded yet, so nothing is measured." in failed
    assert "The source did not answer in time." in failed
    assert "no answer in 10 s" in failed
    assert "data-key" not in failed
    body = {s["name"]: s for s in client.get(_api(org)).json()["sources"]}
    assert body["fresh"]["state"] == "never_synced"
    assert body["broken"]["state"] == "failed"
    assert body["broken"]["last_error"] == "The source did not answer in time."
    assert body["broken"]["last_error_detail"] == "no answer in 10 s"
    assert body["broken"]["good_syncs"] == 0


def test_a_failed_sync_after_good_ones_keeps_the_figures_and_says_so(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    sync_at(context, fake, row.id, utcnow() - timedelta(days=1), _git(2, 20, 0.1))
    sync_at(context, fake, row.id, utcnow() - timedelta(minutes=3), failing("unreachable", "refused"))
    act_as(client, db, org.member)
    section = _section(client.get(_page(org)).text, row.id)
    assert "The latest sync failed:" in section
    assert "The source cannot be reached" in section
    assert "Showing the figures of the last good sync, 1 day ago." in section
    assert re.search(r"data-latest>2 a month<", section)


def test_the_api_gives_the_same_figures(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    now = utcnow()
    row = _history(db, org, context, fake, now)
    act_as(client, db, org.viewer)
    body = client.get(_api(org)).json()
    assert (body["team_id"], body["days"]) == (org.team.id, 180)
    [one] = body["sources"]
    assert (one["source_id"], one["name"], one["kind"], one["state"]) == (row.id, "ranker", "git", "ok")
    assert one["good_syncs"] == 4
    assert one["last_error"] is None
    assert one["last_synced_at"].startswith((now - timedelta(hours=1)).isoformat()[:16])
    metrics = {m["key"]: m for m in one["metrics"]}
    assert list(metrics) == [RELEASES, LEAD, REVERTS]
    releases = metrics[RELEASES]
    assert releases["group"] == "frequency"
    assert (releases["latest"], releases["latest_text"], releases["unit"]) == (4.0, "4 a month", "per_month")
    assert (releases["bucket"], releases["bucket_text"]) == ("weekly", "Four Keys: weekly")
    assert releases["note"].startswith("A proxy for DORA deployment frequency")
    assert [p["value"] for p in releases["points"]] == [1.0, 3.0, 4.0]
    assert metrics[LEAD]["latest_text"] == "3 days"
    assert metrics[REVERTS]["latest_text"] == "12.5%"
    ja = client.get(_api(org), headers={"Accept-Language": "ja"}).json()["sources"][0]["metrics"][0]
    assert ja["name"] == "月あたりのリリースタグ数"
    assert ja["latest_text"] == "月 4 回"
    schema = client.get("/openapi.json").json()
    assert "DeliveryMetricsOut" in schema["components"]["schemas"]


def test_the_trend_keeps_the_last_180_days_and_the_last_good_sync_however_old(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    row = source(db, org.team)
    db.commit()
    now = utcnow()
    sync_at(context, fake, row.id, now - timedelta(days=400), _git(1, 1, 0.1))
    sync_at(context, fake, row.id, now - timedelta(days=200), _git(2, 1, 0.1))
    act_as(client, db, org.member)
    points = client.get(_api(org)).json()["sources"][0]["metrics"][0]["points"]
    assert [p["value"] for p in points] == [2.0]  # older than 180 days, but the latest there is
    sync_at(context, fake, row.id, now - timedelta(days=100), _git(3, 1, 0.1))
    sync_at(context, fake, row.id, now - timedelta(days=1), _git(4, 1, 0.1))
    points = client.get(_api(org)).json()["sources"][0]["metrics"][0]["points"]
    assert [p["value"] for p in points] == [3.0, 4.0]


@pytest.mark.parametrize("persona", ["outsider"])
def test_another_teams_manager_cannot_see_it(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context, persona: str
) -> None:
    _history(db, org, context, fake, utcnow())
    act_as(client, db, org.outsider)
    assert client.get(_page(org)).status_code == 404
    assert client.get(_api(org)).status_code == 404
    act_as(client, db, org.admin)
    assert "4 a month" in client.get(_page(org)).text


def test_the_team_page_links_to_the_delivery_metrics(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.viewer)
    html = client.get(f"/teams/{org.team.id}").text
    assert f'href="http://testserver/teams/{org.team.id}/delivery">Delivery metrics</a>' in html


def test_the_page_takes_the_same_queries_for_one_source_as_for_several(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context, engine: Engine
) -> None:
    act_as(client, db, org.member)
    counts = []
    now = utcnow()
    for n in (1, 4):
        for i in range(n):
            row = source(db, org.team, kind="git" if i % 2 else "mlflow", name=f"s-{n}-{i}")
            db.commit()
            for day in range(3):
                sync_at(context, fake, row.id, now - timedelta(days=day + 1), _git(day, day, 0.1))
            sync_at(context, fake, row.id, now, failing())
        for url in (_page(org), _api(org)):
            with counting(engine) as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
    assert counts[:2] == counts[2:], counts
    assert counts[0] <= 10, counts
