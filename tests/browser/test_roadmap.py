"""The roadmap in a real browser: generate from a demo team's assessment, pin one item, drop another,
reassess (mlops-full, this quarter: the demo's other latest results stay as loaded) with one more
capability at target, regenerate: the pin and the drop survive and the closed gap's item is gone."""

from __future__ import annotations

from typing import Any

import pytest

from app.kit.time import quarter_of, utcnow
from tests.browser.conftest import LiveServer, sign_in

pytestmark = pytest.mark.browser
MANAGER = "daniel.weber@example.com"  # Fraud Detection: no other browser test writes to it


def _api(page: Any, server: LiveServer, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "hoshin_csrf")
    headers = {"X-CSRF-Token": token, "Origin": server.url}
    response = page.request.fetch(f"{server.url}{path}", method=method, headers=headers, data=body)
    assert response.ok, (path, response.status, response.text())
    return response.json()


def _reassess_with_capability_at_top(page: Any, server: LiveServer, team_id: int, capability_id: str) -> None:
    model = _api(page, server, "GET", "/api/v1/models/mlops-full")["content"]
    body = {"team_id": team_id, "model": "mlops-full", "period": quarter_of(utcnow()), "copy_last": True}
    assessment = _api(page, server, "POST", "/api/v1/assessments", body)
    versions = {
        a["question_id"]: a["version"]
        for a in _api(page, server, "GET", f"/api/v1/assessments/{assessment['id']}/answers")
    }
    capability = next(c for d in model["dimensions"] for c in d["capabilities"] if c["id"] == capability_id)
    for question in capability["questions"]:
        top = max((c for c in question["choices"] if c.get("level") is not None), key=lambda c: c["level"])
        answer = {"choice_id": top["id"], "version": versions.get(question["id"], 0)}
        _api(page, server, "PUT", f"/api/v1/assessments/{assessment['id']}/answers/{question['id']}", answer)
    _api(page, server, "POST", f"/api/v1/assessments/{assessment['id']}/submit")


def test_pins_and_drops_survive_regeneration_and_closed_gaps_leave(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, MANAGER)
    teams = _api(page, live_server, "GET", "/api/v1/teams")
    team_id = next(t["id"] for t in teams if t["slug"] == "fraud-detection")
    page.goto(f"{live_server.url}/teams/{team_id}/roadmap")
    page.click("#generate")
    page.wait_for_selector("article.roadmap-item")
    page.wait_for_load_state()  # every item parsed
    assert page.locator(".gantt-scroll svg rect.gantt-bar").count() >= 3
    items = page.locator("article.roadmap-item").evaluate_all("nodes => nodes.map(n => n.dataset.item)")
    pinned, dropped, closing = items[0], items[1], items[2]

    page.locator(f"#item-{pinned} button[value=pin]").click()
    page.wait_for_selector(f"#item-{pinned} .pinned-badge")
    page.locator(f"#item-{dropped} button[value=drop]").click()
    page.wait_for_selector(f"#dropped li[data-item='{dropped}']")
    assert page.locator(f"#item-{dropped}").count() == 0

    _reassess_with_capability_at_top(page, live_server, team_id, closing)
    page.goto(f"{live_server.url}/teams/{team_id}/roadmap")
    page.click("#regenerate")
    page.wait_for_selector("text=Version 2")
    page.wait_for_load_state()  # the version is in the page head: wait for the items and dropped list
    assert page.locator(f"#item-{pinned} .pinned-badge").count() == 1
    assert page.locator(f"#dropped li[data-item='{dropped}']").count() == 1
    assert page.locator(f"#item-{dropped}").count() == 0
    assert page.locator(f"#item-{closing}").count() == 0
