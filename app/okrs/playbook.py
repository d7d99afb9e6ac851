"""OKR templates (app/okrs/playbook.yaml): objectives with key results, in English and Japanese, that any
team can adopt from an empty OKR page. Validated into frozen models once, at first use."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import BadInput, Conflict
from app.i18n import N_
from app.maturity.schema import Text
from app.models import Objective, User
from app.okrs import service

FILE = Path(__file__).with_name("playbook.yaml")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TemplateKeyResult(_Frozen):
    id: str
    title: Text
    kind: Literal["numeric", "percentage", "milestone"]
    start: float = 0.0
    target: float = 1.0
    unit: str = ""
    due_months: Annotated[int, Field(ge=1, le=12)] | None = None


class Template(_Frozen):
    id: str
    title: Text
    description: Text
    key_results: tuple[TemplateKeyResult, ...]


@functools.cache
def templates() -> tuple[Template, ...]:
    """Every shipped template, in the file's order."""
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    return TypeAdapter(tuple[Template, ...]).validate_python(data)


def get(template_id: str) -> Template:
    """One template by id, else BadInput naming `template`."""
    found = next((t for t in templates() if t.id == template_id), None)
    if found is None:
        raise BadInput(N_("Choose one of the templates."), field="template")
    return found


def due(starts: date, ends: date, months: int | None) -> date | None:
    """The day `months` after `starts` (the month's last day when it is shorter), at most `ends`."""
    if months is None:
        return None
    index = starts.year * 12 + starts.month - 1 + months
    year, month = divmod(index, 12)
    for day in range(starts.day, 27, -1):  # 31 March + 1 month is 30 April
        try:
            return min(ends, date(year, month + 1, day))
        except ValueError:
            continue
    return min(ends, date(year, month + 1, starts.day))


def adopt(
    session: Session, *, team_id: int, period: str, template: Template, locale: str, user: User
) -> Objective:
    """The template as the team's objective for an empty quarter, its texts in `locale` (Conflict when
    the quarter has objectives already: a template is a start, not an addition)."""
    taken = session.scalar(
        select(func.count())
        .select_from(Objective)
        .where(Objective.team_id == team_id, Objective.period == period)
    )
    if taken:
        raise Conflict(N_("This quarter has objectives already: templates start an empty quarter."))
    data = service.ObjectiveInput(
        title=template.title.get(locale),
        description=template.description.get(locale),
        owner_id=service.owner_if_member(session, team_id=team_id, user=user),
    )
    objective = service.create_objective(session, team_id=team_id, period=period, data=data, user=user)
    starts, ends = service.objective_dates(objective)
    for kr in template.key_results:
        unit = "%" if kr.kind == "percentage" else kr.unit
        when = due(starts, ends, kr.due_months)
        one = service.KeyResultInput(
            kr.title.get(locale), kr.kind, kr.start, kr.target, unit, None, None, when
        )
        service.create_key_result(session, objective=objective, data=one, user=user)
    return objective
