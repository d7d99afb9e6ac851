"""`hoshin export` and `hoshin import` as an operator runs them, on two instances of their own (SQLite
files, or two databases on the test PostgreSQL server when HOSHIN_TEST_DATABASE_URL names one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.transfer.organisation import comparable, filled_instance, fresh_instance, hoshin, row_counts
from tests.transfer.organisation import database_url as instance_url

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, str]:
    """An instance with the organisation, and its export (url, var dir, the export's text)."""
    tmp = tmp_path_factory.mktemp("source")
    url = instance_url(tmp, "transfer_source")
    filled_instance(url)
    exported = hoshin("export", url=url, var=tmp / "var")
    assert exported.returncode == 0, exported.stderr
    return url, tmp / "var", exported.stdout


def test_export_import_export_into_an_empty_instance_gives_the_same_document(
    source: tuple[str, Path, str], tmp_path: Path
) -> None:
    source_url, _var, text = source
    path = tmp_path / "org.json"
    path.write_text(text, encoding="utf-8")
    target = instance_url(tmp_path, "transfer_target")
    fresh_instance(target)
    assert hoshin("db", "upgrade", url=target, var=tmp_path / "var").returncode == 0

    imported = hoshin("import", str(path), url=target, var=tmp_path / "var")

    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported: 3 teams, 11 people")
    again = hoshin("export", url=target, var=tmp_path / "var")
    assert again.returncode == 0, again.stderr
    assert comparable(again.stdout) == comparable(text)
    assert row_counts(target) == row_counts(source_url)
    empty = [table for table, rows in row_counts(target).items() if rows == 0]
    assert empty == [], "the organisation has a row in every exported table"


def test_okr_links_and_review_actions_travel_by_natural_key(source: tuple[str, Path, str]) -> None:
    document = json.loads(source[2])
    objective = next(o for t in document["teams"] for o in t["objectives"] if o["title"] == "Ship weekly")
    review = next(r for t in document["teams"] for r in t["quarterly_reviews"] if r["version"] == 2)

    org = next(o for o in document["org_objectives"] if o["title"] == "全社で MLOps を")
    assert (org["owner"], org["position"]) == (objective["owner"], 2)
    assert objective["org_objective"] == {"period": "2027-Q1", "title": "全社で MLOps を"}
    assert (objective["starts_on"], objective["ends_on"]) == ("2027-01-15", "2027-03-15")
    assert objective["reopened_at"] is not None
    assert {k: objective["key_results"][0][k] for k in ("direction", "due_on")} == {
        "direction": "down",
        "due_on": "2027-02-28",
    }
    assert review["actions"] == [
        {
            "id": "a1b2c3d4",
            "text": "Cut lead time",
            "roadmap_item": "transfer-item",
            "key_result": {"period": "2027-Q1", "objective": "Ship weekly", "key_result": "Lead time down"},
        }
    ]


def test_import_into_an_instance_with_data_is_refused_unless_merging(
    source: tuple[str, Path, str], tmp_path: Path
) -> None:
    url, var, text = source
    path = tmp_path / "org.json"
    path.write_text(text, encoding="utf-8")
    before = row_counts(url)

    refused = hoshin("import", str(path), url=url, var=var)

    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "error: This instance already has data (3 teams, 11 people): import into an empty instance, "
        "or merge by team slug and e-mail. (hoshin import --merge)"
    )
    merged = hoshin("import", "--merge", str(path), url=url, var=var)
    assert merged.returncode == 0, merged.stderr
    assert "imported: 0 teams, 0 people" in merged.stdout
    assert "teams already here (left as they are):" in merged.stdout
    after = row_counts(url)
    assert after == {**before, "audit_events": before["audit_events"] + 1}  # the merge itself, once


def test_a_broken_file_lists_every_problem_and_imports_nothing(
    source: tuple[str, Path, str], tmp_path: Path
) -> None:
    _url, _var, text = source
    document = json.loads(text)
    duplicate = len(document["people"])
    document["people"].append(dict(document["people"][0]))  # the same e-mail twice
    document["teams"][0]["members"][0]["email"] = "nobody@example.com"
    document["teams"][1]["assessments"][0]["status"] = "finished"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    target = instance_url(tmp_path, "transfer_broken")
    fresh_instance(target)

    shape = hoshin("import", str(path), url=target, var=tmp_path / "var")

    assert shape.returncode == 1
    assert "problem: broken.json: teams[1].assessments[0].status:" in shape.stderr
    assert shape.stderr.strip().endswith(
        "error: "
        + str(path)
        + ": 1 problem(s); nothing was imported (the format: docs/organisation-export.md)"
    )
    document["teams"][1]["assessments"][0]["status"] = "submitted"
    path.write_text(json.dumps(document), encoding="utf-8")
    references = hoshin("import", str(path), url=target, var=tmp_path / "var")
    assert references.returncode == 1
    assert f"people[{duplicate}]: e-mail {document['people'][0]['email']} appears twice" in references.stderr
    assert (
        "teams[0].members[0].email: nobody@example.com is not among the people of the export"
        in references.stderr
    )
    assert "2 problem(s); nothing was imported" in references.stderr
    assert sum(row_counts(target).values()) == 0


def test_import_check_counts_without_writing_and_bad_json_is_one_line(
    tmp_path: Path, source: tuple[str, Path, str]
) -> None:
    _url, _var, text = source
    path = tmp_path / "org.json"
    path.write_text(text, encoding="utf-8")
    target = instance_url(tmp_path, "transfer_check")
    fresh_instance(target)

    checked = hoshin("import", "--check", str(path), url=target, var=tmp_path / "var")

    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("checked, nothing imported; would create: 3 teams, 11 people")
    assert sum(row_counts(target).values()) == 0
    path.write_text("{not json", encoding="utf-8")
    bad = hoshin("import", str(path), url=target, var=tmp_path / "var")
    assert bad.returncode == 1
    assert "problem: org.json: not JSON: Expecting property name" in bad.stderr
    missing = hoshin("import", str(tmp_path / "nope.json"), url=target, var=tmp_path / "var")
    assert missing.stderr.strip() == f"error: cannot read {tmp_path / 'nope.json'}: No such file or directory"
