"""Import an export document: read and check it whole, then write it in the caller's transaction.

Into an empty instance (no teams, and no people but the admin importing) everything is created. Into an
instance with data only when merging: people are matched by e-mail (an existing account stays as it
is), teams by slug (an existing team is kept as it is, the document's copy is left out), model versions
by slug and version; the rest is added. Nothing is written when anything is wrong.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import models as m
from app.audit import service as audit
from app.i18n import N_
from app.kit import limits
from app.kit.datafile import wording
from app.kit.datafile.findings import format_path
from app.kit.datafile.messages import say
from app.kit.datafile.reading import DataFileError, Problem
from app.transfer import checks, refs
from app.transfer import document as d
from app.transfer.writer import Writer
from app.transfer.written import Outcome

MAX_BYTES = limits.EXPORT_FILE  # larger files are refused unread
VOCABULARY = wording.Vocabulary(
    root=d.OrganisationExport,
    top=N_("an export is a JSON object with format, format_version, people, teams and more, not %(got)s"),
)


class ExportFileError(DataFileError):
    """An export document that cannot be imported; `problems` lists everything wrong with it."""


class NotEmpty(Exception):
    """The instance has data and the import was not asked to merge."""

    message = N_(
        "This instance already has data (%(teams)s teams, %(people)s people): import into an empty "
        "instance, or merge by team slug and e-mail."
    )

    def __init__(self, teams: int, people: int) -> None:
        self.params = {"teams": teams, "people": people}
        super().__init__(self.message % self.params)


def read(data: bytes, source: str) -> d.OrganisationExport:
    """The document in `data`, or ExportFileError listing every problem by path."""
    if len(data) > MAX_BYTES:
        too_big = say(N_("the file is larger than %(limit)s MB"), limit=MAX_BYTES // 1_000_000)
        raise ExportFileError(source, [Problem.of("", None, too_big, source)])
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        said = say(N_("not JSON: %(reason)s"), reason=str(exc))
        raise ExportFileError(source, [Problem.of("", None, said, source)]) from None
    try:
        return d.OrganisationExport.model_validate(raw)
    except ValidationError as exc:
        problems = [
            Problem.of(format_path(tuple(e["loc"])), None, wording.describe(e, VOCABULARY), source)
            for e in exc.errors()
        ]
        raise ExportFileError(source, problems) from None


def import_organisation(
    session: Session,
    *,
    document: d.OrganisationExport,
    merge: bool,
    importer: str | None,
    source: str,
    check_only: bool = False,
) -> Outcome:
    """Check `document` against this instance and write it (in a savepoint: refused or only checked,
    it leaves nothing behind). `importer` is the e-mail of the admin importing, who may already exist."""
    if not merge:
        _refuse_unless_empty(session, importer=importer)
    existing = _existing(session)
    found = checks.findings(document, existing)
    if found:
        problems = [Problem.of(format_path(f.loc), None, f.message, source) for f in found]
        raise ExportFileError(source, problems)
    with session.begin_nested() as savepoint:
        outcome = Writer(session, merge=merge).write(document)
        if merge and not check_only:
            after = {"teams": outcome.created["teams"], "people": outcome.created["users"]}
            actor = _user(session, importer)
            audit.record(
                session,
                actor=actor,
                action="organisation.merge",
                object_type="organisation",
                object_id=source[:80],
                after=after,
            )
        if check_only:
            savepoint.rollback()
    outcome.checked_only = check_only
    return outcome


def _user(session: Session, email: str | None) -> m.User | None:
    if email is None:
        return None
    return session.scalars(select(m.User).where(m.User.email == email.lower())).first()


def _refuse_unless_empty(session: Session, *, importer: str | None) -> None:
    teams = session.scalar(select(func.count()).select_from(m.Team)) or 0
    others = select(func.count()).select_from(m.User)
    if importer is not None:
        others = others.where(m.User.email != importer.lower())
    people = session.scalar(others) or 0
    if teams or people:
        raise NotEmpty(teams, people)


def _existing(session: Session) -> checks.Existing:
    names = refs.Names.load(session)
    models = session.execute(
        select(
            m.MaturityModelVersion.slug, m.MaturityModelVersion.version, m.MaturityModelVersion.content_hash
        )
    )
    return checks.Existing(
        emails=frozenset(u.email.lower() for u in names.users.values()),
        models={(slug, version): digest for slug, version, digest in models},
        assessments=frozenset(refs.key_of(k) for k in names.assessments.values()),
        org_objectives=frozenset(refs.org_key_of(k) for k in names.org_objectives.values()),
    )


def stamp(now: datetime) -> str:
    """A file name for an export made at `now`."""
    return f"hoshin-organisation-{now:%Y%m%d-%H%M}.json"


SUMMARISED = (
    ("teams", "teams"),
    ("users", "people"),
    ("assessments", "assessments"),
    ("objectives", "objectives"),
)


def summary(outcome: Outcome) -> list[str]:
    """What `hoshin import` prints: what it created, matched and kept."""
    made = ", ".join(f"{outcome.created[table]} {word}" for table, word in SUMMARISED)
    lines = [f"{'checked, nothing imported; would create' if outcome.checked_only else 'imported'}: {made}"]
    lines.append(f"rows: {sum(outcome.created.values())} in {len(+outcome.created)} tables")
    if outcome.matched_people:
        lines.append(f"matched by e-mail (left as they are): {', '.join(outcome.matched_people)}")
    if outcome.kept_teams:
        lines.append(f"teams already here (left as they are): {', '.join(outcome.kept_teams)}")
    if outcome.created["users"] and not outcome.checked_only:
        lines.append("imported people have no password yet: send each a reset link from Admin → Users")
    return lines


class Clash(Exception):
    """The database refused a row (another import or edit made the same team or person meanwhile)."""

    message = N_(
        "The database refused the import (did someone add the same data meanwhile?). Nothing was imported."
    )
    params: dict[str, object] = {}  # noqa: RUF012 - shown as the other refusals are
