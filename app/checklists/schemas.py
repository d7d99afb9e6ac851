"""JSON shapes of the checklist API. Strict: a boolean is not a string, unknown fields are refused."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.checklists.service import EntryStatus, ItemChecklist


class EntryIn(BaseModel):
    """Mark the entry done (true) or not done (false); sending the same twice changes nothing."""

    model_config = ConfigDict(strict=True, extra="forbid")

    done: bool


class Text(BaseModel):
    en: str
    ja: str


class EntryOut(BaseModel):
    entry_id: str
    text: Text
    role: str | None
    done: bool
    done_by: str | None
    done_at: datetime | None

    @classmethod
    def of(cls, entry: EntryStatus) -> EntryOut:
        return cls(
            entry_id=entry.entry_id,
            text=Text(en=entry.text.en, ja=entry.text.ja),
            role=entry.role,
            done=entry.done,
            done_by=entry.done_by,
            done_at=entry.done_at,
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
