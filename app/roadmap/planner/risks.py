"""The risk register: the playbook's common failure patterns, flagged when the plan shows their sign.

Each rule reads the plan only; the pattern's name and mitigation come from the catalogue, so a
catalogue without a pattern's template switches that rule off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.catalogue.schema import Catalogue, Phase, RiskKind
from app.roadmap.planner.plan import Deferred, Item, Reason, ReasonCode, Risk
from app.roadmap.planner.reasons import Names, explain

MAX_NEW_TOOLS_PER_QUARTER = 4
NEW_BELOW_LEVEL = 2  # below level 2 the team has no shared tool for the capability yet
# One tool under more than this share of the items (and at least MIN_ITEMS_FOR_DEPENDENCY of them).
MAX_TOOL_SHARE = 0.4
MIN_ITEMS_FOR_DEPENDENCY = 4
DATA_SCIENTIST = "data_scientist"
MONITORING_DIMENSION = "monitoring"
LAST_PHASE_START = Phase.OPTIMISATION.months[0]

Sign = tuple[Reason, tuple[str, ...]]


@dataclass(frozen=True)
class Facts:
    """What a rule may read: the plan's items, the work beyond the year, the catalogue, the team's
    roles (role id → share of capacity) and the names reasons use."""

    items: Sequence[Item]
    beyond: Sequence[Deferred]
    catalogue: Catalogue
    team: Mapping[str, float]
    names: Names


Rule = Callable[[Facts], Sign | None]


def assess(
    items: Sequence[Item],
    beyond: Sequence[Deferred],
    catalogue: Catalogue,
    team_roles: Mapping[str, float],
    names: Names,
) -> tuple[Risk, ...]:
    """The failure patterns whose sign the plan shows, in the catalogue's order."""
    facts = Facts(items, beyond, catalogue, team_roles, names)
    risks = []
    for template in catalogue.risks:
        sign = RULES[template.id](facts)
        if sign is not None:
            risks.append(Risk(template.id, template.name, template.mitigation, sign[0], sign[1]))
    return tuple(risks)


def _over_complexity(facts: Facts) -> Sign | None:
    """Too many tools arrive in one quarter for capabilities the team has no shared tool for yet."""
    items, catalogue = facts.items, facts.catalogue
    first_quarter: dict[str, int] = {}
    for item in sorted(items, key=lambda i: (i.start_month, i.id)):
        for tool in item.tools if item.from_level < NEW_BELOW_LEVEL else ():
            first_quarter.setdefault(tool, item.start_month // 3)
    for quarter in range(4):
        tools = [t for t, q in first_quarter.items() if q == quarter]
        if len(tools) > MAX_NEW_TOOLS_PER_QUARTER:
            shown = ", ".join(_tool_name(catalogue, t) for t in tools)
            reason = explain(
                ReasonCode.NEW_TOOLS, facts.names, quarter=quarter + 1, count=len(tools), tools=shown
            )
            return reason, tuple(
                i.id for i in items if i.start_month // 3 == quarter and set(i.tools) & set(tools)
            )
    return None


def _tool_dependency(facts: Facts) -> Sign | None:
    """One tool sits under a large share of the plan."""
    items = facts.items
    counts: dict[str, int] = {}
    for item in items:
        for tool in item.tools:
            counts[tool] = counts.get(tool, 0) + 1
    tool, count = max(sorted(counts.items()), key=lambda pair: pair[1], default=("", 0))
    if count < MIN_ITEMS_FOR_DEPENDENCY or count <= MAX_TOOL_SHARE * len(items):
        return None
    shown = _tool_name(facts.catalogue, tool)
    reason = explain(ReasonCode.ONE_TOOL_EVERYWHERE, facts.names, count=count, total=len(items), tool=shown)
    return reason, tuple(i.id for i in items if tool in i.tools)


def _data_scientist_resistance(facts: Facts) -> Sign | None:
    """Data scientists own none of the work, so it is done to them rather than with them."""
    items, team, roles = facts.items, facts.team, facts.catalogue.roles
    in_team = team.get(DATA_SCIENTIST, 0) > 0 if team else any(r.id == DATA_SCIENTIST for r in roles)
    if not items or not in_team or any(DATA_SCIENTIST in i.owner_roles for i in items):
        return None
    return explain(ReasonCode.NO_DATA_SCIENTIST_OWNER, facts.names, total=len(items)), ()


def _late_monitoring(facts: Facts) -> Sign | None:
    """Monitoring work only starts in the last phase, or not at all within the year."""
    catalogue = facts.catalogue
    monitoring = [i for i in facts.items if _is_monitoring(i.dimension, i.phase)]
    pending = [d for d in facts.beyond if _is_monitoring(_dimension(catalogue, d.capability_id), d.phase)]
    if not monitoring and not pending:
        return None
    earliest = min((i.start_month for i in monitoring), default=12)
    if earliest < LAST_PHASE_START:
        return None
    reason = explain(ReasonCode.MONITORING_LAST, facts.names, month=earliest + 1)
    return reason, tuple(i.id for i in monitoring)


def _is_monitoring(dimension: str | None, phase: Phase) -> bool:
    return dimension == MONITORING_DIMENSION or phase is Phase.MONITORING


def _dimension(catalogue: Catalogue, capability_id: str | None) -> str | None:
    capability = catalogue.capability(capability_id) if capability_id else None
    return capability.dimension if capability else None


def _tool_name(catalogue: Catalogue, tool_id: str) -> str:
    return next((t.name for t in catalogue.tools if t.id == tool_id), tool_id)


RULES: Mapping[RiskKind, Rule] = {
    RiskKind.OVER_COMPLEXITY: _over_complexity,
    RiskKind.TOOL_DEPENDENCY: _tool_dependency,
    RiskKind.DATA_SCIENTIST_RESISTANCE: _data_scientist_resistance,
    RiskKind.LATE_MONITORING: _late_monitoring,
}
