"""OKR pages through HTTP: managers set objectives, members check in, viewers read, outsiders see nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.catalogue.loader import builtin_catalogue as catalogue
from app.kit import limits
from app.models import AuditEvent, CheckIn, KeyResult, Membership, Objective
from app.okrs import adopt, service
from app.teams.raci import service as raci_service
from tests import factories
from tests.access.conftest import act_as
from tests.conftest import csrf_token
from tests.factories import Org
from tests.okrs import rows

HTMX = {"HX-Request": "true"}


def _page(org: Org, period: str = rows.PERIOD) -> str:
    return f"/teams/{org.team.id}/okrs?period={period}"


def _setup(db: Session, org: Org) -> KeyResult:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager, owner=org.member)
    db.commit()
    return kr


def _check_in(client: TestClient, org: Org, kr: KeyResult, **fields: str) -> object:
    data = {
        "csrf_token": csrf_token(client),
        "value": "4",
        "confidence": "7",
        "client_token": "tok-1",
    } | fields
    return client.post(f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins", data=data)


def test_empty_quarter_tells_the_manager_what_to_do_next(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    html = client.get(_page(org)).text
    assert "No objectives for 2027-Q1 yet" in html
    assert "roadmap to get suggested OKRs, start from a template, or write your own objective" in html
    assert f"/teams/{org.team.id}/okrs/objectives/new?period=2027-Q1" in html


def test_page_defaults_to_the_current_quarter_and_offers_others(
    client: TestClient, db: Session, org: Org
) -> None:
    act_as(client, db, org.member)
    html = client.get(f"/teams/{org.team.id}/okrs").text
    assert re.search(r'<option value="\d{4}-Q\d" selected>\d{4}-Q\d \(current\)', html)


def test_a_bad_period_is_a_clear_422(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.member)
    response = client.get(f"/teams/{org.team.id}/okrs?period=2027-Q9")
    assert response.status_code == 422
    assert "Choose a quarter" in response.text


def test_manager_creates_an_objective_and_a_key_result(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.manager)
    token = csrf_token(client)
    response = client.post(
        f"/teams/{org.team.id}/okrs/objectives",
        data={"csrf_token": token, "period": rows.PERIOD, "title": "Reproducible training"},
    )
    assert response.status_code == 303
    objective = db.scalars(select(Objective)).one()
    response = client.post(
        f"/teams/{org.team.id}/okrs/objectives/{objective.id}/key-results",
        data={
            "csrf_token": token,
            "title": "Runs with data version",
            "kind": "percentage",
            "start_value": "20",
            "target_value": "95",
            "owner_id": str(org.member.id),
        },
    )
    assert response.status_code == 303
    html = client.get(_page(org)).text
    assert "Reproducible training" in html
    assert "Runs with data version" in html
    assert "No check-in yet" in html
    assert org.member.name in html


def test_key_result_form_shows_the_error_next_to_the_field(client: TestClient, db: Session, org: Org) -> None:
    objective = rows.objective(db, org.team, org.manager)
    db.commit()
    act_as(client, db, org.manager)
    response = client.post(
        f"/teams/{org.team.id}/okrs/objectives/{objective.id}/key-results",
        data={
            "csrf_token": csrf_token(client),
            "title": "Lead time",
            "kind": "numeric",
            "start_value": "5",
            "target_value": "x",
        },
    )
    assert response.status_code == 422
    assert 'id="target_value-error"' in response.text
    assert 'value="Lead time"' in response.text  # nothing typed is lost
    assert db.scalar(select(func.count()).select_from(KeyResult)) == 0


def test_delete_needs_the_confirmation_box(client: TestClient, db: Session, org: Org) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.manager)
    url = f"/teams/{org.team.id}/okrs/objectives/{kr.objective_id}/delete"
    refused = client.post(url, data={"csrf_token": csrf_token(client)})
    assert refused.status_code == 422
    assert "Tick the box" in refused.text
    assert client.post(url, data={"csrf_token": csrf_token(client), "confirm": "yes"}).status_code == 303
    assert db.scalar(select(func.count()).select_from(Objective)) == 0


def test_member_checks_in_and_sees_status_and_history(client: TestClient, db: Session, org: Org) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.member)
    assert _check_in(client, org, kr, note="halfway there").status_code == 303
    html = client.get(_page(org)).text
    assert "On track" in html
    assert "Confidence: 7/10" in html
    history = client.get(f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins").text
    assert "halfway there" in history
    assert org.member.name in history


def test_htmx_check_in_swaps_its_key_result_and_the_objective_progress_only(
    client: TestClient, db: Session, org: Org
) -> None:
    objective = rows.objective(db, org.team, org.manager)
    kr = rows.key_result(db, objective, org.manager, owner=org.member)
    rows.key_result(db, objective, org.manager, title="Rollbacks rehearsed")
    db.commit()
    act_as(client, db, org.member)
    response = client.post(
        f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins",
        data={"value": "2", "confidence": "3", "client_token": "h1"},
        headers={**HTMX, "X-CSRF-Token": csrf_token(client)},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li class="okr-kr" id="kr-{kr.id}">')
    assert "Off track" in response.text
    assert "Rollbacks rehearsed" not in response.text  # the other key result (its form too) stays as typed
    # the objective's progress: (20 % + 0 %) / 2, swapped in place beside the key result
    total = re.search(
        rf'<div class="okr-total" id="objective-{kr.objective_id}-total" hx-swap-oob="true">', response.text
    )
    assert total is not None
    assert "<strong>10%</strong>" in response.text
    # the form they typed in has been replaced: a screen reader hears what happened
    assert '<div id="okr-announce" class="visually-hidden" role="status" hx-swap-oob="true">' in response.text
    assert "Check-in saved for Deploys per month." in response.text
    assert (
        f'id="objective-{kr.objective_id}-bar" hx-swap-oob="true" min="0" max="100" value="10.0"'
        in response.text
    )


def test_htmx_check_in_error_keeps_what_was_typed_in_its_key_result(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.member)
    response = client.post(
        f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins",
        data={"value": "6", "confidence": "12", "note": "almost", "client_token": "h2"},
        headers={**HTMX, "X-CSRF-Token": csrf_token(client)},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith(f'<li class="okr-kr" id="kr-{kr.id}">')
    assert f'id="confidence-{kr.id}-error"' in response.text
    assert 'value="6"' in response.text
    assert 'value="almost"' in response.text
    assert "okr-announce" not in response.text  # the error is announced on its field instead
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_bad_check_in_shows_the_error_on_the_field_and_saves_nothing(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.member)
    response = _check_in(client, org, kr, confidence="11")
    assert response.status_code == 422
    assert f'id="confidence-{kr.id}-error"' in response.text
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_double_submit_of_one_form_creates_one_check_in(client: TestClient, db: Session, org: Org) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.member)
    assert _check_in(client, org, kr, client_token="twice").status_code == 303
    assert _check_in(client, org, kr, client_token="twice", value="9").status_code == 303
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 1
    db.refresh(kr)
    assert kr.current_value == 4


def test_a_check_in_is_one_audit_record_with_the_value_and_confidence_before_and_after(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _setup(db, org)
    made = db.scalar(select(func.max(AuditEvent.id)))  # the key result's creation
    act_as(client, db, org.member)
    assert _check_in(client, org, kr, client_token="first").status_code == 303
    assert _check_in(client, org, kr, client_token="second", value="6", confidence="3").status_code == 303
    events = db.scalars(select(AuditEvent).where(AuditEvent.id > made).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id) for e in events] == [("key_result.check_in", str(kr.id))] * 2
    assert (events[1].before, events[1].after) == (
        {"value": 4, "confidence": 7},
        {"value": 6, "confidence": 3, "note": "", "source": "manual"},
    )
    assert events[0].before == {"value": None, "confidence": None}


def test_each_rendered_check_in_form_gets_its_own_token(client: TestClient, db: Session, org: Org) -> None:
    _setup(db, org)
    act_as(client, db, org.member)
    first = re.findall(r'name="client_token" value="([^"]+)"', client.get(_page(org)).text)
    second = re.findall(r'name="client_token" value="([^"]+)"', client.get(_page(org)).text)
    assert first
    assert second
    assert set(first).isdisjoint(second)


def test_viewer_reads_but_cannot_check_in_or_edit(client: TestClient, db: Session, org: Org) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.viewer)
    html = client.get(_page(org)).text
    assert "Deploys per month" in html
    assert "Save check-in" not in html
    assert "New objective" not in html
    assert _check_in(client, org, kr).status_code == 403


def test_member_cannot_change_objectives(client: TestClient, db: Session, org: Org) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.member)
    url = f"/teams/{org.team.id}/okrs/objectives/{kr.objective_id}"
    assert client.post(url, data={"csrf_token": csrf_token(client), "title": "Mine"}).status_code == 403


def test_outsider_gets_404_even_with_a_real_key_result(client: TestClient, db: Session, org: Org) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.outsider)
    assert client.get(_page(org)).status_code == 404
    # nor through their own team's URL
    assert _check_in_via(client, org.other_team.id, kr).status_code == 404


def _check_in_via(client: TestClient, team_id: int, kr: KeyResult):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client), "value": "1", "confidence": "5"}
    return client.post(f"/teams/{team_id}/okrs/key-results/{kr.id}/check-ins", data=data)


def test_team_page_links_to_the_okrs(client: TestClient, db: Session, org: Org) -> None:
    act_as(client, db, org.viewer)
    assert f'href="http://testserver/teams/{org.team.id}/okrs"' in client.get(f"/teams/{org.team.id}").text


def test_page_is_in_japanese_for_a_japanese_reader(client: TestClient, db: Session, org: Org) -> None:
    _setup(db, org)
    act_as(client, db, org.member)
    html = client.get(_page(org), headers={"Accept-Language": "ja"}).text
    assert "2027-Q1 の OKR" in html


def test_manager_adopts_the_roadmaps_suggestions_once(client: TestClient, db: Session, org: Org) -> None:
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    db.commit()
    act_as(client, db, org.manager)
    token = csrf_token(client)
    assert (
        client.post(f"/teams/{org.team.id}/roadmap/generate", data={"csrf_token": token}).status_code == 303
    )
    assert "Adopt the roadmap" in client.get(_page(org)).text
    url = f"/teams/{org.team.id}/okrs/adopt"
    for _ in range(2):
        assert client.post(url, data={"csrf_token": token, "period": rows.PERIOD}).status_code == 303
    objectives = db.scalars(select(Objective)).all()
    assert objectives
    assert len({(o.period, o.catalogue_id) for o in objectives}) == len(objectives)
    assert "Nothing new to adopt" in client.get(_page(org)).text


def _adopt(client: TestClient, db: Session, org: Org) -> object:
    """The manager generates the roadmap from a submitted assessment and adopts its suggested OKRs."""
    model = factories.maturity_model(db, "mlops-full")
    factories.assessment(db, org.team, model, level=1, submitted=True)
    db.commit()
    act_as(client, db, org.manager)
    token = csrf_token(client)
    assert (
        client.post(f"/teams/{org.team.id}/roadmap/generate", data={"csrf_token": token}).status_code == 303
    )
    return client.post(f"/teams/{org.team.id}/okrs/adopt", data={"csrf_token": token, "period": rows.PERIOD})


def _adopted(db: Session, org: Org) -> list[tuple[str, str | None, str | None, int | None]]:
    """(quarter, key result, roadmap item, owner id) of every key result of the team."""
    query = (
        select(Objective.period, KeyResult.catalogue_id, KeyResult.roadmap_item_id, KeyResult.owner_id)
        .join(KeyResult.objective)
        .where(Objective.team_id == org.team.id)
    )
    return [(q, kr, item, owner) for q, kr, item, owner in db.execute(query)]


def test_adopting_puts_each_suggested_key_result_once_into_the_quarter_it_is_due(
    client: TestClient, db: Session, org: Org
) -> None:
    response = _adopt(client, db, org)

    due = {
        (s.key_result.id, s.item_id): service.current_period(s.due)
        for suggestion in adopt.suggestions(db, team_id=org.team.id)
        for s in suggestion.key_results
    }
    adopted = _adopted(db, org)
    assert sorted((kr, item) for _, kr, item, _ in adopted) == sorted(due)  # each once, none twice
    assert {(kr, item): quarter for quarter, kr, item, _ in adopted} == due
    quarters = sorted(set(due.values()))
    assert len(quarters) > 1, "a 12-month plan has key results due in several quarters"
    objectives = db.scalars(select(Objective).where(Objective.team_id == org.team.id)).all()
    assert len({(o.period, o.catalogue_id) for o in objectives}) == len(objectives)
    page = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert f"Suggested OKRs adopted into {', '.join(quarters)}." in page


def test_adopted_key_results_are_owned_by_the_member_the_teams_raci_makes_accountable(
    client: TestClient, db: Session, org: Org
) -> None:
    roles = {org.manager.id: ["product_owner", "data_scientist"], org.member.id: ["ml_engineer"]}
    roles[org.viewer.id] = ["mlops_engineer", "data_engineer"]
    factories.maturity_model(db, "mlops-full")  # the matrix has a row per capability of this model
    for membership in db.scalars(select(Membership).where(Membership.team_id == org.team.id)):
        membership.team_roles = roles[membership.user_id]
    # the team made the ML engineer, not the MLOps engineer, accountable for CI/CD
    for role, letter in (("mlops_engineer", "R"), ("ml_engineer", "A")):
        raci_service.set_cell(
            db, team=org.team, capability_id="ci-cd", role=role, letter=letter, actor=org.admin
        )
    db.commit()

    _adopt(client, db, org)

    accountable = {c.id: next(r for r, x in c.raci.items() if x == "A") for c in catalogue().capabilities}
    accountable["ci-cd"] = "ml_engineer"
    holder = {role: user_id for user_id, held in roles.items() for role in held}
    owners = {item: owner for *_, item, owner in _adopted(db, org)}
    assert "ci-cd" in owners
    assert owners == {item: holder[accountable[item or ""]] for item in owners}
    assert "nobody yet" not in client.get(_page(org)).text


def _check_in_form(html: str, kr: KeyResult) -> dict[str, str]:
    """The fields of a key result's check-in form as the page fills them in."""
    form = re.search(rf'<li class="okr-kr" id="kr-{kr.id}">.*?</form>', html, re.S)
    assert form, "no check-in form"
    return dict(
        re.findall(r'<input type="(?:hidden|number|text)"[^>]*?name="(\w+)"[^>]*?value="([^"]*)"', form[0])
    )


