"""docs/monitoring: the alert rules have the shape `promtool check rules` accepts (and pass promtool when it
is installed), and every metric the rules and the Grafana dashboard use is in a real scrape with data."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.factories import Org
from tests.monitoring.conftest import Activity, Scrape, scrape

DOCS = Path(__file__).resolve().parents[2] / "docs" / "monitoring"
RULES = DOCS / "alerts.yml"
DASHBOARD = DOCS / "grafana-dashboard.json"
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
METRIC = re.compile(r"\bhoshin_[a-zA-Z0-9_:]+")
SELECTOR = re.compile(r"\b(hoshin_[a-zA-Z0-9_:]+)\{([^}]*)\}")
MATCHER = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*\"[^\"]*\"\s*")
RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_queries() -> list[str]:
    document = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    variables = [v["definition"] for v in document["templating"]["list"] if v["type"] == "query"]
    return [
        *variables,
        *(t["expr"] for panel in _panels(document["panels"]) for t in panel.get("targets", [])),
    ]


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def test_the_rules_file_has_the_shape_promtool_accepts() -> None:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert set(document) == {"groups"}
    names = [group["name"] for group in document["groups"]]
    assert len(names) == len(set(names)), "group names must be unique"
    for group in document["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit"}, group["name"]
        assert group["rules"], group["name"]
        for rule in group["rules"]:
            assert {"alert", "expr"} <= set(rule) <= RULE_KEYS, rule
            assert NAME.match(rule["alert"]), rule["alert"]
            assert isinstance(rule["expr"], str), rule["alert"]
            assert rule["expr"].strip(), rule["alert"]
            assert _balanced(rule["expr"]), rule["alert"]
            assert DURATION.match(str(rule.get("for", "0s"))), rule["alert"]
            for key in ("labels", "annotations"):
                values = rule.get(key, {})
                assert all(NAME.match(k) and isinstance(v, str) for k, v in values.items()), (
                    rule["alert"],
                    key,
                )
                assert all(v.count("{{") == v.count("}}") for v in values.values()), (rule["alert"], key)
            assert {"summary", "description"} <= set(rule["annotations"]), rule["alert"]


def test_the_rules_alert_on_what_the_issue_asks() -> None:
    used = {name for rule in rules() for name in METRIC.findall(rule["expr"])}
    assert {
        "hoshin_maturity_level_change",  # a team's maturity regressed
        "hoshin_okr_key_results_off_track_twice",  # a key result off track for two check-ins
        "hoshin_pdf_renders_total",  # the PDF renderer failing
        "hoshin_source_sync_failures",  # sync failing (for an hour: the rule's `for`)
    } <= used


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules() -> None:
    result = subprocess.run(["promtool", "check", "rules", str(RULES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_is_grafana_json_with_a_query_in_every_panel() -> None:
    document = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert {"title", "uid", "panels", "templating", "schemaVersion"} <= set(document)
    graphs = [p for p in _panels(document["panels"]) if p["type"] != "row"]
    assert graphs
    assert all(p.get("targets") and p["gridPos"] for p in graphs)
    ids = [p["id"] for p in _panels(document["panels"])]
    assert len(ids) == len(set(ids))
    assert all(_balanced(query) for query in dashboard_queries())


def test_every_metric_the_rules_and_the_dashboard_use_is_in_a_scrape(
    client: TestClient, org: Org, busy: Activity
) -> None:
    client.get("/teams/1")  # a request counted before the scrape
    found = scrape(client)
    queries = [rule["expr"] for rule in rules()] + dashboard_queries()
    used = {name for query in queries for name in METRIC.findall(query)}
    assert used - found.names == set()
    for query in queries:
        for name, matchers in SELECTOR.findall(query):
            assert set(_labels(matchers)) <= _label_names(found, name), (name, matchers)


def _labels(matchers: str) -> list[str]:
    parts = [part for part in matchers.split(",") if part.strip()]
    found = [MATCHER.fullmatch(part) for part in parts]
    assert all(found), matchers
    return [m.group(1) for m in found if m]


def _label_names(found: Scrape, name: str) -> set[str]:
    return {key for labels in found.labelled(name) for key in labels}


def _balanced(query: str) -> bool:
    depth = {"(": 0, "{": 0, "[": 0}
    closing = {")": "(", "}": "{", "]": "["}
    text = re.sub(r'"[^"]*"', '""', query)  # brackets inside label values do not count
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                return False
    return not any(depth.values())
