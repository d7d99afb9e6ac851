"""Key results linked to a signal: real syncs (the fake adapter behind the real sync code and the app's
own followers) check in on them, the OKR pages say where each value came from and when the signal stops
arriving; people link and unlink through the pages and the API."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit.time import utcnow
from app.models import AuditEvent, CheckIn, KeyResult, Objective, Source, SyncRun, Team, User
from app.okrs import service
from app.okrs.signal_checkins import check_in_from_signals
from app.signals import sync
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from app.sync_followers import FOLLOWERS
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.okrs import rows
from tests.signals.conftest import Script, context, fake, source

__all__ = ["context", "fake"]

COMMITS = "mlflow.runs.with_git_commit"  # a ratio
PER_WEEK = "git.history.commits_per_week"  # a rate
NAME = "Runs tagged with their Git commit"


def _now_quarter() -> str:
    return service.current_period(utcnow().date())


def _kr(
    db: Session,
    team: Team,
    user: User,
    *,
    signal: str | None,
    kind: str = "percentage",
    period: str | None = None,
    start: float = 0,
    target: float = 90,
) -> KeyResult:
    parent = rows.objective(db, team, user, period=period or _now_quarter())
    data = service.KeyResultInput(
        "Runs with their commit", kind, start, target, "%" if kind == "percentage" else "", None
    )
    return service.create_key_result(db, objective=parent, data=data, user=user, signal=signal)


def _following(context: Context) -> Context:
    return dataclasses.replace(context, followers=FOLLOWERS)  # what app/main.py and app/cli.py hand over


def _sync(context: Context, row: Source) -> int:
    outcome = sync.sync_source(_following(context), source_id=row.id)
    assert outcome.status == "ok", outcome
    return max(r.id for r in _runs(context, row))


def _runs(context: Context, row: Source) -> list[SyncRun]:
    with context.factory() as session:
        return list(session.scalars(select(SyncRun).where(SyncRun.source_id == row.id)))


def _check_ins(db: Session, kr: KeyResult) -> list[CheckIn]:
    db.expire_all()
    return list(db.scalars(select(CheckIn).where(CheckIn.key_result_id == kr.id).order_by(CheckIn.id)))


def _page(client: TestClient, org: Org, **headers: str) -> str:
    return client.get(f"/teams/{org.team.id}/okrs?period={_now_quarter()}", headers=headers).text


def test_each_good_sync_checks_in_once_on_each_linked_key_result_of_the_team_on_its_scale(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    share = _kr(db, org.team, org.manager, signal=COMMITS)
    rate = _kr(db, org.team, org.manager, signal=PER_WEEK, kind="numeric", target=20)
    unlinked = _kr(db, org.team, org.manager, signal=None)
    elsewhere = _kr(db, org.other_team, org.outsider, signal=COMMITS)
    last_quarter = _kr(
        db, org.team, org.manager, signal=COMMITS, period=service.shift_period(_now_quarter(), -1)
    )
    repo = source(db, org.team)
    db.commit()
    fake.signals = [Signal(COMMITS, 0.64, "ratio"), Signal(PER_WEEK, 12.5, "per_week")]

    first = _sync(context, repo)

    [checked] = _check_ins(db, share)
    assert (checked.value, checked.source, checked.created_by_id) == (64, "signal", None)
    assert checked.note == f"From model-repo (sync #{first})"
    assert checked.confidence == 5  # no one has judged the odds yet: the form's even chance
    [per_week] = _check_ins(db, rate)
    assert per_week.value == 12.5
    db.refresh(share)
    assert (share.current_value, share.checked_in_at) == (64, checked.created_at)
    for untouched in (unlinked, elsewhere, last_quarter):
        assert _check_ins(db, untouched) == []

    # a person's confidence stays; the next sync adds the next value
    service.check_in(
        db,
        key_result=share,
        data=service.CheckInInput(66, 8, "by hand", None),
        user=org.member,
        now=utcnow(),
    )
    db.commit()
    fake.signals = [Signal(COMMITS, 0.7, "ratio")]
    second = _sync(context, repo)
    values = [(c.value, c.source, c.confidence) for c in _check_ins(db, share)]
    assert values == [(64, "signal", 5), (66, "manual", 8), (70, "signal", 8)]
    assert _check_ins(db, share)[-1].note == f"From model-repo (sync #{second})"
    assert len(_check_ins(db, rate)) == 1  # this sync did not measure it

    # the same run never checks in twice
    with context.factory() as session:
        run = session.get(SyncRun, second)
        row = session.get(Source, repo.id)
        assert run is not None
        assert row is not None
        check_in_from_signals(session, row, run, utcnow())
        session.commit()
    assert len(_check_ins(db, share)) == 3


def test_a_failed_sync_adds_nothing(db: Session, org: Org, fake: Script, context: Context) -> None:
    from tests.signals.conftest import failing

    kr = _kr(db, org.team, org.manager, signal=COMMITS)
    repo = source(db, org.team)
    db.commit()
    fake.error = failing()
    assert sync.sync_source(_following(context), source_id=repo.id).status == "failed"
    assert _check_ins(db, kr) == []


def test_two_sources_of_one_signal_give_the_value_most_in_the_key_results_favour_once(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    kr = _kr(db, org.team, org.manager, signal=COMMITS)
    a = source(db, org.team, kind="mlflow", name="tracking-a")
    b = source(db, org.team, kind="mlflow", name="tracking-b")
    db.commit()
    fake.signals = [Signal(COMMITS, 0.5, "ratio")]
    _sync(context, a)
    fake.signals = [Signal(COMMITS, 0.8, "ratio")]
    b_run = _sync(context, b)
    fake.signals = [Signal(COMMITS, 0.5, "ratio")]
    _sync(context, a)  # B's 80% is still the team's best, and it is already checked in
    assert [(c.value, c.note) for c in _check_ins(db, kr)] == [
        (50, f"From tracking-a (sync #{min(r.id for r in _runs(context, a))})"),
        (80, f"From tracking-b (sync #{b_run})"),
    ]

    # going down is better for a key result whose target is below its start
    down = _kr(db, org.team, org.manager, signal=COMMITS, start=100, target=10)
    db.commit()
    fake.signals = [Signal(COMMITS, 0.6, "ratio")]
    _sync(context, b)
    assert [c.value for c in _check_ins(db, down)] == [50]


def test_the_page_shows_the_signal_its_last_value_and_check_ins_from_it(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    kr = _kr(db, org.team, org.manager, signal=COMMITS)
    repo = source(db, org.team)
    db.commit()
    fake.signals = [Signal(COMMITS, 0.64, "ratio")]
    run = _sync(context, repo)
    act_as(client, db, org.member)

    html = _page(client, org)
    item = re.search(rf'<li class="okr-kr" id="kr-{kr.id}">.*?</li>', html, re.S)
    assert item is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item.group(0)))
    assert f"From signal: {NAME}" in text
    assert "latest value: 64% (model-repo," in text
    assert "(from the signal)" in text
    assert "No value from signal" not in text
    assert 'name="value"' in item.group(0)  # checking in by hand stays possible

    history = client.get(f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins").text
    row = re.search(r"<tbody>.*?</tbody>", history, re.S)
    assert row is not None
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))
    assert f"from signal: {NAME}" in cells
    assert f"From model-repo (sync #{run})" in cells
    assert org.member.name not in cells
    assert org.manager.name not in cells

    ja = _page(client, org, **{"Accept-Language": "ja"})
    assert "シグナル：" in ja
    assert "Git コミットが記録された実行の割合" in ja
    assert "64%" in ja
    ja_history = client.get(
        f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins", headers={"Accept-Language": "ja"}
    ).text
    assert f"model-repo から（同期 #{run}）" in ja_history


def _stopped(html: str) -> str:
    found = re.search(r'<div class="alert warning okr-signal-stopped".*?</div>', html, re.S)
    assert found is not None, "the key result does not say the signal stopped"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()


def test_the_key_result_says_when_its_signal_stops_arriving(
    client: TestClient, db: Session, org: Org, fake: Script, context: Context
) -> None:
    kr = _kr(db, org.team, org.manager, signal=COMMITS)
    repo = source(db, org.team)
    db.commit()
    act_as(client, db, org.viewer)
    assert "None of the team's sources measures it yet" in _stopped(_page(client, org))

    fake.signals = [Signal(COMMITS, 0.64, "ratio")]
    _sync(context, repo)
    assert "okr-signal-stopped" not in _page(client, org)

    # the key disappears from the source's latest good sync
    fake.signals = [Signal(PER_WEEK, 3, "per_week")]
    _sync(context, repo)
    said = _stopped(_page(client, org))
    assert said.startswith(f"No value from signal {NAME} since ")
    assert "Its source model-repo last synced" in said
    assert "without this signal." in said
    assert len(_check_ins(db, kr)) == 1

    # the key is back, then the source stops syncing for more than twice the interval (60 minutes)
    fake.signals = [Signal(COMMITS, 0.7, "ratio")]
    last = _sync(context, repo)
    assert "okr-signal-stopped" not in _page(client, org)
    db.get(SyncRun, last).finished_at = utcnow() - timedelta(minutes=121)  # type: ignore[union-attr]
    db.commit()
    assert "more than twice the sync interval ago" in _stopped(_page(client, org))

    # paused
    db.get(Source, repo.id).enabled = False  # type: ignore[union-attr]
    db.commit()
    assert "Its source model-repo is paused." in _stopped(_page(client, org))
    ja = _stopped(_page(client, org, **{"Accept-Language": "ja"}))
    assert "の値が" in ja
    assert "以降届いていません" in ja
    assert "ソース model-repo は一時停止中です。" in ja

    # removed
    db.delete(db.get(Source, repo.id))
    db.commit()
    assert "Its source was removed from the team." in _stopped(_page(client, org))


def test_a_past_quarters_linked_key_result_does_not_expect_values(
    client: TestClient, db: Session, org: Org
) -> None:
    past = service.shift_period(_now_quarter(), -1)
    _kr(db, org.team, org.manager, signal=COMMITS, period=past)
    db.commit()
    act_as(client, db, org.viewer)
    html = client.get(f"/teams/{org.team.id}/okrs?period={past}").text
    assert "checks in automatically only during its quarter" in html
    assert "okr-signal-stopped" not in html


# --- Linking ---------------------------------------------------------------------------------------


def _link(client: TestClient, org: Org, kr: KeyResult, signal: str) -> object:
    url = f"/teams/{org.team.id}/okrs/key-results/{kr.id}/signal"
    return client.post(url, data={"csrf_token": csrf_token(client), "signal": signal})


def _audits(db: Session, kr: KeyResult) -> list[tuple[str, object, object]]:
    query = select(AuditEvent).where(
        AuditEvent.object_type == "key_result", AuditEvent.object_id == str(kr.id)
    )
    return [
        (e.action, (e.before or {}).get("signal"), (e.after or {}).get("signal"))
        for e in db.scalars(query.order_by(AuditEvent.id))
    ]


def test_a_manager_links_a_key_result_to_a_signal_that_fits_it_on_the_page(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _kr(db, org.team, org.manager, signal=None)
    db.commit()
    act_as(client, db, org.manager)
    form = client.get(f"/teams/{org.team.id}/okrs/key-results/{kr.id}/edit").text
    select_html = re.search(r'<select id="signal-key".*?</select>', form, re.S)
    assert select_html is not None
    groups = re.findall(r'<optgroup label="([^"]+)">', select_html.group(0))
    assert groups == ["MLflow", "Git"]
    assert f'value="{COMMITS}"' in select_html.group(0)
    assert NAME in select_html.group(0)
    assert f'value="{PER_WEEK}"' not in select_html.group(0)  # a rate does not fit a percentage
    assert 'value="git.ci.configured"' not in select_html.group(0)  # nor does a yes/no signal

    response = _link(client, org, kr, COMMITS)
    assert response.status_code == 303  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(KeyResult, kr.id).signal == COMMITS  # type: ignore[union-attr]
    assert "Key result linked to the signal." in client.get(response.headers["location"]).text  # type: ignore[attr-defined]

    for bad, words in (
        ("git.nope.nothing", "Choose one of the signals listed."),
        (PER_WEEK, "This signal is not a share: link it to a numeric key result."),
    ):
        refused = _link(client, org, kr, bad)
        assert refused.status_code == 422  # type: ignore[attr-defined]
        assert f'<div class="field-error" id="signal-error">{words}</div>' in refused.text  # type: ignore[attr-defined]
    ja = client.post(
        f"/teams/{org.team.id}/okrs/key-results/{kr.id}/signal",
        data={"csrf_token": csrf_token(client), "signal": "git.nope.nothing"},
        headers={"Accept-Language": "ja"},
    )
    assert ja.status_code == 422
    assert "一覧にあるシグナルから選んでください。" in ja.text

    assert _link(client, org, kr, "").status_code == 303  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(KeyResult, kr.id).signal is None  # type: ignore[union-attr]
    assert _audits(db, kr) == [
        ("key_result.create", None, None),
        ("key_result.update", None, COMMITS),
        ("key_result.update", COMMITS, None),
    ]

    act_as(client, db, org.member)
    assert _link(client, org, kr, COMMITS).status_code == 403  # type: ignore[attr-defined]


def test_a_linked_key_result_keeps_a_kind_its_signal_fits(client: TestClient, db: Session, org: Org) -> None:
    kr = _kr(db, org.team, org.manager, signal=COMMITS)
    db.commit()
    act_as(client, db, org.manager)
    data = {"csrf_token": csrf_token(client), "title": "Runs", "kind": "numeric", "start_value": "0"}
    response = client.post(
        f"/teams/{org.team.id}/okrs/key-results/{kr.id}", data=data | {"target_value": "9"}
    )
    assert response.status_code == 422
    assert "linked to a signal that does not fit that kind: unlink it first." in response.text
    milestone = _kr(db, org.team, org.manager, signal=None, kind="milestone", target=1)
    db.commit()
    form = client.get(f"/teams/{org.team.id}/okrs/key-results/{milestone.id}/edit").text
    assert "only numeric and percentage key results can be linked to a signal" in form
    assert _link(client, org, milestone, COMMITS).status_code == 422  # type: ignore[attr-defined]


def _bearer(db: Session, who: object) -> dict[str, str]:
    from tests import factories

    return {"Authorization": f"Bearer {factories.api_token(db, who)}"}  # type: ignore[arg-type]


def test_the_api_links_and_unlinks_with_errors_naming_the_field(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _kr(db, org.team, org.manager, signal=None, kind="numeric", target=20)
    db.commit()
    url = f"/api/v1/key-results/{kr.id}"
    manager = _bearer(db, org.manager)

    linked = client.patch(url, json={"signal": PER_WEEK}, headers=manager)
    assert linked.status_code == 200, linked.text
    assert linked.json()["signal"] == PER_WEEK
    listed = client.get(f"/api/v1/teams/{org.team.id}/okrs?period={_now_quarter()}", headers=manager).json()
    assert listed[0]["key_results"][0]["signal"] == PER_WEEK

    unknown = client.patch(url, json={"signal": "mlflow.runs.nothing"}, headers=manager)
    assert unknown.status_code == 422
    assert unknown.json() == {"detail": "Choose one of the signals listed.", "field": "signal"}
    ja = client.patch(
        url, json={"signal": "mlflow.runs.nothing"}, headers=manager | {"Accept-Language": "ja"}
    )
    assert ja.json() == {"detail": "一覧にあるシグナルから選んでください。", "field": "signal"}
    unfit = client.patch(url, json={"signal": COMMITS}, headers=manager)
    assert unfit.status_code == 422
    assert unfit.json()["field"] == "signal"

    unlinked = client.patch(url, json={"signal": None}, headers=manager)
    assert unlinked.status_code == 200
    assert unlinked.json()["signal"] is None
    assert _audits(db, kr)[1:] == [
        ("key_result.update", None, PER_WEEK),
        ("key_result.update", PER_WEEK, None),
    ]
    assert client.patch(url, json={"signal": PER_WEEK}, headers=_bearer(db, org.member)).status_code == 403
    assert client.patch(url, json={"signal": PER_WEEK}, headers=_bearer(db, org.outsider)).status_code == 404


def test_adopting_a_catalogue_key_result_that_names_a_signal_links_it(
    client: TestClient, db: Session, org: Org
) -> None:
    from tests.okrs.test_routes import _adopt

    _adopt(client, db, org)
    query = (
        select(KeyResult.catalogue_id, KeyResult.signal)
        .join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.team_id == org.team.id)
    )
    adopted = dict(db.execute(query).all())
    assert adopted.get("runs-with-data-version") == "mlflow.runs.with_dataset"
    assert {k: s for k, s in adopted.items() if s} == {"runs-with-data-version": "mlflow.runs.with_dataset"}


def test_every_shipped_key_result_names_a_signal_that_fits_it() -> None:
    from app.catalogue.loader import builtin_catalogue
    from app.okrs.signal_links import fits

    catalogue = builtin_catalogue()
    named = [
        (kr, catalogue.signal(kr.signal)) for c in catalogue.capabilities for kr in c.key_results if kr.signal
    ]
    assert len(named) >= 3
    for kr, info in named:
        assert info is not None, kr.id
        assert fits(kr.metric.value, info.unit), kr.id


@pytest.mark.parametrize("kind", ["percentage", "numeric"])
def test_link_choices_fit_the_kind(kind: str) -> None:
    from app.catalogue.loader import builtin_catalogue
    from app.okrs.signal_links import choices

    units = {s.key: s.unit for s in builtin_catalogue().signals}
    keys = [c.key for _, group in choices(kind, "en") for c in group]
    assert keys
    assert all((units[k] == "ratio") == (kind == "percentage") for k in keys)
    assert not any(units[k] == "bool" for k in keys)


def test_a_sync_does_not_check_in_on_an_objective_whose_own_last_day_has_passed(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    today = utcnow().date()
    first, _ = service.quarter_dates(_now_quarter())
    if today == first:
        pytest.skip("on a quarter's first day no objective of the quarter has ended yet")
    ended = service.ObjectiveInput("Sprint goal", "", starts_on=first, ends_on=today - timedelta(days=1))
    parent = service.create_objective(
        db, team_id=org.team.id, period=_now_quarter(), data=ended, user=org.manager
    )
    data = service.KeyResultInput("Runs with their commit", "percentage", 0, 90, "%", None)
    closed = service.create_key_result(db, objective=parent, data=data, user=org.manager, signal=COMMITS)
    open_one = _kr(db, org.team, org.manager, signal=COMMITS)
    repo = source(db, org.team)
    db.commit()
    fake.signals = [Signal(COMMITS, 0.64, "ratio")]
    _sync(context, repo)
    assert _check_ins(db, closed) == []
    assert len(_check_ins(db, open_one)) == 1
