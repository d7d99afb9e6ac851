"""Templates: every one compiles (the served process compiles them all before it takes requests), their
links are right for the host and the row, and a page's rendering gives way to the changes in flight."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import web
from app.config import PROJECT_ROOT
from app.kit import limits
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token, run_coroutine
from tests.factories import Org
from tests.server.changing import DID_NOT_WAIT, WAITED, Recording, with_a_change


def test_every_template_compiles_before_the_first_request() -> None:
    on_disk = sorted(
        p.relative_to(PROJECT_ROOT / "templates").as_posix()
        for p in (PROJECT_ROOT / "templates").rglob("*.html")
    )
    assert web.compile_all() == len(on_disk)
    cached = web.templates().env.cache
    assert cached is not None
    assert {name for _loader, name in cached} >= set(on_disk)


def test_links_on_a_page_follow_the_host_it_was_asked_for(client: TestClient, db: Session, org: Org) -> None:
    """Templates' url_for is memoised (app/server/url_memo.py): host and parameters are part of the key."""
    act_as(client, db, org.member)
    here = client.get(f"/teams/{org.team.id}")
    assert f'href="http://testserver/teams/{org.team.id}/okrs"' in here.text
    there = client.get(f"/teams/{org.team.id}", headers={"Host": "hoshin.example.org"})
    assert f'href="http://hoshin.example.org/teams/{org.team.id}/okrs"' in there.text
    assert "http://testserver/" not in there.text
    factories.member(db, org.other_team, org.member, access="member")
    db.commit()
    other = org.other_team
    page = client.get(f"/teams/{other.id}")
    assert f'href="http://testserver/teams/{other.id}/okrs"' in page.text
    assert f'href="http://testserver/teams/{org.team.id}/okrs"' not in page.text


def _waited_for_a_change(method: str, *, on_a_loop: bool = False) -> bool:
    """Whether a page template, rendering for a request of `method` while a change was in flight,
    finished only after the change had (by the order of events: tests/server/changing.py)."""
    changes = Recording(pause=600)
    request = SimpleNamespace(method=method, app=SimpleNamespace(state=SimpleNamespace(changes=changes)))
    template = web.templates().env.from_string("{% for n in range(100) %}<i>{{ n }}</i>{% endfor %}")

    def render() -> None:
        html = template.render(request=request)
        assert html == "".join(f"<i>{n}</i>" for n in range(100))

    async def render_on_the_loop() -> None:
        render()

    events = with_a_change(changes, (lambda: run_coroutine(render_on_the_loop())) if on_a_loop else render)
    assert events in (WAITED, DID_NOT_WAIT)
    return events == WAITED


@pytest.mark.parametrize(("method", "waits"), [("GET", True), ("POST", False)])
def test_a_page_renders_after_the_change_in_flight_and_a_change_renders_at_once(
    method: str, waits: bool
) -> None:
    assert _waited_for_a_change(method) is waits


def test_a_page_rendered_on_the_event_loop_never_waits_for_a_change() -> None:
    """An error page rendered by an async handler: the change finishes on that same loop."""
    assert not _waited_for_a_change("GET", on_a_loop=True)


def test_a_page_form_over_1_mb_gets_a_413_page_in_the_readers_language(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    response = client.post(
        "/teams",
        data={"name": "x" * limits.BODY, "csrf_token": csrf_token(client)},
        headers={"Accept-Language": "ja"},
    )
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "このリクエストはサーバーが受け付ける大きさ（最大 1 MB）を超えています。" in response.text


def test_a_form_field_the_route_refuses_gives_a_localized_page_not_a_bare_422(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.manager)
    assessment = factories.assessment(db, org.team, factories.maturity_model(db), period="2026-Q4")
    db.commit()
    response = client.post(
        f"/assessments/{assessment.id}/answers/data-versioning",
        data={"version": "-1", "csrf_token": csrf_token(client)},
        headers={"Accept-Language": "ja"},
    )
    assert response.status_code == 422
    assert "version: 0 以上を入力してください。" in response.text
    assert "ブラウザーの「戻る」ボタンで前の画面に戻って直してください。" in response.text
    assert '<html lang="ja">' in response.text


def test_a_page_with_an_impossible_id_is_not_found(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    assert client.get("/teams/0").status_code == 404
