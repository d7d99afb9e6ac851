"""The organisation export document (format version 1), validated into frozen pydantic models.

Rows refer to each other by natural keys, never by database ids: people by e-mail, teams by slug, model
versions by slug and version, assessments by team, model version and period, checklist entries by
source, list and entry, organisation objectives by period and title, key results by their objective's
period and title and their own title. So a document imports into
any instance, and merges into one that already has data. Free-form JSON the app recorded (roadmap plans,
evidence readings, audit before/after) is kept as recorded. The committed JSON Schema is generated:
    uv run python -m app.transfer.document > app/transfer/org-export.schema.json
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

FORMAT = "hoshin-organisation"
FORMAT_VERSION = 1
DIALECT = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE = "org-export.schema.json"

Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Slug = Annotated[str, Field(min_length=1, max_length=80)]
Key = Annotated[str, Field(min_length=1, max_length=80)]
Share = Annotated[float, Field(ge=0, le=1)]
Confidence = Annotated[int, Field(ge=0, le=10)]
Json = dict[str, Any]


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Organisation(Part):
    name: str = Field(min_length=1, max_length=200)
    default_locale: Literal["en", "ja"]
    created_at: AwareDatetime


class Person(Part):
    """A user account without its password: imported people set one through a reset link."""

    email: Email
    name: str = Field(min_length=1, max_length=200)
    role: Literal["admin", "manager", "member", "viewer"]
    locale: Literal["en", "ja"] | None
    timezone: str = Field(min_length=1, max_length=64)
    is_active: bool
    created_at: AwareDatetime
    last_login_at: AwareDatetime | None


class ModelVersion(Part):
    """A maturity model version exactly as installed (its content is the parsed model file)."""

    slug: Slug
    version: str = Field(min_length=1, max_length=20)
    name_en: str = Field(max_length=200)
    name_ja: str = Field(max_length=200)
    content: Json
    content_hash: str = Field(min_length=1, max_length=64)
    is_builtin: bool


class Target(Part):
    """The level a dimension of a model should reach."""

    model: Slug
    dimension: Key
    level: int = Field(ge=0, le=4)


class AssessmentKey(Part):
    """Names one assessment: a team's answers to one model version in one period."""

    team: Slug
    model: Slug
    model_version: str = Field(min_length=1, max_length=20)
    period: str = Field(min_length=1, max_length=20)


class Member(Part):
    email: Email
    access: Literal["manager", "member", "viewer"]
    team_roles: list[str]
    capacity: Share
    created_at: AwareDatetime


class RaciCell(Part):
    capability: Key
    team_role: Key
    letter: Literal["R", "A", "C", "I"]


class Answer(Part):
    question: Key
    choice: Key | None
    not_applicable: bool
    na_reason: str
    note: str
    evidence_links: list[str]
    carried_over: bool
    from_evidence: bool
    answered_by: Email | None
    answered_at: AwareDatetime | None


class EvidenceReview(Part):
    question: Key
    capability: Key
    verdict: Literal["accepted", "dismissed"]
    reason: str
    answered_level: int | None
    suggested_level: int | None
    floor: int | None
    ceiling: int | None
    evidence: list[Json]
    by: Email | None
    created_at: AwareDatetime


class Assessment(Part):
    model: Slug
    model_version: str = Field(min_length=1, max_length=20)
    period: str = Field(min_length=1, max_length=20)
    status: Literal["draft", "submitted"]
    created_by: Email | None
    created_at: AwareDatetime
    copied_from: AssessmentKey | None
    submitted_by: Email | None
    submitted_at: AwareDatetime | None
    answers: list[Answer]
    evidence_reviews: list[EvidenceReview]


class RoadmapVersion(Part):
    """One generation of the plan; `inputs` names its assessments by AssessmentKey, not by id."""

    number: int = Field(ge=1)
    generated_at: AwareDatetime
    assessment: AssessmentKey | None
    inputs: Json
    plan: Json
    diff: Json


class RoadmapEdit(Part):
    kind: str = Field(min_length=1, max_length=20)
    item: Key
    params: Json
    by: Email | None
    created_at: AwareDatetime


