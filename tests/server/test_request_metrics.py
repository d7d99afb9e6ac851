"""Request metrics count a request once its answer is sent, not when the app's call returns: a route's
background task (a source's sync) runs inside that call and is no part of the request."""

from __future__ import annotations

import asyncio

import httpx

from app.monitoring.instruments import REQUESTS
from app.server.request_metrics import UNMATCHED, RequestMetrics
from tests.conftest import run_coroutine
from tests.server.test_read_slots import AnswersThenWorks, _settle


def _counted() -> float:
    return REQUESTS.labels("POST", UNMATCHED, "202")._value.get()


def test_a_request_is_counted_when_answered_while_its_background_work_goes_on() -> None:
    held = AnswersThenWorks()
    app = RequestMetrics(held)
    before = _counted()

    async def scenario() -> list[str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            change = asyncio.ensure_future(client.post("/teams/1/sources/1/sync"))
            while "change answered" not in held.events:
                await asyncio.sleep(0)
            await _settle()
            held.events.append(f"counted {_counted() - before:g}")
            held.release("background")
            assert (await change).status_code == 202
        return held.events

    events = run_coroutine(scenario())
    assert events == ["change in", "change answered", "counted 1", "background done"]
    assert _counted() - before == 1  # once, not again when the work ends
