"""Database ids to natural keys and back: people by e-mail, model versions by slug and version,
assessments by team, model version and period (and the same inside a roadmap version's inputs), a
learning session's checklist entry ("source/list/entry" in the database) as an EntryKey, organisation
objectives by period and title, and key results by their objective's period and title and their own."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models as m
from app.transfer import document as d


@dataclass
class Names:
    """What a document calls the rows an export refers to."""

    users: dict[int, m.User] = field(default_factory=dict)
    models: dict[int, tuple[str, str]] = field(default_factory=dict)
    assessments: dict[int, d.AssessmentKey] = field(default_factory=dict)
    org_objectives: dict[int, d.OrgObjectiveKey] = field(default_factory=dict)
    org_objective_rows: list[m.OrgObjective] = field(default_factory=list)  # by period and position

    @classmethod
    def load(cls, session: Session) -> Names:
        names = cls()
        names.users = {u.id: u for u in session.scalars(select(m.User))}
        names.models = {
            row.id: (row.slug, row.version)
            for row in session.execute(
                select(m.MaturityModelVersion.id, m.MaturityModelVersion.slug, m.MaturityModelVersion.version)
            )
        }
        query = select(m.Assessment.id, m.Team.slug, m.Assessment.model_id, m.Assessment.period).join(m.Team)
        for assessment_id, team, model_id, period in session.execute(query):
            slug, version = names.models[model_id]
            names.assessments[assessment_id] = d.AssessmentKey(
                team=team, model=slug, model_version=version, period=period
            )
        rows = session.scalars(
            select(m.OrgObjective).order_by(m.OrgObjective.period, m.OrgObjective.position, m.OrgObjective.id)
        )
        names.org_objective_rows = list(rows)
        names.org_objectives = {
            o.id: d.OrgObjectiveKey(period=o.period, title=o.title) for o in names.org_objective_rows
        }
        return names

    def email(self, user_id: int | None) -> str | None:
        user = self.users.get(user_id) if user_id is not None else None
        return user.email if user is not None else None

    def assessment(self, assessment_id: int | None) -> d.AssessmentKey | None:
        return self.assessments.get(assessment_id) if assessment_id is not None else None

    def org_objective(self, org_objective_id: int | None) -> d.OrgObjectiveKey | None:
        return self.org_objectives.get(org_objective_id) if org_objective_id is not None else None


def key_of(key: d.AssessmentKey) -> tuple[str, str, str, str]:
    return (key.team, key.model, key.model_version, key.period)


def org_key_of(key: d.OrgObjectiveKey) -> tuple[str, str]:
    return (key.period, key.title)


def key_result_key_of(key: d.KeyResultKey) -> tuple[str, str, str]:
    return (key.period, key.objective, key.key_result)


def entry_key(stored: str | None) -> d.EntryKey | None:
    """The entry a learning session led to, as stored ("source/list/entry", app/learning), by its parts."""
    if stored is None:
        return None
    source, checklist, entry = stored.split("/", 2)
    return d.EntryKey.model_validate({"source": source, "checklist": checklist, "entry": entry})


def entry_stored(key: d.EntryKey | None) -> str | None:
    """An EntryKey as the learning log stores it."""
    return f"{key.source}/{key.checklist}/{key.entry}" if key is not None else None


def _key_json(key: d.AssessmentKey | None) -> dict[str, str] | None:
    return key.model_dump() if key is not None else None


def inputs_out(inputs: dict[str, Any], names: Names) -> dict[str, Any]:
    """A roadmap version's inputs with its assessment ids replaced by assessment keys."""
    return _map_assessments(inputs, lambda value: _key_json(names.assessment(_as_id(value))))


def inputs_in(inputs: dict[str, Any], resolve: Callable[[d.AssessmentKey], int | None]) -> dict[str, Any]:
    """The inputs as the database keeps them: assessment keys back to this instance's ids."""

    def to_id(value: Any) -> int | None:
        return resolve(d.AssessmentKey.model_validate(value)) if isinstance(value, dict) else None

    return _map_assessments(inputs, to_id)


def input_keys(inputs: dict[str, Any]) -> list[Any]:
    """The assessment references in a document's roadmap inputs, to check before importing."""
    found: list[Any] = []

    def collect(value: Any) -> Any:
        found.append(value)
        return value

    _map_assessments(inputs, collect)
    return [value for value in found if value is not None]


def _as_id(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def _map_assessments(inputs: dict[str, Any], change: Callable[[Any], Any]) -> dict[str, Any]:
    """`inputs` with `change` applied where the planner stores an assessment: the plan's primary
    assessment, and each source assessment the levels came from (app/roadmap/service.py `_inputs`)."""
    mapped = copy.deepcopy(inputs)
    if "assessment_id" in mapped:
        mapped["assessment_id"] = change(mapped["assessment_id"])
    for source in mapped.get("sources") or []:
        if isinstance(source, dict) and "assessment_id" in source:
            source["assessment_id"] = change(source["assessment_id"])
    return mapped
