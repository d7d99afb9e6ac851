"""Every route and API endpoint, tried by each persona (admin, the team's manager, member and viewer, a
manager of another team, and an anonymous client), against the access it declares here. Downloads are
tried with each persona's API token too (an anonymous client sends a token that does not exist).

Adding a route without declaring it in ACCESS fails `test_every_route_declares_its_access`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount

from app.auth import tokens
from tests import factories
from tests.access.conftest import PERSONAS, World, act_as
from tests.conftest import csrf_token

SIGNED_IN_PERSONAS = frozenset(PERSONAS) - {"anonymous"}
TEAM = frozenset({"admin", "manager", "member", "viewer"})  # everyone with a way into the main team


@dataclass(frozen=True)
class Rule:
    """Who gets through; `hidden` get 404 (they may not know the team exists); other signed-in people
    get 403; anonymous clients are sent to sign in (303) or, under /api/, get 401."""

    name: str
    allowed: frozenset[str]
    hidden: frozenset[str] = frozenset()


PUBLIC = Rule("public", frozenset(PERSONAS))
SIGNED_IN = Rule("signed in", SIGNED_IN_PERSONAS)
ADMIN = Rule("admin", frozenset({"admin"}))
TEAM_CREATOR = Rule("admin or installation manager", frozenset({"admin", "manager", "outsider"}))
TEAM_VIEW = Rule("team: view", TEAM, hidden=frozenset({"outsider"}))
TEAM_ANSWER = Rule("team: answer", TEAM - {"viewer"}, hidden=frozenset({"outsider"}))
TEAM_MANAGE = Rule("team: manage", frozenset({"admin", "manager"}), hidden=frozenset({"outsider"}))
# off unless the installation sets a scrape token or addresses, and then for scrapers, not people:
# tests/monitoring/test_routes.py
SCRAPERS = Rule("scrapers only, off by default", frozenset(), hidden=frozenset(PERSONAS))

ACCESS: dict[tuple[str, str], Rule] = {
    # system, sign-in, API description
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("POST", "/language"): PUBLIC,
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/metrics"): SCRAPERS,
    ("GET", "/invite/{token}"): PUBLIC,
    ("POST", "/invite/{token}"): PUBLIC,
    ("GET", "/reset/{token}"): PUBLIC,
    ("POST", "/reset/{token}"): PUBLIC,
    # teams
    ("GET", "/"): SIGNED_IN,
    ("GET", "/dashboard"): SIGNED_IN,  # content filtered to visible teams: tests/dashboard/test_routes.py
    ("GET", "/dashboard/teams/{team_id}"): TEAM_VIEW,
    ("GET", "/dashboard/teams/{team_id}/diff"): TEAM_VIEW,  # both assessments must be the team's: 422 else
    ("GET", "/teams/new"): TEAM_CREATOR,
    ("POST", "/teams"): TEAM_CREATOR,
    ("GET", "/teams/{team_id}"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/edit"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/members"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/members/{membership_id}/edit"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/members/{membership_id}"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/members/{membership_id}/remove"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/raci"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/raci/cell"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/raci/reset"): TEAM_MANAGE,
    # account
    ("GET", "/account"): SIGNED_IN,
    ("POST", "/account/profile"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,
    ("POST", "/account/tokens/{token_id}/revoke"): SIGNED_IN,
    # admin
    ("GET", "/admin/users"): ADMIN,
    ("GET", "/admin/users/invite"): ADMIN,
    ("POST", "/admin/users/invite"): ADMIN,
    ("GET", "/admin/users/{user_id}"): ADMIN,
    ("POST", "/admin/users/{user_id}/role"): ADMIN,
    ("POST", "/admin/users/{user_id}/active"): ADMIN,
    ("POST", "/admin/users/{user_id}/reset"): ADMIN,
    ("GET", "/admin/teams"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    ("GET", "/admin/models"): ADMIN,
    ("GET", "/admin/targets"): ADMIN,
    ("POST", "/admin/targets"): ADMIN,
    ("POST", "/admin/models"): ADMIN,
    ("GET", "/admin/models/schema.json"): ADMIN,
    ("GET", "/admin/models/guide.md"): ADMIN,
    ("GET", "/admin/audit.csv"): ADMIN,
    ("GET", "/admin/transfer"): ADMIN,
    ("GET", "/admin/transfer/organisation.json"): ADMIN,
    ("GET", "/admin/transfer/schema.json"): ADMIN,
    ("POST", "/admin/transfer/import"): ADMIN,
    # assessments (pages)
    ("GET", "/teams/{team_id}/assessments"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/assessments"): TEAM_MANAGE,
    ("GET", "/assessments/{assessment_id}"): TEAM_VIEW,
    ("POST", "/assessments/{assessment_id}/answers/{question_id}"): TEAM_ANSWER,
    ("POST", "/assessments/{assessment_id}/submit"): TEAM_MANAGE,
    ("POST", "/assessments/{assessment_id}/reopen"): TEAM_MANAGE,
    ("GET", "/assessments/{assessment_id}/results"): TEAM_VIEW,
    ("GET", "/assessments/{assessment_id}/answers.csv"): TEAM_VIEW,
    ("GET", "/assessments/{assessment_id}/results.csv"): TEAM_VIEW,
    # evidence beside the questions: accepting changes the answer, dismissing a flag is a manager's call
    ("POST", "/assessments/{assessment_id}/questions/{question_id}/evidence/accept"): TEAM_ANSWER,
    ("POST", "/assessments/{assessment_id}/questions/{question_id}/evidence/dismiss"): TEAM_MANAGE,
    ("GET", "/api/v1/assessments/{assessment_id}/evidence"): TEAM_VIEW,
    ("GET", "/assessments/{assessment_id}/evidence-flags"): TEAM_VIEW,  # the questionnaire head's list
    ("POST", "/api/v1/assessments/{assessment_id}/questions/{question_id}/evidence/accept"): TEAM_ANSWER,
    ("POST", "/api/v1/assessments/{assessment_id}/questions/{question_id}/evidence/dismiss"): TEAM_MANAGE,
    ("GET", "/reports/assessment/{assessment_id}"): TEAM_VIEW,
    ("GET", "/reports/organisation"): SIGNED_IN,
    ("GET", "/reports/organisation.pdf"): SIGNED_IN,
    ("GET", "/reports/assessment/{assessment_id}.pdf"): TEAM_VIEW,
    ("GET", "/reports/teams/{team_id}/{kind}"): TEAM_VIEW,
    ("GET", "/reports/teams/{team_id}/{kind}.pdf"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/targets"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/targets"): TEAM_MANAGE,
    # roadmap
    ("GET", "/teams/{team_id}/roadmap"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/roadmap/generate"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/roadmap/items"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/roadmap/items/{item_id}/edit"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/roadmap/items/{item_id}/status"): TEAM_ANSWER,  # Action.CHECK_IN
    ("GET", "/teams/{team_id}/roadmap/versions"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/roadmap/action-plan"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/roadmap/poc"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/roadmap.csv"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/roadmap.md"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/roadmap.ics"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/roadmap.json"): TEAM_VIEW,
    ("POST", "/api/v1/teams/{team_id}/roadmap"): TEAM_MANAGE,
    ("GET", "/api/v1/teams/{team_id}/roadmap"): TEAM_VIEW,
    ("PATCH", "/api/v1/teams/{team_id}/roadmap/items/{item_id}"): TEAM_ANSWER,  # edits: checked inside
    # checklists (no roadmap in this world: allowed people get 409 "generate the roadmap first")
    ("POST", "/teams/{team_id}/roadmap/items/{item_id}/checklist/{entry_id}"): TEAM_ANSWER,  # Action.CHECK_IN
    ("GET", "/api/v1/teams/{team_id}/roadmap/checklist"): TEAM_VIEW,
    ("PUT", "/api/v1/teams/{team_id}/roadmap/items/{item_id}/checklist/{entry_id}"): TEAM_ANSWER,
    # the team's checklists: the playbook's (every team has them, so these reach a real entry) and the
    # roadmap's; members change entries (Action.CHECK_IN), viewers read
    ("GET", "/teams/{team_id}/checklists"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/checklists/{source}/{list_id}/{entry_id}"): TEAM_ANSWER,
    ("POST", "/teams/{team_id}/checklists/{source}/{list_id}/{entry_id}/tick"): TEAM_ANSWER,
    ("GET", "/api/v1/teams/{team_id}/checklists"): TEAM_VIEW,
    ("PATCH", "/api/v1/teams/{team_id}/checklists/{source}/{list_id}/{entry_id}"): TEAM_ANSWER,
    # learning log (members log sessions: Action.CHECK_IN)
    ("GET", "/teams/{team_id}/learning"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/learning/new"): TEAM_ANSWER,
    ("POST", "/teams/{team_id}/learning"): TEAM_ANSWER,
    ("GET", "/teams/{team_id}/learning/{learning_session_id}/edit"): TEAM_ANSWER,
    ("POST", "/teams/{team_id}/learning/{learning_session_id}"): TEAM_ANSWER,
    ("POST", "/teams/{team_id}/learning/{learning_session_id}/delete"): TEAM_ANSWER,
    # OKRs
    ("GET", "/teams/{team_id}/okrs"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/okrs/objectives/new"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/objectives"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/okrs/objectives/{objective_id}/edit"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/objectives/{objective_id}"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/objectives/{objective_id}/delete"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/okrs/objectives/{objective_id}/key-results/new"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/objectives/{objective_id}/key-results"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/okrs/key-results/{key_result_id}/edit"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/key-results/{key_result_id}"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/key-results/{key_result_id}/delete"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/key-results/{key_result_id}/signal"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/key-results/{key_result_id}/check-ins"): TEAM_ANSWER,  # Action.CHECK_IN
    ("GET", "/teams/{team_id}/okrs/key-results/{key_result_id}/check-ins"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/okrs/adopt"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/templates"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/objectives/{objective_id}/reopen"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/okrs/objectives/{objective_id}/close"): TEAM_MANAGE,
    ("GET", "/api/v1/teams/{team_id}/okrs"): TEAM_VIEW,
    ("POST", "/api/v1/key-results/{key_result_id}/check-ins"): TEAM_ANSWER,  # Action.CHECK_IN
    ("PATCH", "/api/v1/key-results/{key_result_id}"): TEAM_MANAGE,
    ("DELETE", "/api/v1/key-results/{key_result_id}"): TEAM_MANAGE,
    ("POST", "/api/v1/teams/{team_id}/objectives"): TEAM_MANAGE,
    ("PATCH", "/api/v1/objectives/{objective_id}"): TEAM_MANAGE,
    ("DELETE", "/api/v1/objectives/{objective_id}"): TEAM_MANAGE,
    ("POST", "/api/v1/objectives/{objective_id}/key-results"): TEAM_MANAGE,
    # organisation objectives: leadership's, set by admins, read by everyone signed in (contributions
    # filtered to the teams the reader sees: tests/okrs/test_org.py)
    ("GET", "/okrs"): SIGNED_IN,
    ("GET", "/okrs/objectives/new"): ADMIN,
    ("POST", "/okrs/objectives"): ADMIN,
    ("GET", "/okrs/objectives/{org_objective_id}/edit"): ADMIN,
    ("POST", "/okrs/objectives/{org_objective_id}"): ADMIN,
    ("POST", "/okrs/objectives/{org_objective_id}/delete"): ADMIN,
    # quarterly reviews (app/reviews; no roadmap in this world: adding an action to it is refused inline)
    ("GET", "/teams/{team_id}/reviews"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/reviews/{period}"): TEAM_VIEW,
    ("POST", "/teams/{team_id}/reviews/{period}"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/reviews/{period}/actions/{action_id}/roadmap"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/reviews/{period}/actions/{action_id}/key-result"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/reviews/{period}/next"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/reviews/{period}/next"): TEAM_MANAGE,
    # sources and signals (app/signals)
    ("GET", "/teams/{team_id}/sources"): TEAM_VIEW,
    ("GET", "/teams/{team_id}/sources/new"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/sources"): TEAM_MANAGE,
    ("GET", "/teams/{team_id}/sources/{source_id}/edit"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/sources/{source_id}"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/sources/{source_id}/delete"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/sources/{source_id}/sync"): TEAM_MANAGE,
    ("POST", "/teams/{team_id}/sources/{source_id}/test"): TEAM_MANAGE,
    ("GET", "/admin/sources"): ADMIN,
    ("GET", "/api/v1/teams/{team_id}/sources"): TEAM_VIEW,
    ("POST", "/api/v1/teams/{team_id}/sources"): TEAM_MANAGE,
    ("PATCH", "/api/v1/teams/{team_id}/sources/{source_id}"): TEAM_MANAGE,
    ("DELETE", "/api/v1/teams/{team_id}/sources/{source_id}"): TEAM_MANAGE,
    ("POST", "/api/v1/teams/{team_id}/sources/{source_id}/sync"): TEAM_MANAGE,
    ("GET", "/api/v1/teams/{team_id}/signals"): TEAM_VIEW,
    # delivery metrics (app/delivery)
    ("GET", "/teams/{team_id}/delivery"): TEAM_VIEW,
    ("GET", "/api/v1/teams/{team_id}/delivery-metrics"): TEAM_VIEW,
    # JSON API
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/teams"): SIGNED_IN,
    ("POST", "/api/v1/teams"): TEAM_CREATOR,
    ("GET", "/api/v1/teams/{team_id}"): TEAM_VIEW,
    ("PATCH", "/api/v1/teams/{team_id}"): TEAM_MANAGE,
    ("POST", "/api/v1/teams/{team_id}/members"): TEAM_MANAGE,
    ("PATCH", "/api/v1/teams/{team_id}/members/{membership_id}"): TEAM_MANAGE,
    ("DELETE", "/api/v1/teams/{team_id}/members/{membership_id}"): TEAM_MANAGE,
    ("GET", "/api/v1/teams/{team_id}/targets/{model}"): TEAM_VIEW,
    ("PUT", "/api/v1/teams/{team_id}/targets/{model}"): TEAM_MANAGE,
    ("GET", "/api/v1/targets/{model}"): ADMIN,
    ("PUT", "/api/v1/targets/{model}"): ADMIN,
    ("GET", "/api/v1/models"): SIGNED_IN,
    ("GET", "/api/v1/models/{slug}"): SIGNED_IN,
    ("GET", "/api/v1/assessments"): SIGNED_IN,
    ("POST", "/api/v1/assessments"): SIGNED_IN,  # the team is in the body: checked by the endpoint
    ("GET", "/api/v1/assessments/{assessment_id}"): TEAM_VIEW,
    ("GET", "/api/v1/assessments/{assessment_id}/answers"): TEAM_VIEW,
    ("PUT", "/api/v1/assessments/{assessment_id}/answers/{question_id}"): TEAM_ANSWER,
    ("GET", "/api/v1/assessments/{assessment_id}/results"): TEAM_VIEW,
    ("POST", "/api/v1/assessments/{assessment_id}/submit"): TEAM_MANAGE,
    ("POST", "/api/v1/assessments/{assessment_id}/reopen"): TEAM_MANAGE,
}
SAFE = {"GET", "HEAD", "OPTIONS"}


def app_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(method, path) of every route, including those of included routers (kept lazily by FastAPI)."""
    found = set()
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        # FastAPI ≥ 0.16x keeps included routers as one entry that lists its effective routes.
        candidates = route.effective_candidates() if hasattr(route, "effective_candidates") else [route]
        for candidate in candidates:
            for method in getattr(candidate, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, candidate.path))
    return found


