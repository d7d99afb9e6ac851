"""Templates: every one compiles (the served process compiles them all before it takes requests), their
links are right for the host and the row, and a page's rendering gives way to the changes in flight."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import web
from app.config import PROJECT_ROOT
from app.kit.priority import ChangesInFlight
from tests import factories
from tests.access.conftest import act_as
from tests.factories import Org
from tests.kit.changing import during_a_change, off_the_loop


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
    """Templates' url_for is memoised (app/kit/urls.py): the host and the parameters are part of the key."""
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


def _render_during_a_change(method: str, *, on_a_loop: bool = False) -> float:
    """How long a page template took to render for a request of `method` while a change was in flight."""
    changes = ChangesInFlight()
    request = SimpleNamespace(method=method, app=SimpleNamespace(state=SimpleNamespace(changes=changes)))
    template = web.templates().env.from_string("{% for n in range(100) %}<i>{{ n }}</i>{% endfor %}")
    thread = during_a_change(changes, changes.PAUSE / 2)

    def render() -> float:
        started = time.perf_counter()
        html = template.render(request=request)
        assert html == "".join(f"<i>{n}</i>" for n in range(100))
        return time.perf_counter() - started

    async def render_on_the_loop() -> float:
        return render()

    took = off_the_loop(lambda: asyncio.run(render_on_the_loop()) if on_a_loop else render())
    thread.join()
    return took


@pytest.mark.parametrize(("method", "waits"), [("GET", True), ("POST", False)])
def test_a_page_renders_after_the_change_in_flight_and_a_change_renders_at_once(
    method: str, waits: bool
) -> None:
    assert (_render_during_a_change(method) >= ChangesInFlight.PAUSE / 4) is waits


def test_a_page_rendered_on_the_event_loop_never_waits_for_a_change() -> None:
    """An error page rendered by an async handler: the change finishes on that same loop."""
    assert _render_during_a_change("GET", on_a_loop=True) < ChangesInFlight.PAUSE / 4
