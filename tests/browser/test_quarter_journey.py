"""One quarter end to end in a real browser, in each language (issue 20): the manager adopts the
playbook's OKR template on an empty quarter, a member checks in on a key result, ticks one checklist
entry and marks another not applicable, and logs a study session; the manager's quarterly review shows
all of it, the manager writes the review and turns its action into a roadmap item, a member reads the
review but cannot change it, the manager starts the next quarter (a copied assessment, a key result
carried forward, the roadmap's proposals), and leadership reads the review in the roadmap PDF.

Recommendations, in quarters far ahead: no other browser test writes its review or roadmap or reads its
roadmap PDF, and the demo's quarters leave these empty. The PDF shows a team's most recent review, so the
Japanese run, which goes second, takes the later quarters. The manager's language comes from his browser
(other tests rely on his account having none chosen); the member and the viewer choose theirs with the
header's buttons, as the other tests that share them do, and the member goes back to English after."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from app.kit.time import utcnow
from app.okrs import service as okrs_service
from app.reviews import quarters
from tests.browser.conftest import DOWNLOAD_WAIT, OUTPUT, LiveServer, choose_language, sign_in

pytestmark = pytest.mark.browser
SLUG = "recommendations"
MANAGER = "ren.sato@example.com"
MEMBER = "kenji.mori@example.com"
VIEWER = "cto@example.com"  # leadership: reads every team, changes nothing
AHEAD = {"en": 8, "ja": 10}  # this run's quarter, from today's; it starts the one after it too
# (entry ticked, entry marked not applicable): none of test_checklists.py's entries of the same team
ENTRIES = {
    "en": ("playbook-technical--version-control", "playbook-organisational--cross-functional-team"),
    "ja": ("playbook-technical--automated-tests", "playbook-technical--monitoring-dashboard"),
}

# What each page says, in each language (templates and app/i18n/locales/ja/.../messages.po).
WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "adopt": "Adopt this template",
        "objective": "Cut the time from model development to deployment by 50%",
        "coverage": "Automated test coverage ≥ 80%",
        "save_check_in": "Save check-in",
        "on_track": "On track",
        "checklists": "Checklists",
        "changed_by": "Changed by Kenji Mori",
        "reason": "One shared team builds and runs the models",
        "reason_shown": "Why it does not apply: One shared team builds and runs the models",
        "learning": "Learning log",
        "log": "Log session",
        "topic": "Study: contract tests for feature pipelines",
        "attendee": "Mika Ito",
        "review": "Quarterly review for {period}",
        "outcome": "Automated test coverage ≥ 80%: 50% (On track)",
        "playbook_figure": "Playbook checklists (technical and organisational): {done} of {total} done",
        "not_applicable": (
            "({n} entry marked not applicable left out)",
            "({n} entries marked not applicable left out)",
        ),
        "roadmap_figure": "Roadmap checklists: {done} of {total} done across {lists} items",
        "sessions": "1 session held in {period}.",
        "went_well": "Coverage doubled after the contract-test study session",
        "bottleneck": "Releases wait for one reviewer",
        "action": "Pair on release reviews so no one waits for one person",
        "save": "Save the review",
        "saved": "Review saved.",
        "add": "Add to the roadmap",
        "added": "Action added to the roadmap.",
        "on_roadmap": "On the roadmap",
        "see_on_roadmap": "See it on the roadmap",
        "start": "Start {period}",
        "started": "Next quarter started. Answers save as you go.",
        "unfinished": "Automated test coverage ≥ 80% ({objective} · 50%)",
        "draft": "Recommendations · {period} · Draft",
        "no_check_in": "No check-in yet",
        "okrs": "OKRs",
        "show": "Show",
        "okrs_for": "OKRs for {period}",
        "carried": "start 40% → target 80%",
        "roadmap": "Roadmap",
        "roadmap_pdf": "Roadmap report (PDF)",
        "pdf_review": "Quarterly review, {period}",
    },
    "ja": {
        "adopt": "このテンプレートを採用",
        "objective": "モデル開発からデプロイまでの時間を50%短縮する",
        "coverage": "自動テストのカバレッジ80%以上",
        "save_check_in": "記録する",
        "on_track": "順調",
        "checklists": "チェックリスト",
        "changed_by": "Kenji Mori が変更",
        "reason": "モデルの開発と運用を一つのチームで担っている",
        "reason_shown": "対象外の理由：モデルの開発と運用を一つのチームで担っている",
        "learning": "学習ログ",
        "log": "セッションを記録",
        "topic": "勉強会：特徴量パイプラインの契約テスト",
        "attendee": "Mika Ito",
        "review": "{period} の四半期の振り返り",
        "outcome": "自動テストのカバレッジ80%以上：50%（順調）",
        "playbook_figure": "プレイブックのチェックリスト（技術・組織）：{total} 件のうち {done} 件が完了",
        "not_applicable": ("（該当なしの {n} 件を除く）",) * 2,
        "roadmap_figure": "ロードマップのチェックリスト：{lists} 項目の {total} 件のうち {done} 件が完了",
        "sessions": "{period} に学習セッションを 1 回開催しました。",
        "went_well": "契約テストの勉強会のあとカバレッジが倍になった",
        "bottleneck": "リリースのレビューが一人に集中している",
        "action": "リリースのレビューをペアで行い一人を待たない",
        "save": "振り返りを保存",
        "saved": "振り返りを保存しました。",
        "add": "ロードマップに追加",
        "added": "アクションをロードマップに追加しました。",
        "on_roadmap": "ロードマップに追加済み",
        "see_on_roadmap": "ロードマップで見る",
        "start": "{period} を始める",
        "started": "次の四半期を始めました。回答は入力するたびに保存されます。",
        "unfinished": "自動テストのカバレッジ80%以上（{objective} · 50%）",
        "draft": "Recommendations · {period} · 下書き",
        "no_check_in": "記録なし",
        "okrs": "OKR",
        "show": "表示",
        "okrs_for": "{period} の OKR",
        "carried": "開始 40% → 目標 80%",
        "roadmap": "ロードマップ",
        "roadmap_pdf": "ロードマップレポート（PDF）",
        "pdf_review": "四半期の振り返り（{period}）",
    },
}


@pytest.fixture
def open_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Page]]:
    """A page in a browser context of its own (one per person) speaking `lang`; on failure each page's
    screenshot and HTML go to test-output/."""
    contexts: list[Any] = []

    def open_one(lang: str) -> Page:
        context = browser.new_context(
            locale=lang, extra_http_headers={"Accept-Language": lang}, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page: Page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_one
    report = getattr(request.node, "rep_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed:
            OUTPUT.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(OUTPUT / f"{request.node.name}-{number}.png"), full_page=True)
                (OUTPUT / f"{request.node.name}-{number}.html").write_text(page.content())
        context.close()


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:40]
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_team_runs_a_quarter_end_to_end(
    open_page: Callable[[str], Page], live_server: LiveServer, lang: str
) -> None:
    w = WORDS[lang]
    url = live_server.url
    period = okrs_service.shift_period(okrs_service.current_period(utcnow().date()), AHEAD[lang])
    following = okrs_service.shift_period(period, 1)

    # 1. The manager adopts the playbook's template on the empty quarter.
    manager = open_page(lang)
    sign_in(manager, live_server, MANAGER)
    assert manager.locator("html").get_attribute("lang") == lang  # his browser's language
    team_id = next(t["id"] for t in manager.request.get(f"{url}/api/v1/teams").json() if t["slug"] == SLUG)
    team_url = f"{url}/teams/{team_id}"
    manager.goto(f"{team_url}/okrs?period={period}")
    manager.locator("form.okr-template", has_text=w["objective"]).get_by_role(
        "button", name=w["adopt"]
    ).click()
    objective = manager.locator("section.okr-objective", has_text=w["objective"])
    expect(objective.locator("li.okr-kr")).to_have_count(3)

    # 2. A member checks in on the coverage key result: its status and progress, and the objective's.
    member = open_page(lang)
    sign_in(member, live_server, MEMBER)
    choose_language(member, lang)
    member.goto(f"{team_url}/okrs?period={period}")
    objective = member.locator("section.okr-objective", has_text=w["objective"])
    kr = objective.locator("li.okr-kr", has_text=w["coverage"])
    kr.locator("summary").click()
    kr.locator("input[name=value]").fill("40")
    kr.locator("input[name=confidence]").fill("8")
    kr.get_by_role("button", name=w["save_check_in"]).click()
    expect(kr.locator(".okr-kr-head .badge.okr-on_track")).to_have_text(w["on_track"])
    assert "50%" in kr.locator(".okr-meta").inner_text()  # 0 → 80 %, at 40
    expect(objective.locator(".okr-total strong")).to_have_text("17%")  # (0 + 50 + 0) / 3

    # 3. On the team's checklist page the member ticks one entry and marks another not applicable.
    member.goto(team_url)
    member.get_by_role("link", name=w["checklists"], exact=True).click()
    member.wait_for_url(f"{team_url}/checklists")  # loaded: htmx wired up before the first tick
    ticked, skipped = ENTRIES[lang]
    tick = member.locator(f"#check-{ticked}")
    assert tick.get_attribute("data-status") != "done"
    tick.locator("input[type=checkbox]").check()
    done = member.locator(f"#check-{ticked}[data-status=done]")
    done.wait_for()
    changed = done.locator(".check-changed")
    assert changed.inner_text().startswith(w["changed_by"])
    assert changed.locator("time").get_attribute("datetime")
    entry = member.locator(f"#check-{skipped}")
    entry.locator("summary").click()
    entry.locator("select[name=status]").select_option("not_applicable")
    entry.locator("input[name=na_reason]").fill(w["reason"])
    entry.locator("form.entry-form button[type=submit]").click()
    marked = member.locator(f"#check-{skipped}[data-status=not_applicable]")
    marked.wait_for()
    assert w["reason_shown"] in marked.inner_text()
    assert marked.locator(".check-changed").inner_text().startswith(w["changed_by"])

    # What the review must count, as this page shows them: the playbook's entries that apply (those marked
    # not applicable are left out and said so), and the roadmap items' apart
    def count(source: str, status: str = "") -> int:
        which = f"[data-status={status}]" if status else ""
        return member.locator(f"section.team-checklist[id^=list-{source}-] li.team-entry{which}").count()

    not_applicable = count("playbook", "not_applicable")
    playbook = {"done": count("playbook", "done"), "total": count("playbook") - not_applicable}
    roadmap = {
        "done": count("roadmap", "done"),
        "total": count("roadmap") - count("roadmap", "not_applicable"),
        "lists": member.locator("section.team-checklist[id^=list-roadmap-]").count(),
    }
    assert not_applicable >= 1
    assert roadmap["lists"] >= 1

    # 4. ... and logs a study session held in the quarter, with an attendee.
    member.get_by_role("link", name=w["learning"], exact=True).click()
    member.locator("a[href$='/learning/new']").first.click()
    held_on = quarters.bounds(period)[0] + timedelta(days=20)
    member.fill("#held_on", held_on.isoformat())
    member.select_option("#kind", "study")
    member.fill("#topic", w["topic"])
    member.get_by_label(w["attendee"]).check()
    member.get_by_role("button", name=w["log"]).click()
    logged = member.locator("li.learning-session", has_text=w["topic"])
    logged.wait_for()
    assert logged.get_attribute("data-kind") == "study"
    assert w["attendee"] in logged.inner_text()
    expect(logged.locator(f"time[datetime='{held_on.isoformat()}']")).to_have_count(1)

    # 5. The manager's review of the quarter shows what happened in it; the review; its action.
    review_url = f"{team_url}/reviews/{period}"
    manager.goto(review_url)
    expect(manager.locator("h1")).to_have_text(w["review"].format(period=period))
    expect(manager.locator(".review-okrs")).to_contain_text(w["outcome"])
    figures = manager.locator(".review-more")
    playbook_line = figures.locator("li[data-checklists=playbook]")
    expect(playbook_line).to_contain_text(w["playbook_figure"].format(**playbook))
    expect(playbook_line).to_contain_text(w["not_applicable"][not_applicable > 1].format(n=not_applicable))
    expect(figures.locator("li[data-checklists=roadmap]")).to_contain_text(
        w["roadmap_figure"].format(**roadmap)
    )
    expect(figures).to_contain_text(w["sessions"].format(period=period))

    manager.fill("#went_well", w["went_well"])
    manager.fill("#bottleneck", w["bottleneck"])
    manager.fill("#new_action", w["action"])
    manager.get_by_role("button", name=w["save"]).click()
    manager.locator(".alert[role=status]", has_text=w["saved"]).wait_for()
    row = manager.locator(".review-action-list li", has_text=w["action"])
    row.get_by_role("button", name=w["add"]).click()
    manager.locator(".alert[role=status]", has_text=w["added"]).wait_for()
    row = manager.locator(".review-action-list li", has_text=w["action"])
    expect(row.locator(".tag")).to_have_text(w["on_roadmap"])
    row.get_by_role("link", name=w["see_on_roadmap"]).click()
    manager.wait_for_url(re.compile(r".*/roadmap#item-.+"))
    item = manager.locator("article.roadmap-item", has_text=w["action"])
    expect(item).to_be_visible()
    assert manager.url.endswith(f"#{item.get_attribute('id')}")

    # A member reads the review and cannot change it (tests/access and tests/reviews: the POSTs get 403).
    member.goto(review_url)
    expect(member.locator(".review-went-well")).to_have_text(w["went_well"])
    expect(member.locator(".review-bottleneck")).to_have_text(w["bottleneck"])
    expect(member.locator(".review-action-list li", has_text=w["action"])).to_contain_text(w["on_roadmap"])
    expect(member.locator("form.review-form")).to_have_count(0)
    expect(member.locator(".review-action-list form")).to_have_count(0)
    expect(member.get_by_role("link", name=w["start"].format(period=following))).to_have_count(0)

    # 6. The manager starts the next quarter: the copied assessment, the roadmap's proposals and the
    # coverage key result carried forward from where the member left it.
    manager.goto(review_url)
    manager.get_by_role("link", name=w["start"].format(period=following)).click()
    expect(manager.locator("h1")).to_have_text(w["start"].format(period=following))
    expect(manager.locator("input[name=assessment]")).to_be_checked()
    proposed = manager.locator("label.check", has=manager.locator("input[name=proposed]")).first
    expect(proposed.locator("input")).to_be_checked()
    aside = proposed.locator("span.muted").inner_text()  # the objective it would go under, in brackets
    proposal, proposal_objective = proposed.inner_text().replace(aside, "").strip(), aside.strip()[1:-1]
    carried = manager.locator(
        "label.check", has=manager.locator("input[name=carried]"), has_text=w["coverage"]
    )
    expect(carried).to_have_text(w["unfinished"].format(objective=w["objective"]))
    carried.locator("input").check()
    manager.get_by_role("button", name=w["start"].format(period=following)).click()
    manager.locator(".alert[role=status]", has_text=w["started"]).wait_for()
    assert re.search(r"/assessments/\d+$", manager.url), manager.url  # the copied assessment, a draft
    expect(manager.locator(".page-head")).to_contain_text(w["draft"].format(period=following))
    checked = manager.locator("article.question input[type=radio]:checked")
    expect(checked.first).to_be_checked()  # the answers came along

    manager.goto(team_url)
    manager.get_by_role("link", name=w["okrs"], exact=True).click()
    manager.select_option("#period", following)
    manager.get_by_role("button", name=w["show"], exact=True).click()
    expect(manager.locator("h1")).to_have_text(w["okrs_for"].format(period=following))
    objectives = manager.locator("section.okr-objective")
    forward = objectives.filter(has_text=w["objective"]).locator("li.okr-kr", has_text=w["coverage"])
    expect(forward.locator(".okr-meta")).to_contain_text(w["carried"])  # it starts where it stood
    expect(forward.locator(".okr-kr-head")).to_contain_text(w["no_check_in"])
    titles = objectives.filter(has_text=proposal_objective).locator(".okr-kr-title")
    expect(titles.filter(has_text=proposal)).to_have_count(1)

    # 7. Leadership downloads the roadmap PDF from the team's roadmap: the review and its action are in it.
    viewer = open_page(lang)
    sign_in(viewer, live_server, VIEWER)
    choose_language(viewer, lang)
    viewer.goto(team_url)
    viewer.get_by_role("link", name=w["roadmap"], exact=True).click()
    with viewer.expect_download(timeout=DOWNLOAD_WAIT) as download:
        viewer.get_by_role("link", name=w["roadmap_pdf"], exact=True).click(timeout=DOWNLOAD_WAIT)
    path = download.value.path()
    text = _pdf_text(path.read_bytes())
    squeezed = text.replace("\n", "")
    assert w["pdf_review"].format(period=period) in squeezed
    assert w["went_well"] in squeezed
    assert squeezed.count(w["action"]) >= 2  # in the review, and as the roadmap item it became

    if lang == "ja":
        choose_language(member, "en")
