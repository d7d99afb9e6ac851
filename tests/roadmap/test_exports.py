"""The roadmap's iCalendar and Markdown exports keep user text as text, whatever characters it holds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import icalendar
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from app.catalogue.schema import Phase
from app.maturity.schema import Text
from app.roadmap.exports.formats import to_ics
from app.roadmap.planner.generate import PlanInput, generate
from app.roadmap.planner.plan import AddItem, Plan
from tests.conftest import csrf_token
from tests.factories import Org
from tests.roadmap.builders import Spec, catalogue
from tests.roadmap.test_routes import _generate

NOW = datetime(2027, 4, 1, 9, 30, tzinfo=UTC)


def plan_with_titles(*titles: str) -> Plan:
    """A plan of one capability and a custom item per title."""
    edits = [
        AddItem(f"custom-{n}", Text(en=title, ja=title), 1.0, Phase.FOUNDATION, ("product_owner",))
        for n, title in enumerate(titles)
    ]
    cat = catalogue(Spec("tracking"))
    return generate(
        PlanInput(
            gaps={"tracking": (0, 1)},
            catalogue=cat,
            capacity_pw_per_month=[8.0],
            start=date(2027, 4, 1),
            edits=edits,
        )
    )


def events(text: str) -> dict[str, str]:
    """UID → SUMMARY of every event, as a real iCalendar parser reads the file."""
    calendar = icalendar.Calendar.from_ical(text)
    return {str(e["UID"]): str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}


def naive_lines(text: str) -> list[str]:
    """The lines a careless reader sees: split on any line end, folding not undone."""
    return re.split(r"\r\n|\r|\n", text.removesuffix("\r\n"))


def test_a_bare_carriage_return_in_a_title_stays_inside_its_event() -> None:
    plan = plan_with_titles("Fix CR\rBEGIN:VEVENT\rSUMMARY:forged", "Two\nlines\r\nhere")
    text = to_ics(plan, locale="en", calendar_name="Team", uid_prefix="team1", now=NOW)
    assert sum(line == "BEGIN:VEVENT" for line in naive_lines(text)) == len(plan.items)
    found = events(text)
    assert found["team1-custom-0@hoshin"] == "Fix CR\nBEGIN:VEVENT\nSUMMARY:forged"
    assert found["team1-custom-1@hoshin"] == "Two\nlines\nhere"


def test_long_titles_fold_at_75_octets_without_splitting_a_character() -> None:
    ascii_title, japanese = (
        ("Automate the model training pipeline, end to end; " * 4).strip(),
        "本番環境のモデル監視を整える、" * 8,
    )
    plan = plan_with_titles(ascii_title, japanese)
    raw = to_ics(plan, locale="en", calendar_name="Team", uid_prefix="team1", now=NOW).encode()
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) == 75
    for line in lines:
        line.decode("utf-8")  # a folded line never ends inside a character
    found = events(raw.decode())
    assert found["team1-custom-0@hoshin"] == ascii_title
    assert found["team1-custom-1@hoshin"] == japanese


def test_commas_semicolons_and_backslashes_come_back_as_typed(
    client: TestClient, db: Session, org: Org
) -> None:
    url = _generate(client, db, org)
    title = r"Data, features; and C:\paths\n (not a newline)"
    _add_item(client, url, title)
    text = client.get(f"{url}.ics").text
    assert title in events(text).values()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def _add_item(client: TestClient, url: str, title: str) -> None:
    form = {"title": title, "effort": "1", "phase": "foundation", "owner_role": "ml_engineer"}
    added = client.post(f"{url}/items", data={**form, "csrf_token": csrf_token(client)})
    assert added.status_code == 303, added.text


def test_markdown_export_shows_links_images_and_tags_in_titles_as_text(
    client: TestClient, db: Session, org: Org
) -> None:
    url = _generate(client, db, org)
    title = "[click](javascript:alert(1)) ![](http://evil.example/p.png) <img src=x onerror=alert(1)>"
    title += " **bold** &amp;"
    _add_item(client, url, title)
    _add_item(client, url, "- 1. # > looks like a list")
    html = MarkdownIt("commonmark").render(client.get(f"{url}.md").text)
    assert "<a " not in html
    assert "<img" not in html
    assert "<strong>bold</strong>" not in html
    assert (
        "[click](javascript:alert(1)) ![](http://evil.example/p.png) &lt;img src=x onerror=alert(1)&gt;"
        in html
    )
    assert "**bold** &amp;amp;" in html
    assert "<strong>- 1. # &gt; looks like a list</strong>" in html
