"""Bodies and responses of the OKR endpoints under /api/v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass
from pydantic_core import PydanticCustomError

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
    starts_on: date | None = Field(None, description="Its first day: its own, else its quarter's")
    ends_on: date | None = Field(None, description="Its last day; check-ins close after it unless reopened")
    owner_name: str | None = None
    org_objective_id: int | None = Field(None, description="The organisation objective it contributes to")
    closed: bool = Field(False, description="Its period is over and no manager reopened it")

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
    """A change to a key result: only the fields sent change. `signal` links it to a signal of the
    catalogue (a ratio for a percentage key result; a count, rate, days or hours for a numeric one), or
    unlinks it with null; the others change its definition with the rules of a new one (its check-ins
    stay)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    signal: Annotated[str | None, Field(max_length=120)] = None
    title: Annotated[limits.Title, Field(min_length=1)] = ""
    kind: Kind = "numeric"
    direction: Direction | None = None
    start_value: Number = 0.0
    target_value: Number = 1.0
    unit: limits.Unit = ""
    owner_id: Id | None = None
    due_on: Day | None = None


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


def _iso_day(value: object) -> object:
    """A date comes as an ISO text (YYYY-MM-DD): no number stands for a day."""
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Enter a date such as 2027-03-31.")
    return value


Day = Annotated[date, BeforeValidator(_iso_day), Field(strict=False)]
Id = Annotated[int, Field(ge=1, le=limits.MAX_ID)]
Number = Annotated[float, Field(ge=-limits.MAX_NUMBER, le=limits.MAX_NUMBER, allow_inf_nan=False)]
Kind = Literal["numeric", "percentage", "milestone"]
Direction = Literal["up", "down"]


class ObjectiveIn(BaseModel):
    """A new objective: in `period` (default: the quarter its `starts_on` falls in, else this quarter),
    over the whole quarter or its own `starts_on`..`ends_on` (both or neither)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Annotated[limits.Title, Field(min_length=1)]
    description: limits.Description = ""
    period: limits.Period | None = None
    owner_id: Id | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    org_objective_id: Id | None = None


class ObjectiveChange(BaseModel):
    """A change to an objective: only the fields sent change (null clears an optional one); `reopened`
    true opens a closed objective to check-ins again, false closes it again."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Annotated[limits.Title, Field(min_length=1)] = ""
    description: limits.Description = ""
    owner_id: Id | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    org_objective_id: Id | None = None
    reopened: bool = False


class KeyResultIn(BaseModel):
    """A new key result: a milestone is done or not (start, target and unit are ignored); a number or a
    percentage moves from `start_value` to `target_value` in its `direction` (default: the one the target
    implies); `due_on` lies within the objective's days."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Annotated[limits.Title, Field(min_length=1)]
    kind: Kind = "numeric"
    direction: Direction | None = None
    start_value: Number = 0.0
    target_value: Number = 1.0
    unit: limits.Unit = ""
    owner_id: Id | None = None
    due_on: Day | None = None
