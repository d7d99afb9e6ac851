"""What an import refuses before writing, on documents made by hand (no database: the checks are pure)."""

from __future__ import annotations

from typing import Any

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