def test_every_route_declares_its_access(app) -> None:  # type: ignore[no-untyped-def]
    undeclared = sorted(app_routes(app) - ACCESS.keys())
    assert undeclared == [], f"declare who may use these routes in ACCESS: {undeclared}"


def test_no_declared_route_is_stale(app) -> None:  # type: ignore[no-untyped-def]
    assert sorted(ACCESS.keys() - app_routes(app)) == []


def _url(path: str, world: World) -> str:
    params = {
        **world.params,
        "token_id": 0,
        "item_id": "data-versioning",
        "entry_id": "documentation" if "/checklists/" in path else "x",
        "source": "playbook",
        "list_id": "technical",
        "kind": "action-plan",
    }
    params["token"] = params["invite_token"] if path.startswith("/invite") else params["reset_token"]
    return path.format(**params)


def _expected(rule: Rule, persona: str, path: str) -> str:
    if persona in rule.allowed:
        return "allowed"
    if persona in rule.hidden:
        return "404"
    if persona == "anonymous":
        return "401" if path.startswith("/api/") else "sign-in"
    return "403"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path"), sorted(ACCESS), ids=lambda v: v)
def test_route_gives_each_persona_the_declared_access(
    client: TestClient, db: Session, world: World, method: str, path: str, persona: str
) -> None:
    user = None if persona == "anonymous" else getattr(world.org, persona)
    act_as(client, db, user)
    url = _url(path, world)
    if path == "/account/tokens/{token_id}/revoke":  # one's own token: the route only reaches those
        owner = user or world.org.admin
        url = path.format(token_id=tokens.create(db, user=owner, name="matrix").row.id)
        db.commit()
    headers = {} if method in SAFE else {"X-CSRF-Token": csrf_token(client)}
    body = {"json": {}} if path.startswith("/api/") and method not in SAFE else {"data": {}}
    response = client.request(method, url, headers=headers, **body)  # type: ignore[arg-type]
    expected = _expected(ACCESS[(method, path)], persona, path)
    status, location = response.status_code, response.headers.get("location", "")
    if expected == "allowed":
        assert status not in (401, 403, 404), (status, response.text[:300])
        assert not location.startswith("/sign-in?"), location
        assert status < 500, response.text[:500]
    elif expected == "sign-in":
        assert status == 303, status
        assert location.startswith("/sign-in?next="), location
    else:
        assert status == int(expected), (status, response.text[:300])


