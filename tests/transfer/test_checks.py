"""What an import refuses before writing, on documents made by hand (no database: the checks are pure)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.transfer import checks
from app.transfer.document import OrganisationExport

AT = "2026-12-01T09:00:00Z"
KEY = {"team": "vision", "model": "base", "model_version": "1.0", "period": "2026-Q4"}


def document(**changes: Any) -> OrganisationExport:
    """A small valid document: one model, one person, one team with an assessment and a roadmap."""
    team: dict[str, Any] = {
        "slug": "vision",
        "name": "Vision",
        "description": "",
        "improvement_share": 0.3,
        "created_at": AT,
        "members": [
            {
                "email": "ann@example.com",
                "access": "manager",
                "team_roles": [],
                "capacity": 0.5,
                "created_at": AT,
            }
        ],
        "raci": [],
        "targets": [],
        "objectives": [],
        "sources": [],
        "assessments": [
            {
                "model": "base",
                "model_version": "1.0",
                "period": "2026-Q4",
                "status": "draft",
                "created_by": None,
                "created_at": AT,
                "copied_from": None,
                "submitted_by": None,
                "submitted_at": None,
                "answers": [],
                "evidence_reviews": [],
            }
        ],
        "roadmap": {
            "start_date": "2027-01-01",
            "current_version": 1,
            "assessment": KEY,
            "poc_candidates": [],
            "created_at": AT,
            "edits": [],
            "statuses": [],
            "checklist_ticks": [],
            "checklist_unticks": [],
            "versions": [
                {
                    "number": 1,
                    "generated_at": AT,
                    "assessment": KEY,
                    "inputs": {"assessment_id": KEY},
                    "plan": {},
                    "diff": {},
                }
            ],
        },
    } | changes.pop("team", {})
    raw: dict[str, Any] = {
        "format": "hoshin-organisation",
        "format_version": 1,
        "exported_at": AT,
        "organisation": {"name": "Org", "default_locale": "en", "created_at": AT},
        "people": [
            {
                "email": "ann@example.com",
                "name": "Ann",
                "role": "manager",
                "locale": None,
                "timezone": "UTC",
                "is_active": True,
                "created_at": AT,
                "last_login_at": None,
            }
        ],
        "maturity_models": [
            {
                "slug": "base",
                "version": "1.0",
                "name_en": "Base",
                "name_ja": "基本",
                "content": {},
                "content_hash": "abc",
                "is_builtin": False,
            }
        ],
        "targets": [],
        "teams": [team],
        "audit_log": [],
    } | changes
    return OrganisationExport.model_validate(raw)


def found(doc: OrganisationExport, existing: checks.Existing | None = None) -> list[str]:
    return [str(f) for f in checks.findings(doc, existing or checks.Existing())]


def test_a_consistent_document_has_no_findings() -> None:
    assert found(document()) == []


def test_two_teams_with_one_slug_are_named_with_where_the_first_was() -> None:
    doc = document()
    twice = document(teams=[doc.teams[0].model_dump(mode="json")] * 2)
    assert "teams[1]: team vision appears twice (first used at teams[0])" in found(twice)


def test_a_model_version_neither_exported_nor_installed_is_refused_and_an_installed_one_is_enough() -> None:
    doc = document(maturity_models=[])
    assert found(doc) == [
        "teams[0].assessments[0].model_version: model base version 1.0 is neither in the export nor installed"
    ]
    assert found(doc, checks.Existing(models={("base", "1.0"): "abc"})) == []
    assert found(document(), checks.Existing(models={("base", "1.0"): "other"})) == [
        "maturity_models[0]: base version 1.0 is installed here with different content"
    ]


def test_references_to_unknown_people_and_assessments_are_refused_unless_the_instance_has_them() -> None:
    other = KEY | {"period": "2026-Q1"}
    doc = document(
        people=[],
        team={
            "roadmap": None,
            "assessments": [
                {**document().teams[0].assessments[0].model_dump(mode="json"), "copied_from": other}
            ],
        },
    )
    assert found(doc) == [
        "teams[0].members[0].email: ann@example.com is not among the people of the export",
        "teams[0].assessments[0].copied_from: no assessment of vision for 2026-Q1 is in the export",
    ]
    merging = checks.Existing(
        emails=frozenset({"ann@example.com"}), assessments=frozenset({("vision", "base", "1.0", "2026-Q1")})
    )
    assert found(doc, merging) == []


def test_a_roadmap_whose_current_version_is_missing_is_refused() -> None:
    roadmap = document().teams[0].roadmap
    assert roadmap is not None
    doc = document(team={"roadmap": roadmap.model_dump(mode="json") | {"current_version": 2}})
    assert found(doc) == ["teams[0].roadmap.current_version: version 2 is not among the roadmap's versions"]


STATE = {
    "source": "playbook",
    "checklist": "technical",
    "entry": "monitoring-dashboard",
    "status": "in_progress",
    "na_reason": "",
    "owner": "ann@example.com",
    "due": "2027-03-31",
    "note": "",
    "link": "",
    "done": False,
    "done_by_evidence": False,
    "kept_undone": False,
    "evidence": None,
    "by": "ann@example.com",
    "changed_at": AT,
}
SESSION = {
    "held_on": "2026-11-30",
    "kind": "incident_review",
    "topic": "Stale model served",
    "lessons": "",
    "led_to_item": None,
    "led_to_entry": {"source": "playbook", "checklist": "technical", "entry": "monitoring-dashboard"},
    "attendees": ["ann@example.com"],
    "created_by": "ann@example.com",
    "created_at": AT,
    "updated_by": None,
    "updated_at": AT,
}


def test_a_document_exported_before_checklist_states_and_the_learning_log_still_reads() -> None:
    team = document().teams[0]
    assert team.checklist_states == []
    assert team.learning_log == []


def test_checklist_states_and_sessions_that_the_app_would_make_have_no_findings() -> None:
    doc = document(team={"checklist_states": [STATE], "learning_log": [SESSION]})
    assert found(doc) == []


def test_one_checklist_entry_stated_twice_and_a_not_applicable_without_reason_are_refused() -> None:
    not_applicable = STATE | {"entry": "model-registry", "status": "not_applicable", "na_reason": " "}
    doc = document(team={"checklist_states": [STATE, not_applicable, STATE]})
    assert found(doc) == [
        "teams[0].checklist_states[2]: checklist entry playbook / technical / monitoring-dashboard appears "
        "twice (first used at teams[0].checklist_states[0])",
        "teams[0].checklist_states[1].na_reason: a checklist entry that does not apply says why (na_reason)",
    ]


def test_people_a_session_or_an_entry_state_names_must_be_among_the_people() -> None:
    attendees = ["ann@example.com", "bob@example.com"]
    session = SESSION | {"attendees": attendees, "updated_by": "cy@example.com"}
    doc = document(
        team={"checklist_states": [STATE | {"owner": "dee@example.com"}], "learning_log": [session]}
    )
    assert found(doc) == [
        "teams[0].checklist_states[0].owner: dee@example.com is not among the people of the export",
        "teams[0].learning_log[0].attendees[1]: bob@example.com is not among the people of the export",
        "teams[0].learning_log[0].updated_by: cy@example.com is not among the people of the export",
    ]


def test_a_session_leads_somewhere_only_as_an_incident_review_and_to_one_place() -> None:
    both = SESSION | {"led_to_item": "ci-cd-1"}
    study = SESSION | {"kind": "study"}
    twice = SESSION | {"attendees": ["ann@example.com", "ANN@example.com"]}
    doc = document(team={"learning_log": [both, study, twice]})
    assert found(doc) == [
        "teams[0].learning_log[2].attendees[1]: attendee ann@example.com appears twice (first used at "
        "teams[0].learning_log[2].attendees[0])",
        "teams[0].learning_log[0].led_to_entry: "
        "a session leads to a roadmap item or a checklist entry, not both",
        "teams[0].learning_log[1].kind: only an incident review leads to a roadmap item or checklist entry",
    ]


def test_a_session_names_its_checklist_entry_by_source_checklist_and_entry() -> None:
    with pytest.raises(ValidationError, match=r"teams\.0\.learning_log\.0\.led_to_entry"):
        document(team={"learning_log": [SESSION | {"led_to_entry": "playbook/technical/x"}]})


ORG_OBJECTIVE: dict[str, Any] = {
    "period": "2027-Q1",
    "title": "全社で MLOps を",
    "description": "",
    "owner": "ann@example.com",
    "position": 0,
    "created_by": None,
    "created_at": AT,
}
OBJECTIVE: dict[str, Any] = {
    "period": "2027-Q1",
    "title": "Ship weekly",
    "description": "",
    "catalogue_id": None,
    "position": 0,
    "created_by": None,
    "created_at": AT,
    "owner": "ann@example.com",
    "org_objective": {"period": "2027-Q1", "title": "全社で MLOps を"},
    "key_results": [
        {
            "title": "Lead time down",
            "kind": "numeric",
            "start_value": 10,
            "target_value": 2,
            "unit": "d",
            "catalogue_id": None,
            "signal": None,
            "roadmap_item": None,
            "owner": None,
            "position": 0,
            "current_value": None,
            "confidence": None,
            "checked_in_at": None,
            "check_ins": [],
            "direction": "down",
            "due_on": "2027-02-28",
        }
    ],
}
LINKED: dict[str, Any] = {
    "id": "a1",
    "text": "Cut lead time",
    "key_result": {"period": "2027-Q1", "objective": "Ship weekly", "key_result": "Lead time down"},
}
REVIEW: dict[str, Any] = {
    "period": "2026-Q4",
    "version": 1,
    "went_well": "",
    "bottleneck": "",
    "patterns": [],
    "actions": [LINKED],
    "created_by": "ann@example.com",
    "created_at": AT,
}


def test_a_document_exported_before_okr_links_and_reviews_still_reads() -> None:
    doc = document(team={"objectives": [OBJECTIVE | {"org_objective": None}]})
    assert doc.org_objectives == []
    assert doc.teams[0].quarterly_reviews == []
    old = {k: v for k, v in OBJECTIVE.items() if k not in {"owner", "org_objective"}}
    old["key_results"] = [
        {k: v for k, v in OBJECTIVE["key_results"][0].items() if k not in {"direction", "due_on"}}
    ]
    key_result = document(team={"objectives": [old]}).teams[0].objectives[0].key_results[0]
    assert (key_result.direction, key_result.due_on) == ("up", None)


def test_linked_objectives_and_a_review_whose_action_became_a_key_result_have_no_findings() -> None:
    doc = document(
        org_objectives=[ORG_OBJECTIVE], team={"objectives": [OBJECTIVE], "quarterly_reviews": [REVIEW]}
    )
    assert found(doc) == []


def test_an_organisation_objective_named_by_an_objective_is_in_the_document_or_already_here() -> None:
    doc = document(team={"objectives": [OBJECTIVE]})
    assert found(doc) == [
        "teams[0].objectives[0].org_objective: no organisation objective 全社で MLOps を for 2027-Q1 is in "
        "the export"
    ]
    here = checks.Existing(org_objectives=frozenset({("2027-Q1", "全社で MLOps を")}))
    assert found(doc, here) == []


def test_a_review_action_names_a_key_result_of_its_team_and_a_review_version_is_kept_once() -> None:
    gone = LINKED | {"key_result": LINKED["key_result"] | {"key_result": "Gone"}}
    doc = document(
        org_objectives=[ORG_OBJECTIVE],
        team={"objectives": [OBJECTIVE], "quarterly_reviews": [REVIEW | {"actions": [gone]}, REVIEW]},
    )
    assert found(doc) == [
        "teams[0].quarterly_reviews[1]: review 2026-Q4 / 1 appears twice (first used at "
        "teams[0].quarterly_reviews[0])",
        "teams[0].quarterly_reviews[0].actions[0].key_result: no key result Gone of the team's objectives "
        "for 2027-Q1",
    ]


def test_titles_the_app_allows_twice_in_a_quarter_are_not_refused() -> None:
    doc = document(
        org_objectives=[ORG_OBJECTIVE, ORG_OBJECTIVE | {"position": 1}],
        team={"objectives": [OBJECTIVE, OBJECTIVE | {"position": 1}], "quarterly_reviews": [REVIEW]},
    )
    assert found(doc) == []


def test_an_objective_or_organisation_objective_owner_must_be_among_the_people() -> None:
    doc = document(
        org_objectives=[ORG_OBJECTIVE | {"owner": "bob@example.com"}],
        team={"objectives": [OBJECTIVE | {"owner": "cy@example.com"}]},
    )
    assert found(doc) == [
        "teams[0].objectives[0].owner: cy@example.com is not among the people of the export",
        "org_objectives[0].owner: bob@example.com is not among the people of the export",
    ]
