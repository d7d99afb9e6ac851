"""The shape of a capability catalogue file, validated into frozen pydantic models.

The catalogue is what the roadmap is built from: per capability its dimension, level descriptions,
prerequisites, effort per level step, RACI, tools, key results, checklist and playbook phase. Every
user-visible text is in English and Japanese. Cross-references (unknown ids, prerequisite cycles, a
RACI row without exactly one A) are checked on the raw data by `app.catalogue.checks`, so the loader can
list them next to pydantic's field errors.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from app.catalogue.checks import catalogue_findings
from app.kit.datafile.findings import refuse, whole_number_in
from app.maturity.schema import Frozen, Level, NonEmpty, Slug, Text

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"  # as app.maturity.schema.Slug
FIRST_STEP = 1
LAST_STEP = 4
LEVEL_STEPS = tuple(range(FIRST_STEP, LAST_STEP + 1))
# A prerequisite needs this level before a dependant aiming at level 3+ starts, else SHARED_LEVEL (§8.4).
GATED_LEVEL = 3
SHARED_LEVEL = 2


class Phase(StrEnum):
    """The playbook's four quarters, in order."""

    FOUNDATION = "foundation"
    AUTOMATION = "automation"
    MONITORING = "monitoring"
    OPTIMISATION = "optimisation"

    @property
    def order(self) -> int:
        return list(Phase).index(self)

    @property
    def months(self) -> tuple[int, int]:
        """The phase's months as a half-open range of 0-based month indexes: foundation is (0, 3)."""
        return 3 * self.order, 3 * self.order + 3


class Raci(StrEnum):
    RESPONSIBLE = "R"
    ACCOUNTABLE = "A"
    CONSULTED = "C"
    INFORMED = "I"


class MetricType(StrEnum):
    NUMERIC = "numeric"
    PERCENTAGE = "percentage"
    MILESTONE = "milestone"


class RiskKind(StrEnum):
    """The playbook's common failure patterns; `risks.py` holds the rule that spots each."""

    OVER_COMPLEXITY = "over-complexity"
    TOOL_DEPENDENCY = "tool-dependency"
    DATA_SCIENTIST_RESISTANCE = "data-scientist-resistance"
    LATE_MONITORING = "late-monitoring"


_STEP = whole_number_in(
    "unknown_step",
    "unknown level step {step} (steps reach levels {min} to {max})",
    "step",
    FIRST_STEP,
    LAST_STEP,
)
Step = Annotated[int, _STEP[0], _STEP[1]]
Version = Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){0,2}$")]
SIGNAL_KEY_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+){2}$"
SignalKey = Annotated[str, StringConstraints(pattern=SIGNAL_KEY_PATTERN, max_length=120)]
"""A signal's stable key, `<adapter>.<topic>.<measure>` (docs/signals.md): `git.ci.configured`."""


class SignalUnit(StrEnum):
    """How a signal's value reads; app/catalogue/labels.py formats each (ratio as %, hours as days...)."""

    COUNT = "count"
    RATIO = "ratio"
    BOOL = "bool"
    PER_WEEK = "per_week"
    PER_MONTH = "per_month"
    DAYS = "days"
    HOURS = "hours"


class SignalInfo(Frozen):
    """A signal an adapter measures, named for people: rules, key results and checklists refer to it."""

    key: SignalKey
    name: Text
    unit: SignalUnit
    note: Text | None = None
    """How it is measured where that matters, e.g. "a proxy for DORA lead time: release tags, not deploys"."""


class Condition(Frozen):
    """A test on one signal's latest value: exactly one of equals (yes/no signals), at_least, below."""

    signal: SignalKey
    equals: bool | None = None
    at_least: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        given = [name for name in ("equals", "at_least", "below") if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "condition_test", "a condition needs exactly one of equals, at_least or below"
            )
        return self

    def holds(self, value: float) -> bool:
        if self.equals is not None:
            return bool(value) is self.equals
        if self.at_least is not None:
            return value >= self.at_least
        assert self.below is not None
        return value < self.below


class EvidenceRule(Condition):
    """When the condition holds, the evidence says the capability is at least `floor`, at most
    `ceiling`, or about `suggests` (exactly one), in the words of `says`."""

    also: tuple[Condition, ...] = Field(default=(), max_length=3)
    """Conditions on other signals that must hold as well: "CI runs the tests" also "CI builds"."""
    floor: Level | None = None
    ceiling: Level | None = None
    suggests: Level | None = None
    says: Text
    """What the evidence shows, for the questionnaire and reports: "No CI configured in the repository"."""

    @model_validator(mode="after")
    def _one_effect(self) -> EvidenceRule:
        given = [name for name in ("floor", "ceiling", "suggests") if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "rule_effect", "an evidence rule needs exactly one of floor, ceiling or suggests"
            )
        return self


class Evidence(Frozen):
    """The signals that speak to a capability and how they turn into a level (app/evidence/rules.py)."""

    tolerance: int = Field(default=1, ge=0, le=4)
    """Levels an answer may differ from a suggested level before it is flagged (floors and ceilings: none)."""
    rules: tuple[EvidenceRule, ...] = Field(min_length=1)

    @property
    def signals(self) -> frozenset[str]:
        """The keys of every signal the rules read, their extra conditions included."""
        return frozenset(c.signal for rule in self.rules for c in (rule, *rule.also))


class Role(Frozen):
    """A team role that can own roadmap work."""

    id: Slug
    name: Text


class Tool(Frozen):
    """A recommended tool; its name is a proper noun, the same in both languages."""

    id: Slug
    name: NonEmpty
    description: Text
    url: str | None = None