UNSAFE = sorted((m, p) for m, p in ACCESS if m not in SAFE)


@pytest.mark.parametrize(("method", "path"), UNSAFE, ids=lambda v: v)
def test_state_changing_route_refuses_a_request_without_the_csrf_token(
    client: TestClient, db: Session, world: World, method: str, path: str
) -> None:
    act_as(client, db, world.org.admin)
    url = _url(path, world).replace("{token_id}", "1")
    response = client.request(method, url, data={"csrf_token": "forged"})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), UNSAFE, ids=lambda v: v)
def test_forged_cross_site_request_is_refused_even_with_a_valid_token(
    client: TestClient, db: Session, world: World, method: str, path: str
) -> None:
    act_as(client, db, world.org.admin)
    url = _url(path, world).replace("{token_id}", "1")
    headers = {
        "X-CSRF-Token": csrf_token(client),
        "Origin": "https://evil.example",
        "Sec-Fetch-Site": "cross-site",
    }
    response = client.request(method, url, headers=headers, data={})
    assert response.status_code == 403
    assert "another site" in response.text


SIGNED_IN_READS = sorted(
    (m, p) for (m, p), rule in ACCESS.items() if m in SAFE and rule not in (PUBLIC, SCRAPERS)
)


@pytest.mark.parametrize(("method", "path"), SIGNED_IN_READS, ids=lambda v: v)
def test_no_signed_in_page_is_kept_by_the_browser(
    client: TestClient, db: Session, world: World, method: str, path: str
) -> None:
    """After sign-out, Back must not show a confidential page again: pages, PDFs and exports alike."""
    act_as(client, db, world.org.admin)
    response = client.request(method, _url(path, world))
    assert response.status_code < 500, response.text[:500]
    assert response.headers.get("Cache-Control") == "no-store", (response.status_code, response.headers)


