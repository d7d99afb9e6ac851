"""What an import has written so far: rows per table, and this instance's ids by natural key."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.models.base import Base
from app.transfer import document as d
from app.transfer import refs


@dataclass
class Outcome:
    """What an import created (rows per table) and what it matched instead of creating."""

    created: Counter[str] = field(default_factory=Counter)
    kept_teams: list[str] = field(default_factory=list)
    matched_people: list[str] = field(default_factory=list)
    checked_only: bool = False


class Written:
    """The session an import writes with, what it has created, and the ids it has resolved so far."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.outcome = Outcome()
        self.users: dict[str, int] = {}
        self.models: dict[tuple[str, str], int] = {}
        self.assessments: dict[tuple[str, str, str, str], int] = {}
        self.org_objectives: dict[tuple[str, str], int] = {}

    def add(self, rows: Iterable[Base]) -> None:
        """Add and count `rows`, then flush: what comes next needs their ids."""
        for row in rows:
            self.session.add(row)
            self.outcome.created[type(row).__tablename__] += 1
        self.session.flush()

    def user(self, email: str | None) -> int | None:
        """This instance's id of the person with `email` (checked to exist before writing)."""
        return self.users.get(email.lower()) if email is not None else None

    def assessment(self, key: d.AssessmentKey | None) -> int | None:
        """This instance's id of the assessment `key` names (None: not here, or none named)."""
        return self.assessments.get(refs.key_of(key)) if key is not None else None

    def org_objective(self, key: d.OrgObjectiveKey | None) -> int | None:
        """This instance's id of the organisation objective `key` names (checked to exist)."""
        return self.org_objectives.get(refs.org_key_of(key)) if key is not None else None
