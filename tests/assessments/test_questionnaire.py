"""The questionnaire's safety rails through HTTP: a failed save without JavaScript shows its error on its
own question only, a conflict shows what the other person saved, and starting a period twice leads to
the draft that is already there."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Answer, Assessment, MaturityModelVersion
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.factories import Org

QUESTION = "data-versioning"
OTHER_QUESTION = "data-pipeline"


@pytest.fixture
def draft(db: Session, org: Org) -> Assessment:
    """A committed draft of the base model (committed: the app's requests must see it)."""
    row = factories.assessment(db, org.team, factories.maturity_model(db), period="2026-Q4")
    db.commit()
    return row


def _article(html: str, question_id: str) -> str:
    """One question's card of the questionnaire page."""
    start = html.index(f'<article class="question card" id="q-{question_id}"')
    return html[start : html.index("</article>", start)]


def _articles(html: str) -> dict[str, str]:
    ids = re.findall(r'<article class="question card" id="q-([a-z0-9-]+)"', html)
    return {question_id: _article(html, question_id) for question_id in ids}


def _plain_save(client: TestClient, draft: Assessment, question_id: str, **fields: str) -> object:
    """A save as a browser without JavaScript sends it: the form's fields, no htmx headers."""
    data = {"version": "0", "csrf_token": csrf_token(client), **fields}
    return client.post(f"/assessments/{draft.id}/answers/{question_id}", data=data)


def _htmx_save(client: TestClient, draft: Assessment, question_id: str, **fields: str) -> object:
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}
    data = {"version": "0", **fields}
    return client.post(f"/assessments/{draft.id}/answers/{question_id}", data=data, headers=headers)


def test_stale_plain_form_save_shows_the_conflict_on_the_page_as_htmx_does(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.manager.email)
    assert _htmx_save(client, draft, QUESTION, choice="tool-tracked").status_code == 200
    sign_in(client, org.member.email)
    stale = _plain_save(client, draft, QUESTION, choice="automatic", note="Mine")
    assert stale.status_code == 409
    assert "<html" in stale.text  # the whole page, the question in place
    card = _article(stale.text, QUESTION)
    assert "Someone else saved this answer while you were editing." in card
    assert f"Saved by {org.manager.name}" in card
    assert "Your choice" in card
    assert 'name="version" id="v-data-versioning" value="1"' in card  # saving again replaces knowingly
    assert ">Mine</textarea>" in card  # what they typed is still there
    stored = db.scalars(select(Answer).where(Answer.assessment_id == draft.id)).one()
    assert stored.choice_id == "tool-tracked"


def test_failed_plain_form_save_shows_its_error_and_input_on_its_own_question_only(
    client: TestClient, org: Org, draft: Assessment
) -> None:
    sign_in(client, org.member.email)
    assert _plain_save(client, draft, OTHER_QUESTION, choice="scripted", note="Airflow").status_code == 303
    failed = _plain_save(client, draft, QUESTION, choice="__na__", note="We have no data")
    assert failed.status_code == 422
    cards = _articles(failed.text)
    assert len(cards) == 12
    assert "Say why this question does not apply." in cards[QUESTION]
    assert re.search(r'value="__na__"[^>]*checked', cards[QUESTION])
    assert ">We have no data</textarea>" in cards[QUESTION]
    others = {question_id: card for question_id, card in cards.items() if question_id != QUESTION}
    for question_id, card in others.items():
        assert "Say why" not in card, question_id
        assert not re.search(r'value="__na__"[^>]*checked', card), question_id
        assert "We have no data" not in card, question_id
        assert 'role="alert"' not in card, question_id
    assert re.search(r'value="scripted"[^>]*checked', others[OTHER_QUESTION])  # as stored
    assert ">Airflow</textarea>" in others[OTHER_QUESTION]