class ItemStatus(Part):
    item: Key
    status: Literal["planned", "in_progress", "done", "blocked"]
    progress: int = Field(ge=0, le=100)
    by: Email | None
    updated_at: AwareDatetime


class ChecklistTick(Part):
    item: Key
    entry: Key
    by: Email | None
    at: AwareDatetime
    by_evidence: bool
    evidence: Json | None


class ChecklistUntick(Part):
    item: Key
    entry: Key
    by: Email | None
    at: AwareDatetime
    evidence: Json | None


class Roadmap(Part):
    start_date: date
    current_version: int = Field(ge=1)
    assessment: AssessmentKey | None
    poc_candidates: list[Json]
    created_at: AwareDatetime
    versions: list[RoadmapVersion]
    edits: list[RoadmapEdit]
    statuses: list[ItemStatus]
    checklist_ticks: list[ChecklistTick]
    checklist_unticks: list[ChecklistUntick]


class CheckIn(Part):
    value: float
    confidence: Confidence
    note: str
    source: Literal["manual", "signal"]
    client_token: str | None = Field(max_length=64)
    by: Email | None
    created_at: AwareDatetime


class KeyResultKey(Part):
    """Names one key result of the team: its objective's period and title, and its own title."""

    period: str = Field(min_length=1, max_length=7)
    objective: str = Field(min_length=1, max_length=300)
    key_result: str = Field(min_length=1, max_length=300)


class KeyResult(Part):
    title: str = Field(min_length=1, max_length=300)
    kind: Literal["numeric", "percentage", "milestone"]
    start_value: float
    target_value: float
    unit: str = Field(max_length=20)
    catalogue_id: Key | None
    signal: str | None = Field(max_length=120)
    roadmap_item: Key | None
    owner: Email | None
    position: int
    current_value: float | None
    confidence: Confidence | None
    checked_in_at: AwareDatetime | None
    check_ins: list[CheckIn]
    direction: Literal["up", "down"] = "up"
    """Added in format version 1 after its first release: a file without it reads as "up"."""
    due_on: date | None = None
    """Added in format version 1 after its first release."""


class OrgObjectiveKey(Part):
    """Names one organisation objective: its period and title."""

    period: str = Field(min_length=1, max_length=7)
    title: str = Field(min_length=1, max_length=300)


class OrgObjective(Part):
    """Leadership's objective for the organisation in a quarter; team objectives name it by period and
    title (OrgObjectiveKey); where the app holds one title twice in a quarter, the key names the first."""

    period: str = Field(min_length=1, max_length=7)
    title: str = Field(min_length=1, max_length=300)
    description: str
    owner: Email | None
    position: int
    created_by: Email | None
    created_at: AwareDatetime


class Objective(Part):
    period: str = Field(min_length=1, max_length=7)
    title: str = Field(min_length=1, max_length=300)
    description: str
    catalogue_id: Key | None
    position: int
    created_by: Email | None
    created_at: AwareDatetime
    key_results: list[KeyResult]
    owner: Email | None = None
    """Added in format version 1 after its first release, as are the fields below."""
    starts_on: date | None = None
    ends_on: date | None = None
    org_objective: OrgObjectiveKey | None = None
    """The organisation objective it contributes to."""
    reopened_at: AwareDatetime | None = None


class Signal(Part):
    key: str = Field(min_length=1, max_length=120)
    value: float
    unit: str = Field(max_length=20)
    detail: Json
    url: str | None = Field(max_length=2048)
    observed_at: AwareDatetime


class SyncRun(Part):
    started_at: AwareDatetime
    finished_at: AwareDatetime | None
    status: Literal["running", "ok", "failed"]
    error_kind: str | None = Field(max_length=40)
    error_message: str | None
    counts: dict[str, int]
    duration_ms: int | None
    signals: list[Signal]


class Source(Part):
    """An evidence source without its credentials (they are encrypted with this instance's secret key):
    after an import, a team manager enters them again."""

    kind: Literal["mlflow", "git"]
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=2048)
    branch: str | None = Field(max_length=200)
    experiment_filter: str | None = Field(max_length=500)
    enabled: bool
    state: Json | None
    tested_at: AwareDatetime | None
    test_status: str | None = Field(max_length=20)
    test_message: str | None
    created_by: Email | None
    created_at: AwareDatetime
    runs: list[SyncRun]


