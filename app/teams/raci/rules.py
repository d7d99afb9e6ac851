"""The RACI matrix: which team role is Responsible, Accountable, Consulted or Informed for each
capability. Pure functions on plain dicts; the defaults take any source of capability → roles (the
shipped maturity model's dimensions today, the capability catalogue later)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from app.teams.roles import RECOMMENDED

LETTERS = ("R", "A", "C", "I")
Matrix = dict[str, dict[str, str]]  # capability id → team role → letter

# Who usually does what, by area, until the capability catalogue names roles per capability.
_BY_DIMENSION: dict[str, dict[str, str]] = {
    "data": {"data_engineer": "A", "mlops_engineer": "R", "data_scientist": "C", "product_owner": "I"},
    "development": {"ml_engineer": "A", "data_scientist": "R", "mlops_engineer": "C", "product_owner": "I"},
    "deployment": {"mlops_engineer": "A", "ml_engineer": "R", "data_engineer": "C", "product_owner": "I"},
    "monitoring": {"mlops_engineer": "A", "ml_engineer": "R", "data_scientist": "C", "product_owner": "I"},
    "organisation": {"product_owner": "A", "mlops_engineer": "R", "ml_engineer": "C", "data_scientist": "I"},
}
_FALLBACK = {"product_owner": "A", "mlops_engineer": "R", "ml_engineer": "C", "data_scientist": "I"}


def default_row(dimension_id: str) -> dict[str, str]:
    """The default assignment for a capability of this dimension (exactly one A)."""
    return dict(_BY_DIMENSION.get(dimension_id, _FALLBACK))


def defaults(capabilities: Iterable[tuple[str, str]]) -> Matrix:
    """The default matrix for (capability id, dimension id) pairs."""
    return {capability: default_row(dimension) for capability, dimension in capabilities}


def merged(base: Matrix, stored: Mapping[str, Mapping[str, str]]) -> Matrix:
    """The team's matrix: its own rows where it has edited them, the defaults elsewhere."""
    return {capability: dict(stored.get(capability, row)) for capability, row in base.items()}


def accountable_count(row: Mapping[str, str]) -> int:
    return sum(1 for letter in row.values() if letter == "A")


def owner(row: Mapping[str, str], members: Sequence[tuple[int, Sequence[str]]]) -> int | None:
    """Who should own a capability's work: the first of `members` (id, team roles) holding the row's
    Accountable role, else the first holding one of its Responsible roles, else nobody."""
    for letter in ("A", "R"):
        wanted = {role for role, cell in row.items() if cell == letter}
        found = next((member for member, roles in members if wanted.intersection(roles)), None)
        if found is not None:
            return found
    return None


def invalid_rows(matrix: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Capabilities whose row does not have exactly one Accountable, in matrix order."""
    return [capability for capability, row in matrix.items() if accountable_count(row) != 1]


def with_cell(row: Mapping[str, str], role: str, letter: str) -> dict[str, str]:
    """The row after setting one cell; an empty letter clears it."""
    if letter and letter not in LETTERS:
        raise ValueError(f"letter must be one of {', '.join(LETTERS)} or empty")
    updated = {r: value for r, value in row.items() if r != role}
    if letter:
        updated[role] = letter
    return updated


def columns(team_roles: Sequence[str]) -> list[str]:
    """The matrix columns: the recommended roles, then custom roles the team's members hold."""
    custom = sorted({role for role in team_roles if role not in RECOMMENDED})
    return [*RECOMMENDED, *custom]