def _form_as_shown(card: str) -> dict[str, str]:
    """The fields a browser sends when the person presses Save on this card, as it is shown."""
    fields = {"version": re.findall(r'name="version" id="v-[a-z0-9-]+" value="(\d+)"', card)[0]}
    checked = re.findall(r'name="choice" value="([^"]+)"[^>]*checked', card)
    fields.update(("choice", value) for value in checked)
    for name, value in re.findall(r'<input type="text"[^>]*name="(\w+)"[^>]*value="([^"]*)"', card):
        fields[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>([^<]*)</textarea>', card):
        fields[name] = value
    return fields


def test_saving_another_question_after_a_failed_plain_save_keeps_that_questions_own_note(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.member.email)
    assert _plain_save(client, draft, OTHER_QUESTION, choice="scripted", note="Airflow").status_code == 303
    failed = _plain_save(client, draft, QUESTION, choice="__na__", note="We have no data")
    fields = {**_form_as_shown(_article(failed.text, OTHER_QUESTION)), "choice": "orchestrated"}
    assert _plain_save(client, draft, OTHER_QUESTION, **fields).status_code == 303
    saved = db.scalars(select(Answer).where(Answer.question_id == OTHER_QUESTION)).one()
    assert (saved.choice_id, saved.not_applicable, saved.note) == ("orchestrated", False, "Airflow")


@pytest.mark.parametrize(
    ("lang", "saved_by", "their_note", "their_links"),
    [
        ("en", "Saved by", "Their note", "Their evidence links"),
        ("ja", "さんが保存", "相手のメモ", "相手のエビデンスのリンク"),
    ],
)
def test_conflict_shows_the_other_persons_choice_note_and_evidence_links(
    client: TestClient,
    org: Org,
    draft: Assessment,
    lang: str,
    saved_by: str,
    their_note: str,
    their_links: str,
) -> None:
    sign_in(client, org.manager.email)
    theirs = _htmx_save(
        client,
        draft,
        QUESTION,
        choice="tool-tracked",
        note="DVC since June <b>really</b>",
        evidence="https://git.example.com/dvc\nhttps://wiki.example.com/data",
    )
    assert theirs.status_code == 200
    sign_in(client, org.member.email)
    client.headers["Accept-Language"] = lang
    stale = _htmx_save(client, draft, QUESTION, choice="automatic", note="Mine")
    assert stale.status_code == 409
    panel = stale.text[stale.text.index(f'id="qc-{QUESTION}"') :]
    panel = panel[: panel.index("</div>")]
    assert saved_by in panel
    assert their_note in panel
    assert "DVC since June &lt;b&gt;really&lt;/b&gt;" in panel  # their note, escaped
    assert their_links in panel
    assert 'href="https://git.example.com/dvc"' in panel
    assert 'href="https://wiki.example.com/data"' in panel


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize(("lang", "your_choice"), [("en", "Your choice"), ("ja", "あなたの選択")])
def test_conflict_panel_names_your_choice_in_clean_sentences(
    client: TestClient, org: Org, draft: Assessment, lang: str, your_choice: str
) -> None:
    sign_in(client, org.manager.email)
    assert _htmx_save(client, draft, QUESTION, choice="tool-tracked").status_code == 200
    sign_in(client, org.member.email)
    client.headers["Accept-Language"] = lang
    stale = _htmx_save(client, draft, QUESTION, choice="automatic")
    card = stale.text[stale.text.index(f'id="q-{QUESTION}"') :]
    text = _text(card[card.index(f'id="qe-{QUESTION}"') : card.index('class="choices"')])
    assert your_choice in text
    assert ".." not in text, text
    assert "。。" not in text, text
    if lang == "ja":  # Japanese punctuation between Japanese words, never ASCII
        assert not re.search(r"[ぁ-んァ-ヶ一-龥。、」）][:.,()]|[:.,()][ぁ-んァ-ヶ一-龥]", text), text


@pytest.mark.parametrize(
    ("lang", "message", "link_text"),
    [
        ("en", "This team already has a draft of this model for 2026-Q4.", "Continue the draft"),
        ("ja", "このチームには 2026-Q4 のこのモデルの下書きが既にあります。", "下書きの回答を続ける"),
    ],
)
def test_starting_a_period_that_has_a_draft_links_to_the_draft(
    client: TestClient, org: Org, draft: Assessment, db: Session, lang: str, message: str, link_text: str
) -> None:
    sign_in(client, org.manager.email)
    data = {"model": "playbook-base", "period": "2026-q4", "csrf_token": csrf_token(client)}
    response = client.post(f"/teams/{org.team.id}/assessments", data=data, headers={"Accept-Language": lang})
    assert response.status_code == 422
    error = response.text[response.text.index('id="start-error"') :]
    error = error[: error.index("</div>")]
    assert message in error
    assert re.search(rf'<a href="[^"]*/assessments/{draft.id}">{link_text}</a>', error), error
    assert len(db.scalars(select(Assessment).where(Assessment.team_id == org.team.id)).all()) == 1


def test_starting_a_period_that_is_already_submitted_links_to_its_results(
    client: TestClient, org: Org, db: Session
) -> None:
    model: MaturityModelVersion = factories.maturity_model(db)
    done = factories.assessment(db, org.team, model, period="2026-Q3", level=2, submitted=True)
    db.commit()
    sign_in(client, org.manager.email)
    data = {"model": "playbook-base", "period": "2026-Q3", "csrf_token": csrf_token(client)}
    response = client.post(f"/teams/{org.team.id}/assessments", data=data)
    assert response.status_code == 422
    error = response.text[response.text.index('id="start-error"') :]
    error = error[: error.index("</div>")]
    assert "This team already has a submitted assessment of this model for 2026-Q3." in error
    assert re.search(rf'<a href="[^"]*/assessments/{done.id}/results">See its results</a>', error), error


def test_a_reason_left_in_the_form_after_choosing_a_level_is_not_kept(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.member.email)
    assert _htmx_save(client, draft, QUESTION, choice="__na__", na_reason="No data yet").status_code == 200
    fields = {"choice": "tool-tracked", "na_reason": "No data yet", "version": "1"}
    assert _htmx_save(client, draft, QUESTION, **fields).status_code == 200
    saved = db.scalars(select(Answer).where(Answer.question_id == QUESTION)).one()
    assert (saved.choice_id, saved.not_applicable, saved.na_reason) == ("tool-tracked", False, "")


def test_every_question_that_may_not_apply_has_its_reason_field_ready_before_any_error(
    client: TestClient, org: Org, draft: Assessment
) -> None:
    sign_in(client, org.member.email)
    cards = _articles(client.get(f"/assessments/{draft.id}").text)
    for question_id, card in cards.items():
        assert f'id="na-{question_id}" name="na_reason"' in card, question_id
        assert 'role="alert"' not in card, question_id


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "Submit this assessment? Unanswered questions count as not assessed."),
        ("ja", "このアセスメントを提出しますか？未回答の質問は未評価として扱われます。"),
    ],
)
def test_submit_form_asks_first_in_the_readers_language_and_still_posts_without_javascript(
    client: TestClient, org: Org, draft: Assessment, db: Session, lang: str, question: str
) -> None:
    sign_in(client, org.manager.email)
    page = client.get(f"/assessments/{draft.id}", headers={"Accept-Language": lang}).text
    form = re.search(r'<form method="post" action="[^"]*/submit"[^>]*>', page)
    assert form is not None
    assert f'data-confirm="{question}"' in form.group(0)  # app.js asks, for plain and htmx forms alike
    assert "hx-post" not in form.group(0)
    response = client.post(f"/assessments/{draft.id}/submit", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    db.refresh(draft)
    assert draft.status == "submitted"


def test_a_refused_start_keeps_what_was_typed_and_chosen(
    client: TestClient, org: Org, draft: Assessment
) -> None:
    sign_in(client, org.manager.email)
    data = {"model": "playbook-base", "period": "2026-q4", "csrf_token": csrf_token(client)}  # no copy_last
    response = client.post(f"/teams/{org.team.id}/assessments", data=data)
    assert response.status_code == 422
    assert re.search(r'id="period" name="period" value="2026-q4"', response.text)
    assert re.search(r'id="copy_last" name="copy_last" value="true"\s*>', response.text)  # left unticked
