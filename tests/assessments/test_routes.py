"""The assessment pages through HTTP, as managers, members and viewers use them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kit import limits
from app.models import Answer, Assessment, AuditEvent, MaturityModelVersion
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.factories import Org


@pytest.fixture
def base_model(db: Session) -> MaturityModelVersion:
    return factories.maturity_model(db)


def _start(client: TestClient, org: Org, **fields: str) -> object:
    data = {"model": "playbook-base", "period": "2026-Q4", "csrf_token": csrf_token(client), **fields}
    return client.post(f"/teams/{org.team.id}/assessments", data=data)


def _draft(db: Session, org: Org, model: MaturityModelVersion, period: str = "2026-Q4") -> Assessment:
    """A committed draft assessment of the team (committed: the app's requests must see it)."""
    draft = factories.assessment(db, org.team, model, period=period)
    db.commit()
    return draft


def _htmx(client: TestClient) -> dict[str, str]:
    """The headers htmx sends with a change from a page of this client's browser session."""
    return {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}


def _version(html: str, question_id: str) -> int:
    block = html[html.index(f'id="q-{question_id}"') :]
    match = re.search(r'name="version" id="v-[a-z-]+" value="(\d+)"', block)
    assert match
    return int(match.group(1))


def test_manager_starts_an_assessment_and_lands_on_the_questionnaire(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    sign_in(client, org.manager.email)
    response = _start(client, org)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "How are versions of your training data kept?" in page.text
    assert db.scalars(select(Assessment).where(Assessment.team_id == org.team.id)).one().period == "2026-Q4"


def test_starting_twice_for_the_same_period_is_refused_inline_and_keeps_one(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    sign_in(client, org.manager.email)
    _start(client, org)
    again = _start(client, org)
    assert again.status_code == 422
    assert "already has a draft of this model for 2026-Q4" in again.text
    assert len(db.scalars(select(Assessment).where(Assessment.team_id == org.team.id)).all()) == 1


def test_a_malformed_period_is_refused_with_the_field_marked(
    client: TestClient, org: Org, base_model: MaturityModelVersion
) -> None:
    sign_in(client, org.manager.email)
    response = _start(client, org, period="last spring")
    assert response.status_code == 422
    assert 'id="period"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "for example 2026-Q4" in response.text


def test_member_cannot_start_an_assessment(
    client: TestClient, org: Org, base_model: MaturityModelVersion
) -> None:
    sign_in(client, org.member.email)
    assert _start(client, org).status_code == 403


def test_outsider_does_not_even_see_the_team(
    client: TestClient, org: Org, base_model: MaturityModelVersion
) -> None:
    sign_in(client, org.outsider.email)
    assert client.get(f"/teams/{org.team.id}/assessments").status_code == 404


def test_copy_of_last_assessment_carries_answers_until_confirmed(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    factories.assessment(db, org.team, base_model, period="2026-Q3", level=2, submitted=True, by=org.manager)
    db.commit()
    sign_in(client, org.manager.email)
    page = client.get(_start(client, org, copy_last="true").headers["location"])
    assert page.text.count("Carried over") == 12
    assert "(0 / 12)" in page.text  # carried answers count once confirmed


def test_member_answer_saves_as_htmx_fragment_with_progress(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    response = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "tool-tracked", "version": "0", "note": "DVC since June"},
        headers=_htmx(client),
    )
    assert response.status_code == 200, response.text
    assert "<html" not in response.text
    assert response.headers["HX-Reswap"] == "none"  # the form stays, so the person's focus is kept
    assert 'id="progress"' in response.text  # progress, version and "saved" update out of band
    assert 'hx-swap-oob="true"' in response.text
    assert "Saved" in response.text
    answer = db.scalars(select(Answer).where(Answer.assessment_id == draft.id)).one()
    assert (answer.choice_id, answer.note, answer.answered_by_id) == (
        "tool-tracked",
        "DVC since June",
        org.member.id,
    )


def test_save_fragment_counts_every_answer_and_shows_the_new_version_and_who_saved(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    factories.assessment(db, org.team, base_model, period="2026-Q3", level=2, submitted=True, by=org.manager)
    db.commit()
    sign_in(client, org.manager.email)
    draft_url = _start(client, org, copy_last="true").headers["location"]  # twelve carried-over answers
    draft_id = int(draft_url.rstrip("/").rsplit("/", 1)[-1])
    sign_in(client, org.member.email)
    saves = (("data-versioning", "tool-tracked", 1), ("data-pipeline", "scripted", 1))
    for number, (question, choice, carried_version) in enumerate(saves, start=1):
        response = client.post(
            f"/assessments/{draft_id}/answers/{question}",
            data={"choice": choice, "version": str(carried_version)},
            headers=_htmx(client),
        )
        assert response.status_code == 200, response.text
        assert f"({number} / 12)" in response.text  # carried-over answers count once confirmed
        assert f'id="v-{question}" value="{carried_version + 1}"' in response.text
        assert f"Answered by {org.member.name}" in response.text
    again = client.post(
        f"/assessments/{draft_id}/answers/data-versioning",
        data={"choice": "automatic", "version": "2"},
        headers=_htmx(client),
    )
    assert "(2 / 12)" in again.text  # a second save of the same question counts once
    assert 'id="v-data-versioning" value="3"' in again.text


def test_plain_form_post_without_javascript_saves_and_returns_to_the_question(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    response = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "tool-tracked", "version": "0", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/assessments/{draft.id}#q-data-versioning")


def test_stale_save_gets_a_conflict_showing_the_other_answer_and_loses_nothing(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    headers = _htmx(client)
    url = f"/assessments/{draft.id}/answers/data-versioning"
    first = client.post(url, data={"choice": "tool-tracked", "version": "0"}, headers=headers)
    assert first.status_code == 200
    stale = client.post(url, data={"choice": "overwritten", "version": "0"}, headers=headers)
    assert stale.status_code == 409
    assert "Someone else saved this answer" in stale.text
    assert "Your choice" in stale.text
    assert (
        _version(stale.text, "data-versioning") == 1
    )  # the stored version: choosing again overwrites knowingly
    answer = db.scalars(select(Answer).where(Answer.assessment_id == draft.id)).one()
    assert answer.choice_id == "tool-tracked"


def test_choice_that_is_not_in_the_question_is_refused(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    response = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "made-up", "version": "0"},
        headers=_htmx(client),
    )
    assert response.status_code == 422
    assert "made-up is not a choice of this question" in response.text
    assert db.scalars(select(Answer).where(Answer.assessment_id == draft.id)).first() is None


def test_not_applicable_needs_a_reason(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    headers = _htmx(client)
    url = f"/assessments/{draft.id}/answers/data-versioning"
    missing = client.post(url, data={"choice": "__na__", "version": "0"}, headers=headers)
    assert missing.status_code == 422
    assert "Say why this question does not apply." in missing.text
    given = client.post(
        url, data={"choice": "__na__", "na_reason": "No training data", "version": "0"}, headers=headers
    )
    assert given.status_code == 200
    answer = db.scalars(select(Answer).where(Answer.assessment_id == draft.id)).one()
    assert (answer.not_applicable, answer.na_reason, answer.choice_id) == (True, "No training data", None)


def test_evidence_links_must_be_web_addresses(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    response = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "tool-tracked", "version": "0", "evidence": "javascript:alert(1)"},
        headers=_htmx(client),
    )
    assert response.status_code == 422
    assert "Evidence links must be http or https addresses." in response.text


def test_viewer_reads_the_questionnaire_with_every_control_disabled(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.viewer.email)
    page = client.get(f"/assessments/{draft.id}")
    assert page.status_code == 200
    assert "hx-post" not in page.text
    assert "Submit the assessment" not in page.text
    refused = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "tool-tracked", "version": "0", "csrf_token": csrf_token(client)},
    )
    assert refused.status_code == 403


def test_submit_locks_answers_and_reopen_is_recorded(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = factories.assessment(db, org.team, base_model, period="2026-Q4", level=2)
    db.commit()
    sign_in(client, org.manager.email)
    token = csrf_token(client)
    submitted = client.post(f"/assessments/{draft.id}/submit", data={"csrf_token": token})
    assert submitted.headers["location"].endswith(f"/assessments/{draft.id}/results")
    locked = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "tool-tracked", "version": "1"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert locked.status_code == 409
    assert "submitted and locked" in locked.text
    assert client.post(f"/assessments/{draft.id}/reopen", data={"csrf_token": token}).status_code == 303
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(draft.id))).all()
    assert {"assessment.submit", "assessment.reopen"} <= set(actions)


def test_results_show_levels_targets_change_and_radar(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    factories.assessment(db, org.team, base_model, period="2026-Q2", level=1, submitted=True)
    latest = factories.assessment(db, org.team, base_model, period="2026-Q3", level=3, submitted=True)
    db.commit()
    sign_in(client, org.viewer.email)
    page = client.get(f"/assessments/{latest.id}/results")
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "Compared with 2026-Q2" in page.text
    assert 'class="delta up">+2.0<' in page.text
    assert "Every question is answered." in page.text


def test_team_target_overrides_the_default_and_bad_level_is_refused(
    client: TestClient, org: Org, base_model: MaturityModelVersion
) -> None:
    sign_in(client, org.manager.email)
    token = csrf_token(client)
    url = f"/teams/{org.team.id}/targets"
    saved = client.post(url, data={"model": "playbook-base", "target-deployment": "4", "csrf_token": token})
    assert saved.status_code == 303
    page = client.get(f"{url}?model=playbook-base")
    assert re.search(r'<option value="4" selected>4', page.text)
    bad = client.post(url, data={"model": "playbook-base", "target-deployment": "9", "csrf_token": token})
    assert bad.status_code == 422
    assert "A target is a level from 0 to 4." in bad.text


def test_admin_sets_an_organisation_default_that_teams_without_their_own_target_inherit(
    client: TestClient, org: Org, base_model: MaturityModelVersion
) -> None:
    sign_in(client, org.admin.email)
    token = csrf_token(client)
    saved = client.post(
        "/admin/targets", data={"model": "playbook-base", "target-monitoring": "2", "csrf_token": token}
    )
    assert saved.status_code == 303
    team_page = client.get(f"/teams/{org.team.id}/targets?model=playbook-base").text
    assert "Use the default (2)" in team_page
    assert "Use the default (3)" in team_page  # the other areas keep the built-in default


def test_manager_cannot_change_organisation_defaults(
    client: TestClient, org: Org, base_model: MaturityModelVersion
) -> None:
    sign_in(client, org.manager.email)
    response = client.post(
        "/admin/targets",
        data={"model": "playbook-base", "target-monitoring": "1", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 403


NO_SERVERS = "The platform team runs the servers; we own none."


def test_results_list_a_not_applicable_capability_with_its_reason_and_draw_it_as_absent(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    na = {"infrastructure-monitoring": NO_SERVERS}
    latest = factories.assessment(db, org.team, base_model, level=2, submitted=True, not_applicable=na)
    db.commit()
    sign_in(client, org.viewer.email)
    page = client.get(f"/assessments/{latest.id}/results").text
    listed = page[page.index('id="not-applicable"') :]
    assert "Infrastructure monitoring</strong> — The platform team runs the servers; we own none." in listed
    row = page[page.index("<span>Infrastructure monitoring</span>") :].split("</li>")[0]
    assert "not applicable" in row
    assert "–" not in row
    assert '<g class="radar-axis radar-absent"' in page
    assert "(not applicable): marked not applicable by the team, so no level" in page
    assert "Overall maturity" in page
    assert ">2.0 <" in page


def test_an_area_that_does_not_apply_shows_no_gap_on_the_results_page(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    why = "Forecasts are files; nothing runs in production."
    na = dict.fromkeys(("model-monitoring", "infrastructure-monitoring", "alerting"), why)
    latest = factories.assessment(db, org.team, base_model, level=1, submitted=True, not_applicable=na)
    db.commit()
    sign_in(client, org.viewer.email)
    page = client.get(f"/assessments/{latest.id}/results").text
    rows = page[page.index('<table class="dims">') :].split("</tr>")
    monitoring = next(r for r in rows if '<th scope="row">Monitoring</th>' in r)
    data = next(r for r in rows if '<th scope="row">Data management</th>' in r)
    assert '<span class="gap">2.0</span>' in data
    assert 'class="gap"' not in monitoring
    assert "✓" not in monitoring
    assert "not applicable" in monitoring.split("<td>")[0]


def test_a_too_long_note_is_refused_beside_the_question_in_japanese_and_the_text_is_kept(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    note = "n" * (limits.NOTE + 1)
    response = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "tool-tracked", "version": "0", "note": note},
        headers={**_htmx(client), "Accept-Language": "ja"},
    )
    assert response.status_code == 422
    assert "HX-Retarget" not in response.headers  # the question itself, not a toast that fades
    assert f"{limits.NOTE} 文字以内にしてください" in response.text
    assert f">{note}</textarea>" in response.text
    assert db.scalars(select(Answer).where(Answer.assessment_id == draft.id)).first() is None


def test_a_note_at_the_limit_with_browser_line_breaks_is_saved(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    note = "\r\n".join(["x" * 99] * (limits.NOTE // 100))  # maxlength counts each break as one
    response = client.post(
        f"/assessments/{draft.id}/answers/data-versioning",
        data={"choice": "tool-tracked", "version": "0", "note": note},
        headers=_htmx(client),
    )
    assert response.status_code == 200, response.text
    assert db.scalars(select(Answer.note).where(Answer.assessment_id == draft.id)).one() == note.replace(
        "\r\n", "\n"
    )


def test_the_questionnaire_tells_the_limits_before_they_bite(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session
) -> None:
    draft = _draft(db, org, base_model)
    sign_in(client, org.member.email)
    page = client.get(f"/assessments/{draft.id}").text
    assert f'name="note" rows="2" maxlength="{limits.NOTE}"' in page
    assert f'maxlength="{limits.EVIDENCE_LINKS * (limits.URL + 1)}"' in page


@pytest.mark.parametrize("period", ["２０２６-Q1", "0000-Q1", "9999-Q4"])
def test_a_period_outside_ascii_years_2000_to_2100_is_refused_inline(
    client: TestClient, org: Org, base_model: MaturityModelVersion, db: Session, period: str
) -> None:
    sign_in(client, org.manager.email)
    response = _start(client, org, period=period)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert db.scalars(select(Assessment).where(Assessment.team_id == org.team.id)).first() is None
