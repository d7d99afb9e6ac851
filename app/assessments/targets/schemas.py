"""Bodies and responses of the target endpoints under /api/v1."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.kit import limits
from app.maturity.schema import MAX_LEVEL, MIN_LEVEL

Level = Annotated[int, Field(ge=MIN_LEVEL, le=MAX_LEVEL)]
# Any other id is refused by name (service.target_levels); a pattern here would make JSON Schema's
# `patternProperties`, whose regex dialect cannot state the refused characters
DimensionId = Annotated[str, StringConstraints(max_length=limits.SLUG)]


class TargetsIn(BaseModel):
    """The targets set at this level (a team's, or the organisation's defaults), like the page's form:
    a dimension left out or null has none here and falls back (team → organisation default → 3)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    levels: dict[DimensionId, Level | None] = Field(description="dimension id → target level 0–4, or null")


class TargetsOut(BaseModel):
    """Targets per dimension of one maturity model."""

    model: str
    team_id: int | None = Field(description="null: the organisation's defaults")
    targets: dict[str, int] = Field(
        description="every dimension's target in effect: set here, else the organisation default, else 3"
    )
    own: dict[str, int] = Field(description="the targets set at this level")
    defaults: dict[str, int] = Field(description="the organisation's defaults (a team's targets only)")