# A download is a page whose path names a file (roadmap.csv, {kind}.pdf): scripts fetch these with an
# API token, with the access the token's owner has in the browser. Every other page ignores the token.
DOWNLOAD = re.compile(r"\.[a-z]+$")
SIGNED_IN_PAGES = sorted((m, p) for m, p in SIGNED_IN_READS if not p.startswith("/api/"))
DOWNLOADS = [(m, p) for m, p in SIGNED_IN_PAGES if DOWNLOAD.search(p)]


def test_the_downloads_are_the_files_leadership_managers_and_admins_fetch() -> None:
    paths = {p for _, p in DOWNLOADS}
    assert {"/reports/teams/{team_id}/{kind}.pdf", "/reports/organisation.pdf"} <= paths
    assert {"/assessments/{assessment_id}/answers.csv", "/assessments/{assessment_id}/results.csv"} <= paths
    assert {f"/teams/{{team_id}}/roadmap.{ext}" for ext in ("csv", "md", "ics", "json")} <= paths


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path"), DOWNLOADS, ids=lambda v: v)
def test_download_gives_each_personas_token_the_declared_access(
    client: TestClient, db: Session, world: World, method: str, path: str, persona: str
) -> None:
    user = None if persona == "anonymous" else getattr(world.org, persona)
    secret = factories.api_token(db, user) if user else "hsn_not-a-token"
    response = client.request(method, _url(path, world), headers={"Authorization": f"Bearer {secret}"})
    rule = ACCESS[(method, path)]
    if persona in rule.allowed:
        assert response.status_code not in (401, 403, 404), (response.status_code, response.text[:300])
        assert response.status_code < 500, response.text[:500]
        assert response.headers.get("Cache-Control") == "no-store"
        return
    expected = 401 if user is None else 404 if persona in rule.hidden else 403
    assert response.status_code == expected, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/json"  # a script's error: no sign-in page
    assert response.json()["detail"]


@pytest.mark.parametrize(("method", "path"), sorted(set(SIGNED_IN_PAGES) - set(DOWNLOADS)), ids=lambda v: v)
def test_a_page_that_is_not_a_download_ignores_a_token(
    client: TestClient, db: Session, world: World, method: str, path: str
) -> None:
    secret = factories.api_token(db, world.org.admin)
    response = client.request(method, _url(path, world), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 303, response.status_code
    assert response.headers["location"].startswith("/sign-in?next=")
