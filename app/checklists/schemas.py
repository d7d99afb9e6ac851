"""JSON shapes of the checklist API. Strict: a boolean is not a string, unknown fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.catalogue.loader import builtin_catalogue
from app.checklists.proofs import Reading
from app.checklists.service import EntryStatus, ItemChecklist


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
