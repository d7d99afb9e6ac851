"""The served app freezes what its first requests built, once per threshold, and serves every request."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.server.heap import FreezeWhenWarm

built: list[object] = []  # what a request leaves behind for good (a cache entry, say)


def _ok(_request: object) -> PlainTextResponse:
    built.append({"entry": [len(built)]})
    return PlainTextResponse("ok")


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # what this test froze goes back to the collector


def _frozen_after_each(client: TestClient, requests: int) -> list[int]:
    counts = []
    for _ in range(requests):
        assert client.get("/").text == "ok"
        counts.append(gc.get_freeze_count())
    return counts


def test_what_the_first_requests_built_is_frozen_at_each_threshold(unfrozen: None) -> None:
    app = FreezeWhenWarm(Starlette(routes=[Route("/", _ok)]), after=(2, 4))
    with TestClient(app) as client:
        counts = _frozen_after_each(client, 6)
    assert counts[0] == 0
    assert counts[1] > 0  # the second request froze what was alive, its cache entries among them
    # nothing more until the next threshold (frozen objects that were freed since leave the count)
    assert counts[2] <= counts[1]
    assert counts[3] > counts[2]
    assert counts[5] <= counts[4] <= counts[3]  # and never again
    assert not any(entry is built[0] for entry in gc.get_objects())  # frozen: out of the collector's reach


def test_health_checks_and_static_files_do_not_count(unfrozen: None) -> None:
    routes = [Route("/", _ok), Route("/healthz", _ok)]
    app = FreezeWhenWarm(Starlette(routes=routes), after=(2,), skip=("/static/", "/healthz"))
    with TestClient(app) as client:
        for _ in range(3):
            assert client.get("/healthz").text == "ok"
        assert gc.get_freeze_count() == 0
        assert _frozen_after_each(client, 2)[-1] > 0


def test_without_thresholds_nothing_is_frozen(unfrozen: None) -> None:
    app = FreezeWhenWarm(Starlette(routes=[Route("/", _ok)]), after=())
    with TestClient(app) as client:
        assert _frozen_after_each(client, 3) == [0, 0, 0]
