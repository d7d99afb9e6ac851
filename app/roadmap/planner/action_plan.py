"""The 3-month action plan: the first quarter's items as dated tasks, and the POC to start with.

Tasks are the items' checklist entries, due at even steps through each item's months; only those
due within the quarter are listed. A task goes to its entry's role only where that role is
Responsible or Accountable for the item (the team's RACI, else the catalogue's), else to the item's
owner. POC candidates are scored on clear business value, limited scope and an existing data
pipeline, as the playbook advises.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from app.catalogue.schema import Catalogue
from app.maturity.schema import Text
from app.roadmap.planner.plan import ActionPlan, Item, PocCandidate, PocScore, ReasonCode, Task, add_months
from app.roadmap.planner.reasons import Names, explain

QUARTER = 3
WEIGHTS = {"business_value": 0.4, "scope": 0.3, "data_pipeline": 0.3}
POC_OWNER = "product_owner"
POC_TASK = "Start the proof of concept with {name}: one model, one pipeline, measured against its KPI."
POC_TASK_JA = "{name}で PoC を始める（モデル 1 つとパイプライン 1 本に絞り、KPI で効果を測る）。"


def build(
    items: Sequence[Item], catalogue: Catalogue, start: date, candidates: Sequence[PocCandidate], names: Names
) -> ActionPlan:
    """The first quarter of the plan as tasks, with the best POC candidate named."""
    end = add_months(start, QUARTER)
    first = [i for i in items if i.start_month < QUARTER]
    tasks = [t for item in first for t in _tasks(item) if t.due < end]
    ranking = rank_pocs(candidates, names)
    best = ranking[0].candidate if ranking else None
    if best is not None:
        tasks.insert(0, _poc_task(best, catalogue, start))
    ordered = tuple(sorted(tasks, key=lambda t: (t.due, t.id)))
    return ActionPlan(start, end, tuple(i.id for i in first), ordered, ranking, best)


def rank_pocs(candidates: Sequence[PocCandidate], names: Names) -> tuple[PocScore, ...]:
    """Candidates by score, best first (ties by name)."""
    scored = [_score(c, names) for c in candidates]
    return tuple(sorted(scored, key=lambda s: (-s.score, s.candidate.name)))


def _score(candidate: PocCandidate, names: Names) -> PocScore:
    value = (min(max(candidate.business_value, 1), 5) - 1) / 4
    scope = (min(max(candidate.scope, 1), 5) - 1) / 4
    parts = {"business_value": value, "scope": scope, "data_pipeline": float(candidate.data_pipeline)}
    score = round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()), 1)
    reason = explain(
        ReasonCode.POC_SCORE,
        names,
        name=candidate.name,
        score=score,
        business_value=candidate.business_value,
        scope=candidate.scope,
        pipeline=int(candidate.data_pipeline),
    )
    return PocScore(candidate, score, reason)


def _tasks(item: Item) -> list[Task]:
    days = (item.end - item.start).days
    count = len(item.checklist)
    key_results = tuple(kr.id for kr in item.key_results)
    return [
        Task(
            id=f"{item.id}/{entry.id}",
            item_id=item.id,
            text=entry.text,
            owner_role=task_owner(item, entry.role),
            due=item.start + timedelta(days=days * (n + 1) // count - 1),
            key_result_ids=key_results,
            checklist_item_id=entry.id,
        )
        for n, entry in enumerate(item.checklist)
    ]


def task_owner(item: Item, role: str | None) -> str:
    """A checklist entry's own role if it is Responsible or Accountable for the item, else the
    item's first Responsible role, else its Accountable role."""
    if role and (role in item.owner_roles or role == item.accountable):
        return role
    return item.owner_roles[0] if item.owner_roles else item.accountable or ""


def _poc_task(best: PocCandidate, catalogue: Catalogue, start: date) -> Task:
    owner = POC_OWNER if any(r.id == POC_OWNER for r in catalogue.roles) else catalogue.roles[0].id
    text = Text(en=POC_TASK.format(name=best.name), ja=POC_TASK_JA.format(name=best.name))
    return Task("poc", None, text, owner, start + timedelta(days=13), (), None)