class ChecklistState(Part):
    """How the team stands on one checklist entry beyond done (a roadmap item's entry names the item as its
    `checklist`); a playbook entry's state also holds its tick (`done`, `done_by_evidence`, `kept_undone`)."""

    source: Literal["playbook", "roadmap"]
    checklist: Key
    entry: Key
    status: Literal["not_started", "in_progress", "not_applicable"]
    na_reason: str
    owner: Email | None
    due: date | None
    note: str
    link: str = Field(max_length=2048)
    done: bool
    done_by_evidence: bool
    kept_undone: bool
    evidence: Json | None
    by: Email | None
    changed_at: AwareDatetime | None


class EntryKey(Part):
    """Names one of the team's checklist entries (a roadmap item's entry names the item as its checklist)."""

    source: Literal["playbook", "roadmap"]
    checklist: Key
    entry: Key


class LearningSession(Part):
    """One session of the team's learning log; an incident review may name the roadmap item or the
    checklist entry it led to (kept as recorded, even when the team no longer has it)."""

    held_on: date
    kind: Literal["best_practice", "study", "incident_review"]
    topic: str = Field(min_length=1, max_length=300)
    lessons: str
    led_to_item: Key | None
    led_to_entry: EntryKey | None
    attendees: list[Email]
    created_by: Email | None
    created_at: AwareDatetime
    updated_by: Email | None
    updated_at: AwareDatetime


class ReviewAction(Part):
    """An action a review decided, and what it became: a roadmap item (by id) or a key result (by key;
    None once that key result is gone)."""

    id: str = Field(min_length=1, max_length=40)
    text: str
    roadmap_item: Key | None = None
    key_result: KeyResultKey | None = None


class QuarterlyReview(Part):
    """One saved version of the team's review of a quarter; the highest version is current."""

    period: str = Field(min_length=1, max_length=7)
    version: int = Field(ge=1)
    went_well: str
    bottleneck: str
    patterns: list[Key]
    actions: list[ReviewAction]
    created_by: Email | None
    created_at: AwareDatetime


class Team(Part):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    description: str
    improvement_share: Share
    created_at: AwareDatetime
    members: list[Member]
    raci: list[RaciCell]
    targets: list[Target]
    assessments: list[Assessment]
    roadmap: Roadmap | None
    objectives: list[Objective]
    sources: list[Source]
    checklist_states: list[ChecklistState] = []
    """Added in format version 1 after its first release: a file without it imports as before."""
    learning_log: list[LearningSession] = []
    """Added in format version 1 after its first release: a file without it imports as before."""
    quarterly_reviews: list[QuarterlyReview] = []
    """Added in format version 1 after its first release: a file without it imports as before."""


class AuditEvent(Part):
    """One audit log line; object ids and before/after are the exporting instance's, as recorded."""

    at: AwareDatetime
    actor: Email | None
    action: str = Field(min_length=1, max_length=80)
    object_type: str = Field(min_length=1, max_length=40)
    object_id: str = Field(max_length=80)
    before: Json | None
    after: Json | None


class OrganisationExport(Part):
    """Everything an organisation keeps in Hoshin, except secrets (passwords, tokens, sessions,
    source credentials) and what the instance derives again (report cache, login attempts)."""

    format: Literal["hoshin-organisation"]
    format_version: Literal[1]
    exported_at: AwareDatetime
    organisation: Organisation | None
    people: list[Person]
    maturity_models: list[ModelVersion]
    targets: list[Target]
    """The organisation's default targets (a team's own are in its `targets`)."""
    teams: list[Team]
    audit_log: list[AuditEvent]
    org_objectives: list[OrgObjective] = []
    """Added in format version 1 after its first release: a file without it imports as before."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of an export document."""
    return {"$schema": DIALECT, **OrganisationExport.model_json_schema()}


def render_schema() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def dumps(doc: OrganisationExport) -> str:
    """The document as `hoshin export` writes it (UTF-8 JSON, Japanese as written)."""
    return doc.model_dump_json(indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_schema())