class Dimension(Frozen):
    id: Slug
    name: Text


class Effort(Frozen):
    """A person-week range for one level step."""

    low: float = Field(gt=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Effort:
        if self.low > self.high:
            raise PydanticCustomError(
                "effort_order", "effort low {low} is above high {high}", {"low": self.low, "high": self.high}
            )
        return self

    @property
    def planned(self) -> float:
        """The figure the planner books: the middle of the range."""
        return (self.low + self.high) / 2


class Prerequisite(Frozen):
    """A capability that must reach `level` before work towards `from_target` or above starts."""

    capability: Slug
    level: Level | None = None
    """The level needed; by default 3 when the dependant aims at 3 or more, else 2."""
    from_target: Step = 1
    """The prerequisite applies only to targets at or above this level."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"capability": data} if isinstance(data, str) else data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Editors must accept the short form too: a bare capability id.
        return {"anyOf": [{"type": "string", "pattern": SLUG_PATTERN}, handler(schema)]}

    def needed_level(self, target: int) -> int:
        """The level this prerequisite must reach before work towards `target` starts."""
        if self.level is not None:
            return self.level
        return GATED_LEVEL if target >= GATED_LEVEL else SHARED_LEVEL


class KeyResult(Frozen):
    """A success criterion usable as an OKR key result."""

    id: Slug
    text: Text
    metric: MetricType
    target: float | None = None
    """The number to reach for numeric and percentage key results; none for milestones."""
    signal: SignalKey | None = None
    """A signal that measures it: a key result made from this one is linked to it (automatic check-ins)."""

    @model_validator(mode="after")
    def _target_fits_metric(self) -> KeyResult:
        if (self.metric is MetricType.MILESTONE) != (self.target is None):
            raise PydanticCustomError(
                "target_metric", "numeric and percentage key results need a target; milestones take none"
            )
        return self


class ChecklistItem(Frozen):
    id: Slug
    text: Text
    role: Slug | None = None
    """Who does it; by default the capability's first Responsible role."""
    proof: Condition | None = None
    """A signal that proves it done: the entry is ticked automatically while the condition holds."""


class Capability(Frozen):
    """One capability: what its levels mean and what it takes to raise it."""

    id: Slug
    dimension: Slug
    name: Text
    description: Text | None = None
    weight: float = Field(default=1.0, gt=0)
    levels: dict[Level, Text] = Field(json_schema_extra={"propertyNames": {"pattern": "^[0-4]$"}})
    phase: Phase
    """The playbook phase the work normally belongs to."""
    phase_by_target: dict[Level, Phase] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": {"pattern": "^[0-4]$"}}
    )
    """Earlier phases for modest targets: {2: foundation} puts work aiming at level 2 or less there."""
    prerequisites: tuple[Prerequisite, ...] = ()
    effort: dict[Step, Effort] = Field(json_schema_extra={"propertyNames": {"pattern": "^[1-4]$"}})
    """Person-weeks to reach each level from the one below."""
    raci: dict[Slug, Raci]
    """The default RACI: role id → R, A, C or I, with exactly one A."""
    tools: tuple[Slug, ...] = ()
    key_results: tuple[KeyResult, ...] = Field(min_length=1)
    checklist: tuple[ChecklistItem, ...] = Field(min_length=3, max_length=6)
    evidence: Evidence | None = None
    """What MLflow and Git signals say about this capability's level; none when they cannot tell."""

    def phase_for(self, target: int) -> Phase:
        """The playbook phase of work that raises this capability to `target`."""
        earlier = [level for level in self.phase_by_target if target <= level]
        return self.phase_by_target[min(earlier)] if earlier else self.phase

    def roles(self, kind: Raci) -> tuple[str, ...]:
        """The roles holding `kind` in the default RACI, in file order."""
        return tuple(role for role, value in self.raci.items() if value is kind)

    def effort_between(self, current: int, target: int) -> tuple[float, float, float]:
        """Low, planned and high person-weeks to go from `current` to `target`."""
        steps = [self.effort[level] for level in range(current + 1, target + 1)]
        return sum(s.low for s in steps), sum(s.planned for s in steps), sum(s.high for s in steps)


class RiskTemplate(Frozen):
    """A common failure pattern, with what to do about it."""

    id: RiskKind
    name: Text
    mitigation: Text


class Objective(Frozen):
    """An objective to suggest when the plan works on its capabilities."""

    id: Slug
    text: Text
    capabilities: tuple[Slug, ...] = Field(min_length=1)


class Catalogue(Frozen):
    """A versioned capability catalogue."""

    id: Slug
    version: Version
    name: Text
    description: Text | None = None
    maturity_model: Slug | None = None
    """The maturity model whose capability ids this catalogue uses."""
    effort_basis: Text | None = None
    """Where the effort figures come from: the team, share of time and durations they are calibrated on."""
    roles: tuple[Role, ...] = Field(min_length=1)
    tools: tuple[Tool, ...] = ()
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    capabilities: tuple[Capability, ...] = Field(min_length=1)
    risks: tuple[RiskTemplate, ...] = ()
    objectives: tuple[Objective, ...] = ()
    signals: tuple[SignalInfo, ...] = ()
    """The signals rules, key results and checklists may name, with their names in both languages."""

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Catalogue:
        refuse(info, lambda: catalogue_findings(self.model_dump()))
        return self

    def capability(self, capability_id: str) -> Capability | None:
        return next((c for c in self.capabilities if c.id == capability_id), None)

    def signal(self, key: str) -> SignalInfo | None:
        return next((s for s in self.signals if s.key == key), None)
