"""The dashboard's filters and comparisons as the query gives them, checked for form: which teams, which
quarters, and which two quarters or two teams side by side. Pure; whether a team or quarter exists for
the reader is checked where the data is (service.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from app.errors import BadInput
from app.i18n import N_
from app.kit import limits

T = TypeVar("T")

BAD_TEAM = N_("Pick teams from the list.")
BAD_ORDER = N_("The last quarter comes before the first one.")
SECOND_QUARTER = N_("Pick a second quarter to compare with.")
SECOND_TEAM = N_("Pick a second team to compare with.")
SAME_QUARTER = N_("Pick two different quarters.")
SAME_TEAM = N_("Pick two different teams.")
MOST_TEAMS = 1000  # more than any organisation's teams: a longer list is not from the form


@dataclass(frozen=True)
class Query:
    """The filter fields as typed (every value a string, as the form sends it)."""

    team: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    quarter_a: str = ""
    quarter_b: str = ""
    team_a: str = ""
    team_b: str = ""


@dataclass(frozen=True)
class Filters:
    teams: tuple[int, ...] = ()  # empty: every team the reader may see
    since: str | None = None  # the first quarter shown (a label such as 2026-Q1)
    until: str | None = None  # the last quarter shown
    quarters: tuple[str, str] | None = None  # two quarters side by side
    pair: tuple[int, int] | None = None  # two teams side by side
    errors: dict[str, BadInput] = field(default_factory=dict)  # field → its error, shown beside it

    @property
    def narrowed(self) -> bool:
        """Whether the teams or quarters are narrowed (the page says so, and offers to clear it)."""
        return bool(self.teams or self.since or self.until)


def parse(query: Query) -> Filters:
    """The filters the query asks for; a field in error is left out and its message kept in `errors`."""
    errors: dict[str, BadInput] = {}
    teams = _ids(query.team, "team", errors)
    since = _period(query.since, "since", errors)
    until = _period(query.until, "until", errors)
    if since and until and until < since:
        errors["until"], until = BadInput(BAD_ORDER, field="until"), None
    quarters = _two(
        _period(query.quarter_a, "quarter_a", errors),
        _period(query.quarter_b, "quarter_b", errors),
        ("quarter_a", "quarter_b"),
        (SECOND_QUARTER, SAME_QUARTER),
        errors,
    )
    (team_a,) = _ids((query.team_a,) if query.team_a else (), "team_a", errors) or (None,)
    (team_b,) = _ids((query.team_b,) if query.team_b else (), "team_b", errors) or (None,)
    pair = _two(team_a, team_b, ("team_a", "team_b"), (SECOND_TEAM, SAME_TEAM), errors)
    return Filters(tuple(teams), since, until, quarters, pair, errors)


def _ids(values: tuple[str, ...], name: str, errors: dict[str, BadInput]) -> tuple[int, ...]:
    found = []
    if len(values) > MOST_TEAMS:
        errors[name] = BadInput(BAD_TEAM, field=name)
        return ()
    for value in (v.strip() for v in values):
        if not value:
            continue
        if not value.isdigit() or len(value) > 12:
            errors[name] = BadInput(BAD_TEAM, field=name)
            return ()
        found.append(int(value))
    return tuple(dict.fromkeys(found))


def _period(value: str, name: str, errors: dict[str, BadInput]) -> str | None:
    if not value.strip():
        return None
    try:
        return limits.period(value)
    except limits.TextError as error:
        errors[name] = BadInput(error.message, field=name, **error.params)
        return None


def _two(
    a: T | None,
    b: T | None,
    names: tuple[str, str],
    messages: tuple[str, str],
    errors: dict[str, BadInput],
) -> tuple[T, T] | None:
    """Both or neither: one alone is an error on the missing field, the same twice on the second."""
    if names[0] in errors or names[1] in errors or (a is None and b is None):
        return None
    if a is None or b is None:
        missing = names[1] if b is None else names[0]
        errors[missing] = BadInput(messages[0], field=missing)
        return None
    if a == b:
        errors[names[1]] = BadInput(messages[1], field=names[1])
        return None
    return (a, b)
