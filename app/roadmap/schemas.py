"""JSON shapes of the roadmap API. Strict: a number is not a string, unknown fields are refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit import limits
from app.roadmap.service import RoadmapView

EditKind = Literal["pin", "unpin", "drop", "restore", "move", "resize", "owner"]
Status = Literal["planned", "in_progress", "done", "blocked"]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class GenerateIn(Strict):
    """What the page's "Generate" form takes: which submitted assessment to plan from."""

    source: limits.RowId | None = Field(
        default=None,
        description="the id of one of the team's submitted assessments to plan from alone; null or left out: "
        "each capability's latest submitted assessment",
    )


class EditIn(Strict):
    kind: EditKind
    start_month: int | None = Field(default=None, ge=0, le=11, description="0-based month (move)")
    duration_months: int | None = Field(default=None, ge=1, le=12, description="resize")
    owner_role: str | None = Field(default=None, max_length=40, description="owner")


class ItemPatch(Strict):
    """A status/progress update, an edit, or both."""

    status: Status | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    edit: EditIn | None = None


class Text(BaseModel):
    en: str
    ja: str


class ItemOut(BaseModel):
    id: str
    capability_id: str | None
    title: Text
    phase: str
    start_month: int
    end_month: int
    start: date
    end: date
    effort_pw: float
    from_level: int
    to_level: int
    owner_roles: list[str]
    accountable: str | None
    pinned: bool
    status: str
    progress: int
    reasons: list[Text]


class PlanSourceOut(BaseModel):
    """An assessment the plan took capability levels from, and which capabilities it gave."""

    assessment_id: int | None
    model: str
    period: str
    capabilities: list[str]


class RoadmapOut(BaseModel):
    team_id: int
    version: int
    generated_at: datetime
    assessment_id: int | None
    chosen: bool = Field(description="true: planned from the one assessment asked for (`source`)")
    sources: list[PlanSourceOut]
    start: date
    progress: int
    items: list[ItemOut]
    beyond: list[str]
    dropped: list[str]

    @classmethod
    def of(cls, view: RoadmapView) -> RoadmapOut:
        plan = view.plan
        items = [
            ItemOut(
                id=i.id,
                capability_id=i.capability_id,
                title=Text(en=i.title.en, ja=i.title.ja),
                phase=i.scheduled_phase.value,
                start_month=i.start_month,
                end_month=i.end_month,
                start=i.start,
                end=i.end,
                effort_pw=i.effort_pw,
                from_level=i.from_level,
                to_level=i.to_level,
                owner_roles=list(i.owner_roles),
                accountable=i.accountable,
                pinned=i.id in view.pinned,
                status=view.status(i.id),
                progress=view.progress(i.id),
                reasons=[Text(en=r.text.en, ja=r.text.ja) for r in i.reasons],
            )
            for i in plan.items
        ]
        return cls(
            team_id=view.roadmap.team_id,
            version=view.version.number,
            generated_at=view.version.generated_at,
            assessment_id=view.version.assessment_id,
            chosen=view.chosen,
            sources=[
                PlanSourceOut(
                    assessment_id=s.assessment_id,
                    model=s.model,
                    period=s.period,
                    capabilities=list(s.capabilities),
                )
                for s in view.sources
            ],
            start=view.roadmap.start_date,
            progress=view.rollup(),
            items=items,
            beyond=[d.id for d in plan.beyond],
            dropped=[d.id for d in plan.dropped],
        )