def test_a_check_in_is_two_clicks_the_form_comes_filled_in(client: TestClient, db: Session, org: Org) -> None:
    kr = rows.key_result(db, rows.objective(db, org.team, org.manager), org.manager, start=2, target=10)
    db.commit()
    act_as(client, db, org.member)
    url = f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins"

    first = _check_in_form(client.get(_page(org)).text, kr)
    assert (first["value"], first["confidence"]) == ("2", "5")  # still at the start, an even chance
    assert client.post(url, data=first).status_code == 303  # open the form, save: nothing to type
    client.post(url, data=_check_in_form(client.get(_page(org)).text, kr) | {"value": "4", "confidence": "3"})

    again = _check_in_form(client.get(_page(org)).text, kr)
    assert (again["value"], again["confidence"]) == ("4", "3")  # the last check-in's
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 2


def test_a_check_in_note_over_the_limit_is_refused_not_cut_short(
    client: TestClient, db: Session, org: Org
) -> None:
    kr = _setup(db, org)
    act_as(client, db, org.member)
    note = "n" * (limits.CHECK_IN_NOTE + 1)
    response = client.post(
        f"/teams/{org.team.id}/okrs/key-results/{kr.id}/check-ins",
        data={"value": "6", "confidence": "7", "note": note, "client_token": "long"},
        headers={**HTMX, "X-CSRF-Token": csrf_token(client)},
    )
    assert response.status_code == 422
    assert f"At most {limits.CHECK_IN_NOTE} characters" in response.text
    assert f'value="{note}"' in response.text
    assert db.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_the_check_in_note_field_carries_the_servers_limit(client: TestClient, db: Session, org: Org) -> None:
    _setup(db, org)
    act_as(client, db, org.member)
    assert f'name="note" maxlength="{limits.CHECK_IN_NOTE}"' in client.get(_page(org)).text
