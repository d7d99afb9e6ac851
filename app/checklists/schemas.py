"""JSON shapes of the checklist API. Strict: a boolean is not a string, unknown fields are refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.catalogue.loader import builtin_catalogue
from app.checklists.proofs import Reading
from app.checklists.service import EntryStatus, ItemChecklist
from app.checklists.team import TeamEntry, TeamList
from app.kit import limits


class EntryIn(BaseModel):
    """Mark the entry done (true) or not done (false); sending the same twice changes nothing."""

    model_config = ConfigDict(strict=True, extra="forbid")

    done: bool


class Text(BaseModel):
    en: str
    ja: str


class EvidenceOut(BaseModel):
    """The latest reading of an entry's proof: a signal of one source, and whether it proves the entry."""

    signal: str
    signal_name: Text | None  # the catalogue's name of the signal (None for a key it does not name)
    value: float
    unit: str
    source_id: int
    source: str
    observed_at: datetime
    holds: bool

    @classmethod
    def of(cls, reading: Reading) -> EvidenceOut:
        info = builtin_catalogue().signal(reading.signal)
        return cls(
            signal=reading.signal,
            signal_name=Text(en=info.name.en, ja=info.name.ja) if info else None,
            value=reading.value,
            unit=reading.unit,
            source_id=reading.source_id,
            source=reading.source,
            observed_at=reading.observed_at,
            holds=reading.holds,
        )


class EntryOut(BaseModel):
    entry_id: str
    text: Text
    role: str | None
    done: bool
    done_by: str | None
    done_at: datetime | None
    ticked_by: Literal["person", "evidence"] | None
    """Who ticked a done entry: a person (done_by names them) or the evidence (a signal proved it)."""
    proved_by_signal: bool
    """The catalogue gives the entry a proof: a sync ticks it while its signal proves it."""
    evidence: EvidenceOut | None
    """The latest reading of the entry's proof, when a source reports its signal."""
    overrides_evidence: bool
    """A person's choice stands against the evidence: ticked while the signal says not done, or unticked
    while it says done."""
    undone_by: str | None
    """Who unticked the entry, when a person's "not done" keeps the evidence from ticking it."""
    undone_at: datetime | None

    @classmethod
    def of(cls, entry: EntryStatus) -> EntryOut:
        return cls(
            entry_id=entry.entry_id,
            text=Text(en=entry.text.en, ja=entry.text.ja),
            role=entry.role,
            done=entry.done,
            done_by=entry.done_by,
            done_at=entry.done_at,
            ticked_by="evidence" if entry.by_evidence else "person" if entry.done else None,
            proved_by_signal=entry.proved,
            evidence=EvidenceOut.of(entry.evidence) if entry.evidence is not None else None,
            overrides_evidence=entry.overrides_evidence,
            undone_by=entry.undone_by,
            undone_at=entry.undone_at,
        )


class ItemChecklistOut(BaseModel):
    item_id: str
    title: Text
    done: int
    total: int
    entries: list[EntryOut]

    @classmethod
    def of(cls, checklist: ItemChecklist) -> ItemChecklistOut:
        return cls(
            item_id=checklist.item_id,
            title=Text(en=checklist.title.en, ja=checklist.title.ja),
            done=checklist.done,
            total=checklist.total,
            entries=[EntryOut.of(e) for e in checklist.entries],
        )


class ChecklistOut(BaseModel):
    team_id: int
    done: int
    total: int
    items: list[ItemChecklistOut]


Status = Literal["not_started", "in_progress", "done", "not_applicable"]


class TeamEntryOut(BaseModel):
    """One entry of one of the team's checklists, with where the team stands on it."""

    source: Literal["playbook", "roadmap"]
    list_id: str
    """The playbook checklist's id, or the roadmap item's."""
    entry_id: str
    text: Text
    role: str | None
    status: Status
    """Done while ticked (by a person or, for an entry a signal can prove, by the evidence)."""
    ticked_by: Literal["person", "evidence"] | None
    proved_by_signal: bool
    evidence: EvidenceOut | None
    overrides_evidence: bool
    na_reason: str
    owner_id: int | None
    owner: str | None
    due: date | None
    note: str
    link: str
    """An http(s) address the team gives as evidence; Hoshin never fetches it."""
    changed_by: str | None
    changed_at: datetime | None

    @classmethod
    def of(cls, entry: TeamEntry) -> TeamEntryOut:
        return cls(
            source=entry.source,
            list_id=entry.list_id,
            entry_id=entry.entry_id,
            text=Text(en=entry.text.en, ja=entry.text.ja),
            role=entry.role,
            status=entry.status,
            ticked_by=("evidence" if entry.by_evidence else "person") if entry.done else None,
            proved_by_signal=entry.proved,
            evidence=EvidenceOut.of(entry.evidence) if entry.evidence is not None else None,
            overrides_evidence=entry.overrides_evidence,
            na_reason=entry.na_reason,
            owner_id=entry.owner_id,
            owner=entry.owner_name,
            due=entry.due,
            note=entry.note,
            link=entry.link,
            changed_by=entry.changed_by,
            changed_at=entry.changed_at,
        )


class TeamListOut(BaseModel):
    source: Literal["playbook", "roadmap"]
    list_id: str
    title: Text
    done: int
    total: int
    entries: list[TeamEntryOut]

    @classmethod
    def of(cls, found: TeamList) -> TeamListOut:
        return cls(
            source=found.source,
            list_id=found.list_id,
            title=Text(en=found.title.en, ja=found.title.ja),
            done=found.done,
            total=found.total,
            entries=[TeamEntryOut.of(e) for e in found.entries],
        )


class TeamChecklistsOut(BaseModel):
    team_id: int
    has_roadmap: bool
    """False: the roadmap's checklists come once a roadmap is generated."""
    lists: list[TeamListOut]
    """The playbook's checklists (every team has them), then the roadmap items'."""


class TeamEntryPatch(BaseModel):
    """Change an entry: only the fields sent change. A status of done ticks the entry, any other unticks
    it; not_applicable needs an na_reason. `null` clears the owner or the due date."""

    model_config = ConfigDict(strict=True, extra="forbid")

    status: Status | None = None
    na_reason: limits.Reason | None = None
    owner_id: limits.RowId | None = None
    """A member of the team, or null for nobody."""
    due: str | None = Field(default=None, max_length=10)
    """A date, 2027-03-31; null for none."""
    note: limits.Note | None = None
    link: limits.Url | None = None
    """An http or https address; empty for none."""

    def values(self) -> dict[str, str]:
        """The fields sent, as the page's form sends them (an empty owner or due date clears it)."""
        sent = {name: getattr(self, name) for name in self.model_fields_set}
        return {name: "" if value is None else str(value) for name, value in sent.items()}
