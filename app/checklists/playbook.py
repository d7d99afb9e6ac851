"""The playbook's team checklists (technical, organisational), shipped as YAML data files in lists/.

Every team has them. An entry is a catalogue checklist entry (id, text in both languages, an optional
role and proof), so an entry with a proof is ticked by the signals sync the way a roadmap entry is.
Read once with the shared data-file loader: a broken file names its line, at start-up and in tests.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field
from pydantic_core import ErrorDetails

from app.catalogue.loader import builtin_catalogue
from app.catalogue.schema import ChecklistItem
from app.i18n import N_
from app.kit.datafile import wording
from app.kit.datafile.findings import Finding, duplicates, entities, unknown
from app.kit.datafile.messages import Message
from app.kit.datafile.reading import DataFileError, DataFormat
from app.maturity.schema import Frozen, Slug, Text

LISTS_DIR = Path(__file__).parent / "lists"
ORDER = ("technical", "organisational")  # how the page lists them


class PlaybookChecklist(Frozen):
    """One of the playbook's checklists: its entries in the order the page shows them."""

    id: Slug
    name: Text
    entries: tuple[ChecklistItem, ...] = Field(min_length=1, max_length=30)

    def entry(self, entry_id: str) -> ChecklistItem | None:
        return next((e for e in self.entries if e.id == entry_id), None)


class PlaybookFileError(DataFileError):
    """A playbook checklist file that cannot be used; `problems` lists everything wrong with it."""


def findings(data: object) -> list[Finding]:
    """Repeated entry ids, and proofs naming a signal the catalogue does not know."""
    listed = list(entities(data, "entries"))
    signals = [((*loc, "proof", "signal"), e["proof"].get("signal")) for loc, e in listed if _proof(e)]
    known = [s.key for s in builtin_catalogue().signals]
    return [
        *duplicates(N_("duplicate checklist item id '%(value)s'"), listed),
        *unknown(N_("signal"), signals, known),
    ]


def _proof(entry: object) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("proof"), dict)


VOCABULARY = wording.Vocabulary(
    root=PlaybookChecklist,
    top=N_("a checklist file is a mapping with id, name and entries at the top, not %(got)s"),
)


def _describe(error: ErrorDetails) -> Message:
    return wording.describe(error, VOCABULARY)


PLAYBOOK_FILES = DataFormat(PlaybookChecklist, PlaybookFileError, _describe, findings, N_("checklist file"))


@functools.cache
def playbook_checklists() -> tuple[PlaybookChecklist, ...]:
    """The shipped checklists, loaded and validated once, technical first."""
    found = {c.id: c for c in (PLAYBOOK_FILES.load_file(p) for p in sorted(LISTS_DIR.glob("*.yaml")))}
    return tuple(found[i] for i in ORDER if i in found) + tuple(c for i, c in found.items() if i not in ORDER)


def checklist(list_id: str) -> PlaybookChecklist | None:
    return next((c for c in playbook_checklists() if c.id == list_id), None)
