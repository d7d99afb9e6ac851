"""Live evidence in a real browser, in English and Japanese (issue 19): a manager connects a Git repository
on the Sources page, tests the connection and syncs it (the htmx status polls until the sync ends), sees
the evidence beside the questions, accepts one suggestion (by keyboard in one run) and dismisses one flag
with a reason, then reads the results page's evidence and the Delivery metrics page. And the demo
repository, built as `hoshin demo` builds it, connects and suggests levels the same way.

The module has its own server (the demo data on a database of its own), so the sources, signals and sync
followers it adds (check-ins, ticked checklist entries) never reach the shared server other tests read.
Each language works on its own team. The repository is built here with git under the server's allowed
root: no CI (so the CI/CD ceiling flags a high answer), tests, a Dockerfile, pinned requirements, three
release tags and one revert in the last 90 days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import Capability
from app.i18n import translations
from app.signals import demo as signals_demo
from tests.browser.conftest import OUTPUT, LiveServer, serve, sign_in
from tests.signals.git_repos import Repo

pytestmark = pytest.mark.browser
# language -> (team slug, its manager's email and name, a draft's period before the demo's history)
RUNS = {
    "en": ("fraud-detection", "daniel.weber@example.com", "Daniel Weber", "2022-Q1"),
    "ja": ("demand-forecasting", "sofia.rossi@example.com", "Sofia Rossi", "2022-Q2"),
}
# The demo repository (what `hoshin demo` builds and connects) goes to the team it belongs to.
DEMO_MANAGER, DEMO_PERIOD, DEMO_LANG = "ren.sato@example.com", "2022-Q3", "ja"
KEYBOARD = "ja"  # the run that accepts the suggestion with the keyboard (the other clicks)
MODEL = "mlops-full"
ACCEPTED, DISMISSED, LEFT_OPEN = "ci-cd", "ml-testing", "source-control"  # questions (= capability ids)
FILES = {
    "README.md": "# Churn model\n",
    "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n",
    "requirements.txt": "scikit-learn==1.5.2\npandas==2.2.3\n",
    "src/churn/__init__.py": "",
    "src/churn/features.py": "def features(frame):\n    return frame\n",
    "src/churn/train.py": "def train(features):\n    return None\n",
    "tests/test_features.py": "def test_features():\n    assert True\n",
    "tests/test_train.py": "def test_train():\n    assert True\n",
}
# (days ago, subject): ten commits in the last 90 days, one of them a revert; tags on three of them
HISTORY = [
    (80, "Start the churn model"),
    (70, "Add the feature pipeline"),
    (60, "Train a first model"),
    (50, "Tune the regularisation"),
    (45, 'Revert "Tune the regularisation"'),
    (40, "Add tests for training"),
    (30, "Speed up the features"),
    (20, "Document the model"),
    (12, "Bump pandas"),
    (6, "Cache the features"),
]
TAGS = [
    ("v1.0", "Train a first model", 58),
    ("v1.1", "Add tests for training", 38),
    ("v1.2", "Bump pandas", 10),
]
# What those make of the delivery metrics (docs/delivery.md): three tags in 90 days; the median of the
# released commits' days to their first tag (22, 12, 2; 12, 7, 2; 20, 10, 2); one revert in ten commits.
RELEASES_PER_MONTH, LEAD_TIME_DAYS, REVERT_SHARE = "1", "10", 1 / len(HISTORY)


def _(lang: str, message: str, **values: object) -> str:
    """The text the page shows, from the catalogue the app reads (app/i18n/locales/*/messages.po)."""
    text = translations(lang).gettext(message)
    return text % values if values else text


CATALOGUE = builtin_catalogue()


def _capability(capability_id: str) -> Capability:
    return next(c for c in CATALOGUE.capabilities if c.id == capability_id)


def _says(capability_id: str, signal: str, effect: str, lang: str, level: int | None = None) -> str:
    """What the capability's evidence rule on `signal` with that effect (at that level, if given) says,
    in the reader's language."""
    rules = _capability(capability_id).evidence.rules  # type: ignore[union-attr]
    rule = next(
        r
        for r in rules
        if r.signal == signal and getattr(r, effect) is not None and level in (None, getattr(r, effect))
    )
    return rule.says.get(lang)


def _signal(key: str) -> Any:
    return next(s for s in CATALOGUE.signals if s.key == key)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("evidence"), "_browser_evidence") as live:
        yield live


@pytest.fixture
def open_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in the given language; on failure a screenshot and the HTML go to test-output/."""
    opened: list[Any] = []

    def open_one(lang: str) -> Page:
        context = browser.new_context(
            locale=lang, extra_http_headers={"Accept-Language": lang}, viewport={"width": 1280, "height": 900}
        )
        page: Page = context.new_page()
        page.set_default_timeout(15_000)
        opened.append((context, page))
        return page

    yield open_one
    report = getattr(request.node, "rep_call", None)
    for context, page in opened:
        if report is not None and report.failed:
            OUTPUT.mkdir(exist_ok=True)
            page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
            (OUTPUT / f"{request.node.name}.html").write_text(page.content())
        context.close()


def _repository(server: LiveServer, slug: str) -> str:
    """A real repository under the server's allowed root (var/repositories), built by git."""
    now = datetime.now(UTC).replace(microsecond=0)
    repo = Repo.create(server.var_dir / "repositories" / f"{slug}-churn")
    for number, (days, subject) in enumerate(HISTORY):
        files = FILES if number == 0 else {f"notes/{days}.md": subject}
        repo.commit(subject, now - timedelta(days=days), "alice@example.com", files)
    for name, subject, days in TAGS:
        repo.tag(name, repo.shas[subject], now - timedelta(days=days))
    return str(repo.path)


def _team_id(page: Page, server: LiveServer, slug: str) -> int:
    teams = page.request.get(f"{server.url}/api/v1/teams").json()
    return int(next(t["id"] for t in teams if t["slug"] == slug))


def _connect_and_sync(
    page: Page, server: LiveServer, team_id: int, lang: str, name: str, path: str
) -> Locator:
    """Connect the repository through the Sources form, test the connection, sync it and wait (the htmx
    fragment polls while either runs) for the sync to end well; the source's card, its signals shown."""
    page.goto(f"{server.url}/teams/{team_id}/sources")
    expect(page.locator("#sources")).to_contain_text(_(lang, "No sources yet."))
    page.locator("#sources").get_by_role("link", name=_(lang, "Connect a source")).click()
    expect(page.locator("input[name=kind][value=git]")).to_be_checked()
    page.fill("#name", name)
    page.fill("#url", path)
    page.fill("#branch", "main")
    page.get_by_role("button", name=_(lang, "Connect"), exact=True).click()
    page.wait_for_url(f"{server.url}/teams/{team_id}/sources")
    expect(page.get_by_role("status").first).to_contain_text(
        _(lang, "Source added. Test the connection, then sync it.")
    )
    source = page.locator("section.source", has_text=name)
    expect(source).to_contain_text(_(lang, "Not synced yet."))

    source.get_by_role("button", name=_(lang, "Test connection")).click()
    expect(source.locator("[data-test=ok]")).to_contain_text(_(lang, "Connection works"))

    source.get_by_role("button", name=_(lang, "Sync now")).click()
    expect(source.locator(".sync-status[data-status=ok]")).to_contain_text(_(lang, "Synced"), timeout=60_000)
    expect(page.locator("#sources[hx-trigger]")).to_have_count(0)  # nothing left running: the polling stops
    source.locator("details > summary").click()
    expect(source.locator("table.signals")).to_be_visible()
    return source


def _start_draft(page: Page, server: LiveServer, team_id: int, period: str) -> None:
    """An empty draft of the full model for the period, through the team's Assessments page."""
    page.goto(f"{server.url}/teams/{team_id}/assessments")
    page.fill("#period", period)
    page.select_option("#model", MODEL)
    page.uncheck("#copy_last")
    page.click("form[action$='/assessments'] button[type=submit]")
    page.wait_for_selector("article.question")
    page.wait_for_load_state()  # every question parsed and htmx wired up


def _question(page: Page, question_id: str) -> Locator:
    return page.locator(f"#q-{question_id}")


def _answer(page: Page, question_id: str, level: int) -> str:
    """Choose a level with the mouse (the save runs on change); the choice's label as the page shows it."""
    question = _question(page, question_id)
    label = question.locator("label.choice").filter(has=page.locator(f"input[value=level-{level}]"))
    label.click()
    question.locator(".saved").wait_for()
    return label.locator("span").last.inner_text()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_manager_connects_a_repository_syncs_and_settles_the_evidence_beside_the_answers(
    server: LiveServer, open_page: Any, lang: str
) -> None:
    slug, manager, manager_name, period = RUNS[lang]
    path = _repository(server, slug)
    page = open_page(lang)
    sign_in(page, server, manager)
    team_id = _team_id(page, server, slug)

    source = _connect_and_sync(page, server, team_id, lang, "churn-model", path)
    table = source.locator("table.signals")
    for key, value in (
        ("git.ci.configured", _(lang, "no")),
        ("git.tests.present", _(lang, "yes")),
        ("git.container.dockerfile", _(lang, "yes")),
        ("git.tests.files", "2"),
    ):
        row = table.locator("tr", has=page.locator("code.signal-key", has_text=key))
        expect(row.locator("td").first).to_contain_text(_signal(key).name.get(lang))
        expect(row.locator("td.num")).to_have_text(value)

    # A draft of the full model: three high answers, each contradicting the evidence.
    _start_draft(page, server, team_id, period)
    assessment_url = page.url.split("#")[0]
    answered = {
        qid: _answer(page, qid, level) for qid, level in ((ACCEPTED, 3), (DISMISSED, 4), (LEFT_OPEN, 4))
    }
    names = {qid: _capability(qid).name.get(lang) for qid in answered}

    panel = page.locator(f"#qev-{ACCEPTED}")
    flag = panel.locator(".ev-flag")
    quoted = answered[ACCEPTED].rstrip(".。")  # quoted without its full stop
    expect(flag.locator(".ev-flag-head strong")).to_have_text(
        _(lang, "Answered “%(answer)s”, but:", answer=quoted)
    )
    expect(flag.locator(".ev-says").first).to_have_text(_says(ACCEPTED, "git.ci.configured", "ceiling", lang))
    expect(flag).to_contain_text("churn-model")  # the source it rests on
    expect(flag.locator(".ev-suggests")).to_contain_text(
        _(lang, "The evidence suggests level %(level)s:", level=1)
    )
    expect(page.locator(f"#qev-{DISMISSED} .ev-flag")).to_be_visible()
    expect(page.locator(f"#qev-{LEFT_OPEN} .ev-flag")).to_be_visible()

    # Accept the suggestion on CI/CD: one click, or (in one run) Tab to the button and Enter.
    accept = flag.get_by_role("button", name=_(lang, "Accept level %(level)s", level=1))
    if lang == KEYBOARD:
        _question(page, ACCEPTED).locator("details.extras > summary").focus()
        for _tab in range(12):
            if accept.evaluate("button => document.activeElement === button"):
                break
            page.keyboard.press("Tab")
        assert accept.evaluate("button => document.activeElement === button"), (
            "the accept button is not reachable"
        )
        page.keyboard.press("Enter")
    else:
        accept.click()
    question = _question(page, ACCEPTED)
    expect(question.locator("input[type=radio][value=level-1]")).to_be_checked()
    expect(question.locator(".badge.from-evidence")).to_have_text(_(lang, "From evidence"))
    expect(question.locator(".ev-flag")).to_have_count(0)

    # Dismiss the flag on ML testing with a reason.
    reason = (
        "Tests run in the platform team's nightly job"
        if lang == "en"
        else "テストは基盤チームの夜間ジョブで実行している"
    )
    dismissing = page.locator(f"#qev-{DISMISSED}")
    dismissing.locator("details.ev-dismiss > summary").click()
    dismissing.get_by_label(_(lang, "Why does the answer stand despite the evidence?")).fill(reason)
    dismissing.get_by_role("button", name=_(lang, "Dismiss"), exact=True).click()
    dismissed = page.locator(f"#qev-{DISMISSED}")
    expect(dismissed.locator(".ev-flag")).to_have_count(0)
    expect(dismissed.locator(".ev-dismissed")).to_contain_text(
        _(lang, "Flag dismissed by %(name)s", name=manager_name)
    )
    expect(dismissed.locator(".ev-reason")).to_contain_text(reason)
    expect(
        _question(page, DISMISSED).locator("input[type=radio][value=level-4]")
    ).to_be_checked()  # the answer stands

    page.reload()  # all of it was stored, not only swapped in
    expect(_question(page, ACCEPTED).locator("input[type=radio][value=level-1]")).to_be_checked()
    expect(_question(page, ACCEPTED).locator(".badge.from-evidence")).to_be_visible()
    expect(page.locator(f"#qev-{DISMISSED} .ev-reason")).to_contain_text(reason)
    expect(page.locator(f"#qev-{LEFT_OPEN} .ev-flag")).to_be_visible()
    head = page.locator(".evidence-flags")  # the page head names the answers still flagged
    one = translations(lang).ngettext(
        "%(num)d answer disagrees with the team's evidence:",
        "%(num)d answers disagree with the team's evidence:",
        1,
    )
    expect(head).to_contain_text(one % {"num": 1})
    expect(head.get_by_role("link")).to_have_text([names[LEFT_OPEN]])
    expect(head.get_by_role("link")).to_have_attribute("href", f"#q-{LEFT_OPEN}")

    # Results: the evidence section, with only the flag nobody settled left open.
    page.goto(f"{assessment_url}/results")
    evidence = page.locator("section#evidence")
    expect(evidence.locator("h2")).to_have_text(_(lang, "What the evidence says"))
    expect(evidence.locator(".rests-on")).to_contain_text("churn-model")
    open_items = evidence.locator("ul.disagreements > li")
    expect(open_items).to_have_count(1)
    expect(open_items.first).to_contain_text(names[LEFT_OPEN])
    expect(open_items.first).to_contain_text(_says(LEFT_OPEN, "git.ci.configured", "ceiling", lang))
    rows = evidence.locator("table.evidence-table tbody tr")
    expect(rows.filter(has_text=names[ACCEPTED]).locator(".badge.from-evidence")).to_have_text(
        _(lang, "from evidence")
    )
    expect(rows.filter(has_text=names[DISMISSED])).to_contain_text(f"{reason}")
    expect(rows.filter(has_text=names[DISMISSED])).to_contain_text(_(lang, "Disagreement dismissed"))

    # Delivery metrics: the source's figures, named, formatted and labelled with how they are measured.
    response = page.goto(f"{server.url}/teams/{team_id}/delivery")
    assert response is not None
    assert response.status == 200
    delivery = page.locator("section.delivery-source", has_text="churn-model")
    expect(page.locator("h1")).to_have_text(_(lang, "Delivery metrics"))
    expect(delivery).to_have_attribute("data-state", "ok")
    expect(delivery.locator("[data-hint=one-sync]")).to_have_text(
        _(lang, "1 sync so far: the trend builds up with each sync.")
    )
    for key in (
        "git.delivery.release_tags_per_month",
        "git.delivery.lead_time_hours",
        "git.delivery.revert_share",
    ):
        metric = delivery.locator(f"article.delivery-metric[data-key='{key}']")
        expect(metric.locator("h3")).to_have_text(_signal(key).name.get(lang))
        expect(metric.locator("[data-note]")).to_have_text(_signal(key).note.get(lang))
        expect(metric.locator("[data-latest]")).not_to_be_empty()
    latest = {
        "git.delivery.release_tags_per_month": _(lang, "%(number)s a month", number=RELEASES_PER_MONTH),
        "git.delivery.lead_time_hours": _(lang, "%(number)s days", number=LEAD_TIME_DAYS),
        "git.delivery.revert_share": f"{REVERT_SHARE:.0%}",
    }
    for key, text in latest.items():
        expect(delivery.locator(f"article.delivery-metric[data-key='{key}'] [data-latest]")).to_have_text(
            text
        )
    expect(page.locator(".alert.error")).to_have_count(0)


def test_the_demo_repository_connects_syncs_and_suggests_levels_beside_the_questions(
    server: LiveServer, open_page: Any
) -> None:
    lang = DEMO_LANG
    path = signals_demo.repository_path(server.var_dir / "repositories")  # where `hoshin demo` builds it
    signals_demo.build_repository(path, now=datetime.now(UTC))
    page = open_page(lang)
    sign_in(page, server, DEMO_MANAGER)
    team_id = _team_id(page, server, signals_demo.TEAM)

    source = _connect_and_sync(page, server, team_id, lang, "recommendations", str(path))
    table = source.locator("table.signals")
    for key in (
        "git.ci.configured",
        "git.ci.runs_tests",
        "git.ci.builds",
        "git.data.dvc",
        "git.docs.model_card",
    ):
        row = table.locator("tr", has=page.locator("code.signal-key", has_text=key))
        expect(row.locator("td.num")).to_have_text(_(lang, "yes"))

    # Unanswered, CI/CD carries the level its CI earns; one click makes it the answer.
    _start_draft(page, server, team_id, DEMO_PERIOD)
    panel = page.locator(f"#qev-{ACCEPTED}")
    expect(panel.locator(".ev-flag")).to_have_count(0)  # nothing answered, nothing contradicted
    expect(panel.locator(".ev-suggests")).to_contain_text(
        _(lang, "The evidence suggests level %(level)s:", level=3)
    )
    expect(panel).to_contain_text(_says(ACCEPTED, "git.ci.runs_tests", "suggests", lang, level=3))
    expect(panel).to_contain_text("recommendations")
    panel.get_by_role("button", name=_(lang, "Accept level %(level)s", level=3)).click()
    question = _question(page, ACCEPTED)
    expect(question.locator("input[type=radio][value=level-3]")).to_be_checked()
    expect(question.locator(".badge.from-evidence")).to_have_text(_(lang, "From evidence"))

    # Its six months of release tags make delivery figures.
    page.goto(f"{server.url}/teams/{team_id}/delivery")
    delivery = page.locator("section.delivery-source", has_text="recommendations")
    expect(delivery).to_have_attribute("data-state", "ok")
    for key in (
        "git.delivery.release_tags_per_month",
        "git.delivery.lead_time_hours",
        "git.delivery.revert_share",
    ):
        expect(delivery.locator(f"article.delivery-metric[data-key='{key}'] [data-latest]")).not_to_be_empty()
    expect(page.locator(".alert.error")).to_have_count(0)
