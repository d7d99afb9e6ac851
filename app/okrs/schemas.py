"""Bodies and responses of the OKR endpoints under /api/v1."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.dataclasses import dataclass

from app.kit import limits
from app.okrs.service import KeyResultStatus, ObjectiveStatus


@dataclass(frozen=True)
class KeyResultOut(KeyResultStatus):
    """A key result with its latest check-in; `progress` goes from 0 to 1."""

    signal: str | None = Field(description="The signal whose syncs check in on it (docs/signals.md)")

    @classmethod
    def of(cls, kr: KeyResultStatus) -> KeyResultOut:
        return cls(**kr.__dict__)


class ObjectiveOut(BaseModel):
    """An objective of a quarter; `progress` is the mean of its key results."""

    id: int
    team_id: int
    period: str
    title: str
    progress: float
    key_results: list[KeyResultOut]

    @classmethod
    def of(cls, objective: ObjectiveStatus) -> ObjectiveOut:
        krs = [KeyResultOut.of(kr) for kr in objective.key_results]
        fields = {k: v for k, v in objective.__dict__.items() if k != "key_results"}
        return cls(**fields, key_results=krs)


class CheckInIn(BaseModel):
    """A check-in: the value reached, a confidence from 0 to 10, an optional note, and an optional
    client token that makes a retried request land once."""

    model_config = ConfigDict(extra="forbid", strict=True)

    value: Annotated[float, Field(ge=-limits.MAX_NUMBER, le=limits.MAX_NUMBER, allow_inf_nan=False)]
    confidence: Annotated[int, Field(ge=0, le=10)]
    note: limits.CheckInNote = ""
    client_token: Annotated[limits.ClientToken | None, Field(min_length=1)] = None


class KeyResultChange(BaseModel):
    """A change to a key result: `signal` links it to a signal of the catalogue (a ratio for a percentage
    key result; a count, rate, days or hours for a numeric one), or unlinks it with null."""

    model_config = ConfigDict(extra="forbid", strict=True)

    signal: Annotated[str | None, Field(max_length=120)]


class CheckInOut(BaseModel):
    """A recorded check-in and the key result after it."""

    id: int
    key_result_id: int
    value: float
    confidence: int
    note: str
    source: str
    created_at: datetime
    created_by_id: int | None
    key_result: KeyResultOut
