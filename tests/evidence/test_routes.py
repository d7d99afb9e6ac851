"""Evidence in the questionnaire, through HTTP: shown beside the CI/CD question (en, ja), a flag where the
answer contradicts it, accepting it (htmx and plain forms), dismissing a flag with a reason, and who may
do which."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from app.models import Answer, Assessment, AuditEvent, EvidenceReview, Source, Verdict
from app.signals import sync
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from tests import factories
from tests.conftest import csrf_token, sign_in
from tests.evidence.conftest import synced_draft
from tests.factories import Org
from tests.signals.conftest import Script, failing, source

QUESTION = "ci-cd"  # the full model's CI/CD question; choices level-0 … level-4
WORKFLOWS = "https://git.example.com/t/r/-/tree/main/.github/workflows"
NO_CI = [
    Signal("git.ci.configured", 0, "bool", url=WORKFLOWS),
    Signal("git.ci.lints", 0, "bool"),
    Signal("git.ci.runs_tests", 0, "bool"),
]


@pytest.fixture
def draft(db: Session, org: Org, fake: Script, context: Context) -> Assessment:
    """A draft of the full model answered at level 3 everywhere, by a team whose one repository has no CI."""
    return synced_draft(db, org, fake, context, NO_CI)


def _card(html: str, question_id: str = QUESTION) -> str:
    start = html.index(f'<article class="question card" id="q-{question_id}"')
    return html[start : html.index("</article>", start)]


def _page(client: TestClient, draft: Assessment, lang: str = "en") -> str:
    response = client.get(f"/assessments/{draft.id}", headers={"Accept-Language": lang})
    assert response.status_code == 200
    return response.text


def _post(client: TestClient, draft: Assessment, action: str, *, htmx: bool = True, **fields: str):  # type: ignore[no-untyped-def]
    url = f"/assessments/{draft.id}/questions/{QUESTION}/evidence/{action}"
    if htmx:
        headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}
        return client.post(url, data=fields, headers=headers)
    return client.post(url, data={"csrf_token": csrf_token(client), **fields})


def _answer(db: Session, draft: Assessment) -> Answer:
    db.expire_all()
    return db.scalars(
        select(Answer).where(Answer.assessment_id == draft.id, Answer.question_id == QUESTION)
    ).one()


def _audit(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize(
    ("lang", "says", "signal", "flag", "ago"),
    [
        (
            "en",
            "No CI is configured in the repository",
            "CI configured: <strong>no</strong>",
            "Answered “",
            "ago",
        ),
        (
            "ja",
            "リポジトリに CI が設定されていない",
            "CI が設定されている：<strong>いいえ</strong>",
            "「",
            "前",
        ),
    ],
)
def test_the_evidence_shows_beside_the_ci_question_with_its_source_and_age(
    client: TestClient, org: Org, draft: Assessment, lang: str, says: str, signal: str, flag: str, ago: str
) -> None:
    sign_in(client, org.member.email)
    card = _card(_page(client, draft, lang))
    evidence = card[card.index('<aside class="evidence flagged"') :]
    assert says in evidence
    assert signal in evidence
    assert f'<a href="{WORKFLOWS}" rel="noopener noreferrer">model-repo</a>' in evidence
    assert re.search(rf'<time datetime="[^"]+" title="[^"]+">[^<]*{ago}</time>', evidence)
    assert flag in evidence
    other = _card(_page(client, draft, lang), "responsible-ai")
    assert 'class="evidence' not in other  # a capability without evidence rules shows none


def _aside(html: str, question_id: str) -> str:
    start = html.index(f'id="qev-{question_id}"')
    start = html.rindex("<aside", 0, start)
    return html[start : html.index("</aside>", start)].replace(' hx-swap-oob="true"', "")


def test_a_save_shows_the_evidence_the_page_shows_beside_its_question_extra_conditions_included(
    client: TestClient, org: Org, db: Session, fake: Script, context: Context
) -> None:
    # a save reads only its capability's signals: those of every rule's extra conditions as well
    question = "reproducible-environments"
    signals = [
        Signal("git.container.dockerfile", 1, "bool"),
        Signal("git.ci.builds", 1, "bool"),  # only an extra condition ("also") reads it
        Signal("git.deps.locked", 1, "bool"),
        Signal("git.deps.pinned_share", 1.0, "ratio"),
        *NO_CI[1:],  # signals of other capabilities only
    ]
    draft = synced_draft(db, org, fake, context, signals, keep=(question,))
    sign_in(client, org.member.email)
    saved = client.post(
        f"/assessments/{draft.id}/answers/{question}",
        data={"version": "1", "choice": "level-1"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)},
    )
    assert saved.status_code == 200, saved.text
    shown = _aside(saved.text, question)
    assert "The repository has a Dockerfile and CI builds" in shown
    assert "Dependencies are locked" in shown
    assert 'class="evidence flagged"' in shown  # level 1 is below the floor the lock file sets
    assert shown == _aside(_page(client, draft), question)


def test_a_flag_says_what_was_answered_and_why_it_is_doubted(
    client: TestClient, org: Org, draft: Assessment
) -> None:
    sign_in(client, org.manager.email)
    page = _page(client, draft)
    card = _card(page)
    assert "⚠" in card
    assert "Answered “On every merge, CI/CD builds, tests and packages the code" in card
    assert "The evidence suggests level 1:" in card
    assert "Accept level 1" in card
    assert "Dismiss the flag" in card
    assert "1 answer disagrees with the team's evidence:" in page
    assert '<a href="#q-ci-cd">CI/CD pipeline (build, test, package)</a>' in page


def test_accepting_sets_the_answer_from_evidence_with_a_review_and_an_audit_row(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.member.email)
    response = _post(client, draft, "accept", version="1", choice="level-1")
    assert response.status_code == 200, response.text
    assert response.text.lstrip().startswith('<article class="question card" id="q-ci-cd"')
    assert "From evidence" in response.text
    assert "Answered “" not in response.text  # no flag any more
    # the page head's list of disagreeing answers is replaced too: it had this one only
    assert re.search(r'<div id="evidence-flags" hx-swap-oob="true">\s*</div>', response.text)
    assert re.search(r'value="level-1"[^>]*checked', response.text)
    assert 'name="version" id="v-ci-cd" value="2"' in response.text
    answer = _answer(db, draft)
    assert (answer.choice_id, answer.from_evidence, answer.version_id) == ("level-1", True, 2)
    assert answer.answered_by_id == org.member.id
    [review] = db.scalars(select(EvidenceReview)).all()
    assert (review.verdict, review.answered_level, review.suggested_level, review.ceiling) == (
        "accepted",
        3,
        1,
        1,
    )
    assert review.evidence[0]["key"] == "git.ci.configured"
    assert review.evidence[0]["source"] == "model-repo"
    [row] = _audit(db, "answer.accept_evidence")
    assert row.object_id == f"{draft.id}/{QUESTION}"
    assert row.before is not None
    assert row.before["choice_id"] == "level-3"
    assert row.after is not None
    assert row.after["choice_id"] == "level-1"
    assert row.after["from_evidence"] is True


def test_a_stale_accept_shows_the_conflict_as_a_stale_save_does(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.manager.email)
    saved = client.post(
        f"/assessments/{draft.id}/answers/{QUESTION}",
        data={"version": "1", "choice": "level-4"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)},
    )
    assert saved.status_code == 200
    sign_in(client, org.member.email)
    stale = _post(client, draft, "accept", version="1", choice="level-1")
    assert stale.status_code == 409
    assert "Someone else saved this answer while you were editing." in stale.text
    assert f"Saved by {org.manager.name}" in stale.text
    assert 'name="version" id="v-ci-cd" value="2"' in stale.text
    answer = _answer(db, draft)
    assert (answer.choice_id, answer.from_evidence) == ("level-4", False)
    assert db.scalars(select(EvidenceReview)).all() == []


def test_dismissing_needs_a_reason_then_the_flag_gives_way_to_the_dismissal(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.manager.email)
    refused = _post(client, draft, "dismiss", reason="   ", version="1")
    assert refused.status_code == 422
    assert "Say why the answer stands despite the evidence." in refused.text
    assert 'aria-invalid="true" aria-describedby="dre-ci-cd"' in refused.text
    assert '<details class="ev-dismiss" open>' in refused.text
    assert db.scalars(select(EvidenceReview)).all() == []
    controls = _post(client, draft, "dismiss", reason="CI\x00", version="1")
    assert controls.status_code == 422
    assert "Remove the control characters" in controls.text

    done = _post(client, draft, "dismiss", reason="CI runs in Jenkins, not connected yet", version="1")
    assert done.status_code == 200
    assert "Answered “" not in done.text
    assert f"Flag dismissed by {org.manager.name}" in done.text
    assert "CI runs in Jenkins, not connected yet" in done.text
    [review] = db.scalars(select(EvidenceReview)).all()
    assert (review.verdict, review.reason, review.user_id) == (
        Verdict.DISMISSED,
        "CI runs in Jenkins, not connected yet",
        org.manager.id,
    )
    [row] = _audit(db, "answer.dismiss_evidence")
    assert row.after is not None
    assert row.after["reason"] == "CI runs in Jenkins, not connected yet"
    page = _page(client, draft)
    assert "disagrees with the team" not in page
    assert "Flag dismissed by" in _card(page)


def test_another_answer_after_a_dismissal_is_flagged_again(
    client: TestClient, org: Org, draft: Assessment
) -> None:
    sign_in(client, org.manager.email)
    assert _post(client, draft, "dismiss", reason="Jenkins", version="1").status_code == 200
    saved = client.post(
        f"/assessments/{draft.id}/answers/{QUESTION}",
        data={"version": "1", "choice": "level-4"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)},
    )
    assert saved.status_code == 200
    # the save's response updates the evidence beside the question in place
    assert re.search(r'<aside class="evidence flagged" id="qev-ci-cd"[^>]* hx-swap-oob="true">', saved.text)
    assert "Answered “The pipeline code is itself versioned and tested" in saved.text
    assert "Answered “The pipeline code" in _card(_page(client, draft))


def test_a_persons_own_change_of_the_answer_makes_it_theirs_but_a_note_does_not(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.member.email)
    assert _post(client, draft, "accept", version="1", choice="level-1").status_code == 200
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}
    url = f"/assessments/{draft.id}/answers/{QUESTION}"
    noted = client.post(url, data={"version": "2", "choice": "level-1", "note": "Checked"}, headers=headers)
    assert noted.status_code == 200
    assert "From evidence" in noted.text
    assert _answer(db, draft).from_evidence is True
    changed = client.post(url, data={"version": "3", "choice": "level-2"}, headers=headers)
    assert changed.status_code == 200
    assert "From evidence" not in changed.text
    assert _answer(db, draft).from_evidence is False
    assert "From evidence" not in _card(_page(client, draft))
    last = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "answer.save").order_by(AuditEvent.id.desc())
    ).first()
    assert last is not None
    assert (last.before or {}).get("from_evidence") is True
    assert (last.after or {}).get("from_evidence") is False


def test_a_member_accepts_but_only_a_manager_dismisses_and_a_viewer_does_neither(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.viewer.email)
    card = _card(_page(client, draft))
    assert "Answered “" in card  # the flag shows, read-only
    assert "Accept level" not in card
    assert "Dismiss the flag" not in card
    assert _post(client, draft, "accept", version="1", choice="level-1").status_code == 403
    assert _post(client, draft, "dismiss", reason="no").status_code == 403
    sign_in(client, org.member.email)
    card = _card(_page(client, draft))
    assert "Accept level 1" in card
    assert "Dismiss the flag" not in card
    assert _post(client, draft, "dismiss", reason="no").status_code == 403
    sign_in(client, org.outsider.email)  # a manager of another team
    assert _post(client, draft, "accept", version="1", choice="level-1").status_code == 404
    assert _post(client, draft, "dismiss", reason="no").status_code == 404
    assert db.scalars(select(EvidenceReview)).all() == []
    assert _answer(db, draft).choice_id == "level-3"


def test_a_submitted_assessment_shows_the_evidence_read_only(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    draft.status = "submitted"
    db.commit()
    sign_in(client, org.manager.email)
    card = _card(_page(client, draft))
    assert "Answered “" in card
    assert "No CI is configured in the repository" in card
    assert "Accept level" not in card
    assert "Dismiss the flag" not in card
    locked = _post(client, draft, "accept", version="1", choice="level-1")
    assert locked.status_code == 409
    assert "submitted and locked" in locked.text
    assert _post(client, draft, "dismiss", reason="Jenkins").status_code == 409
    assert _answer(db, draft).choice_id == "level-3"


def test_without_javascript_accept_and_dismiss_post_the_form_and_come_back_to_the_question(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.manager.email)
    failed = _post(client, draft, "dismiss", htmx=False, reason="", version="1")
    assert failed.status_code == 422
    assert "<html" in failed.text
    assert "Say why the answer stands despite the evidence." in _card(failed.text)
    accepted = _post(client, draft, "accept", htmx=False, version="1", choice="level-1")
    assert accepted.status_code == 303
    assert accepted.headers["location"].endswith(f"/assessments/{draft.id}#q-ci-cd")
    page = client.get(accepted.headers["location"]).text
    assert "The evidence&#39;s answer is now the answer." in page
    assert "From evidence" in _card(page)
    assert _answer(db, draft).from_evidence is True


def test_evidence_offered_for_an_unanswered_question_is_one_click_away(
    client: TestClient, org: Org, db: Session, fake: Script, context: Context
) -> None:
    fake.signals = [
        Signal("git.ci.configured", 1, "bool"),
        Signal("git.ci.runs_tests", 1, "bool"),
        Signal("git.ci.builds", 1, "bool"),  # tests and a build: level 3
    ]
    row = source(db, org.team)
    db.commit()
    sync.sync_source(context, source_id=row.id)
    draft = factories.assessment(db, org.team, factories.maturity_model(db, "mlops-full"))
    db.commit()
    sign_in(client, org.member.email)
    card = _card(_page(client, draft))
    assert "Answered “" not in card
    assert "The evidence suggests level 3:" in card
    assert _post(client, draft, "accept", version="0", choice="level-3").status_code == 200
    assert _answer(db, draft).choice_id == "level-3"


def test_no_source_gives_one_hint_to_connect_one_and_no_panels(
    client: TestClient, org: Org, db: Session
) -> None:
    draft = factories.assessment(db, org.team, factories.maturity_model(db, "mlops-full"), level=3)
    db.commit()
    sign_in(client, org.member.email)
    page = _page(client, draft)
    assert len(re.findall(rf'href="[^"]*/teams/{org.team.id}/sources"', page)) == 1
    assert "so the answers are not checked against evidence" in page
    assert '<aside class="evidence' not in page
    base = factories.assessment(db, org.team, factories.maturity_model(db, "ml-test-score"))
    db.commit()
    assert "not checked against evidence" not in _page(client, base)  # nothing there evidence speaks to


def test_evidence_from_before_a_failed_sync_says_how_old_it_is(
    client: TestClient, org: Org, draft: Assessment, fake: Script, context: Context, db: Session
) -> None:
    fake.error = failing()
    [source_row] = db.scalars(select(Source).where(Source.team_id == org.team.id)).all()
    assert sync.sync_source(context, source_id=source_row.id).status == "failed"
    sign_in(client, org.member.email)
    card = _card(_page(client, draft))
    assert "The last sync of model-repo failed, so this evidence is from" in card
    assert "The source did not answer in time." in card
    assert "No CI is configured in the repository" in card  # the last good values still speak


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_questionnaire_takes_the_same_queries_with_more_sources_and_reviews(
    client: TestClient,
    org: Org,
    draft: Assessment,
    db: Session,
    engine: Engine,
    fake: Script,
    context: Context,
) -> None:
    sign_in(client, org.manager.email)
    _post(client, draft, "dismiss", reason="Jenkins", version="1")
    with _counting(engine) as one:
        _page(client, draft)
    for name in ("second-repo", "third-repo"):
        row = source(db, org.team, name=name)
        db.commit()
        sync.sync_source(context, source_id=row.id)
    with _counting(engine) as three:
        card = _card(_page(client, draft))
    assert "third-repo" in card
    assert len(one) == len(three), (len(one), len(three))
    assert len(three) <= 20, three


def test_a_dismissal_reason_and_a_source_name_are_shown_as_text(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    db.execute(update(Source).values(name="<b>repo</b>"))
    db.commit()
    sign_in(client, org.manager.email)
    assert _post(client, draft, "dismiss", reason="<script>alert(1)</script>", version="1").status_code == 200
    card = _card(_page(client, draft))
    assert "<script>alert(1)</script>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "&lt;b&gt;repo&lt;/b&gt;" in card
    assert "<b>repo</b>" not in card


def test_an_accept_of_what_the_evidence_no_longer_suggests_says_so_beside_the_evidence(
    client: TestClient, org: Org, draft: Assessment, db: Session
) -> None:
    sign_in(client, org.member.email)
    changed = _post(client, draft, "accept", version="1", choice="level-2")
    assert changed.status_code == 409
    panel = changed.text[changed.text.index('<aside class="evidence') :]
    assert "The evidence changed since you loaded the page." in panel
    assert _answer(db, draft).choice_id == "level-3"
    url = f"/assessments/{draft.id}/questions/responsible-ai/evidence/accept"
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}
    nothing = client.post(url, data={"version": "1"}, headers=headers)
    assert nothing.status_code == 409
    assert "The evidence suggests no other answer to this question." in nothing.text


def test_the_page_head_counts_the_flags_in_japanese(client: TestClient, org: Org, draft: Assessment) -> None:
    sign_in(client, org.member.email)
    page = _page(client, draft, "ja")
    assert "1 件の回答がチームのエビデンスと食い違っています：" in page
    assert (
        "回答は「チェックリストに沿って、手作業でビルドとパッケージングを行っている」ですが" not in page
    )  # level 3
    assert "回答は「マージのたびに CI/CD がビルド、テスト、パッケージング" in page
    assert "レベル 1 を採用" in page


def test_after_a_save_the_page_head_fetches_its_list_of_flagged_answers_again(
    client: TestClient, org: Org, draft: Assessment
) -> None:
    sign_in(client, org.member.email)
    assert "1 answer disagrees with the team's evidence:" in _page(client, draft)
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}
    url = f"/assessments/{draft.id}/answers/{QUESTION}"
    flags = f"/assessments/{draft.id}/evidence-flags"
    agreed = client.post(url, data={"version": "1", "choice": "level-1"}, headers=headers)
    assert agreed.status_code == 200
    assert f'hx-get="http://testserver{flags}" hx-trigger="load"' in agreed.text
    head = client.get(flags, headers={"HX-Request": "true"})
    assert head.status_code == 200
    assert re.fullmatch(r'\s*<div id="evidence-flags">\s*</div>\s*', head.text)
    doubted = client.post(url, data={"version": "2", "choice": "level-3"}, headers=headers)
    assert f'hx-get="http://testserver{flags}"' in doubted.text
    head = client.get(flags, headers={"HX-Request": "true"}).text
    assert "1 answer disagrees with the team's evidence:" in head
    assert '<a href="#q-ci-cd">CI/CD pipeline (build, test, package)</a>' in head
    other = f"/assessments/{draft.id}/answers/responsible-ai"
    unrelated = client.post(other, data={"version": "1", "choice": "level-2"}, headers=headers)
    assert unrelated.status_code == 200, unrelated.text
    assert flags not in unrelated.text  # no evidence speaks to it: nothing to fetch
    sign_in(client, org.outsider.email)
    assert client.get(flags).status_code == 404
