"""Roadmaps: generate from the latest assessment of each capability (or one the manager chooses), replay
the manager's edits, track item status.

Services take a session and keyword arguments and only flush; the request or job commits.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, defer, joinedload

from app.assessments import scoring
from app.assessments import service as assessments_service
from app.assessments import view as assessment_results
from app.assessments.targets import service as targets
from app.audit import service as audit_service
from app.catalogue.loader import builtin_catalogue
from app.db import in_savepoint
from app.errors import BadInput, Conflict, NotFound
from app.evidence import summary as evidence_summary
from app.i18n import N_
from app.kit.lru import Lru
from app.maturity.schema import Text
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ItemStatus,
    Membership,
    Roadmap,
    RoadmapEdit,
    RoadmapItemStatus,
    RoadmapVersion,
    Team,
    User,
)
from app.roadmap.planner import snapshot
from app.roadmap.planner.gaps import gaps_from, latest_per_capability
from app.roadmap.planner.generate import Moved, PlanDiff, PlanInput, diff, generate
from app.roadmap.planner.plan import Drop, Edit, EvidenceFact, Pin, Plan, PocCandidate
from app.teams import capacity, coverage
from app.teams.raci import service as raci_service

PLANNER_MODEL = "mlops-full"  # the catalogue's capability ids are this model's (others share some)


@dataclass(frozen=True)
class Source:
    """An assessment a plan took capability levels from, and which capabilities it gave."""

    assessment_id: int | None
    model: str  # the maturity model's slug
    period: str
    capabilities: tuple[str, ...]


def sources_of(inputs: dict[str, Any]) -> list[Source]:
    """The assessments a version's plan came from, newest first."""
    stored = inputs.get("sources")
    if stored is None:  # versions from before per-capability sources came from one assessment
        single = (*inputs["gaps"], *inputs.get("unanswered", ()))
        return [Source(inputs.get("assessment_id"), inputs["model"], inputs["period"], tuple(single))]
    return [Source(s["assessment_id"], s["model"], s["period"], tuple(s["capabilities"])) for s in stored]


@dataclass(frozen=True)
class RoadmapView:
    """Everything the roadmap pages show: the plan as it stands now, with statuses and the edits."""

    roadmap: Roadmap
    version: RoadmapVersion
    plan: Plan
    edits: tuple[RoadmapEdit, ...]
    statuses: dict[str, RoadmapItemStatus]

    @property
    def pinned(self) -> set[str]:
        return {e.item_id for e in self.edits if e.kind == "pin"}

    @property
    def sources(self) -> list[Source]:
        return sources_of(self.version.inputs)

    @property
    def chosen(self) -> bool:
        """Whether the manager chose the assessment, rather than the latest of each capability."""
        return bool(self.version.inputs.get("chosen", False))

    def source_of(self, capability_id: str | None) -> Source | None:
        """The assessment the capability's current level came from (None: not assessed)."""
        return next((s for s in self.sources if capability_id in s.capabilities), None)

    def status(self, item_id: str) -> str:
        row = self.statuses.get(item_id)
        return row.status if row else ItemStatus.PLANNED.value

    def progress(self, item_id: str) -> int:
        row = self.statuses.get(item_id)
        if row is None:
            return 0
        return 100 if row.status == ItemStatus.DONE else row.progress

    def rollup(self, item_ids: Sequence[str] | None = None) -> int:
        """Progress in percent over items (all by default), weighted by their effort."""
        items = [i for i in self.plan.items if item_ids is None or i.id in item_ids]
        total = sum(i.effort_pw for i in items)
        done = sum(i.effort_pw * self.progress(i.id) for i in items)
        return round(done / total) if total else 0


def get(session: Session, *, team_id: int) -> Roadmap | None:
    """The team's roadmap, if one was generated."""
    return session.scalars(select(Roadmap).where(Roadmap.team_id == team_id)).first()


def submitted_assessments(session: Session, *, team_id: int) -> list[Assessment]:
    """The team's submitted assessments (any model) with their model loaded, newest first."""
    return list(
        session.scalars(
            select(Assessment)
            .options(joinedload(Assessment.model))
            .where(Assessment.team_id == team_id, Assessment.status == AssessmentStatus.SUBMITTED)
            .order_by(Assessment.period.desc(), Assessment.submitted_at.desc(), Assessment.id.desc())
        )
    )


def source_assessment(session: Session, *, team_id: int) -> Assessment | None:
    """The team's newest submitted assessment (any model), if there is one."""
    return next(iter(submitted_assessments(session, team_id=team_id)), None)


@in_savepoint  # an error leaves nothing behind; the page shows it
def generate_for_team(
    session: Session, *, team: Team, user: User, now: datetime, assessment_id: int | None = None
) -> Roadmap:
    """Generate the roadmap (or a new version of it) from the latest submitted assessment of each
    capability, or only from the assessment `assessment_id` when the manager chose one."""
    found = submitted_assessments(session, team_id=team.id)
    if not found:
        raise Conflict(N_("Submit an assessment first: the roadmap is built from its gaps."))
    if assessment_id is not None:
        found = [a for a in found if a.id == assessment_id]
        if not found:
            raise BadInput(N_("Choose one of the team's submitted assessments."), field="source")
    roadmap = get(session, team_id=team.id)
    inputs = _inputs(session, team=team, assessments=found, chosen=assessment_id is not None)
    if roadmap is None:
        roadmap = Roadmap(team_id=team.id, start_date=date(now.year, now.month, 1), current_version=0)
        session.add(roadmap)
        session.flush()
    edits = _edit_rows(session, roadmap.id)
    plan = _plan(roadmap, inputs, edits)
    previous = _version(session, roadmap) if roadmap.current_version else None
    change = diff(_plan(roadmap, previous.inputs, edits), plan) if previous else None
    roadmap.current_version += 1
    roadmap.assessment_id = inputs["assessment_id"]
    version = RoadmapVersion(
        roadmap_id=roadmap.id,
        number=roadmap.current_version,
        generated_at=now,
        assessment_id=inputs["assessment_id"],
        inputs=inputs,
        plan=snapshot.plan_json(plan),
        diff=snapshot.jsonable(change) if change else {},
    )
    session.add(version)
    action = "roadmap.regenerate" if previous else "roadmap.generate"
    after = {
        "version": version.number,
        "assessment_id": inputs["assessment_id"],
        "sources": [s["assessment_id"] for s in inputs["sources"]],
        "items": len(plan.items),
    }
    audit_service.record(
        session, actor=user, action=action, object_type="roadmap", object_id=team.id, after=after
    )
    session.flush()
    return roadmap


def _inputs(
    session: Session, *, team: Team, assessments: Sequence[Assessment], chosen: bool
) -> dict[str, Any]:
    """The planner's input: each capability's gap from the newest of `assessments` that levels it."""
    catalogue = builtin_catalogue()
    results = assessments_service.results_for(session, assessments=assessments)
    goals = targets.levels_of_teams(
        session,
        organisation_id=team.organisation_id,
        team_ids=[team.id],
        slugs={a.model.slug for a in assessments},
    )
    each = [
        gaps_from(results[a.id], catalogue, goals[(team.id, a.model.slug)], targets.DEFAULT_TARGET)
        for a in assessments
    ]
    found, origin = latest_per_capability(each, catalogue)
    used = sorted(set(origin.values()))
    primary = assessments[used[0]] if used else assessments[0]
    why = _not_applicable_reasons(session, assessments=assessments, results=results, origin=origin)
    members = session.scalars(select(Membership).where(Membership.team_id == team.id)).all()
    pairs = [(m.team_roles, m.capacity) for m in members]
    return {
        "assessment_id": primary.id,  # the newest assessment the plan took levels from
        "model": primary.model.slug,
        "period": primary.period,
        "sources": [_source(assessments[i], [c for c, n in origin.items() if n == i]) for i in used]
        or [_source(primary, [])],
        "chosen": chosen,
        "gaps": {k: list(v) for k, v in found.gaps.items()},
        "unanswered": list(found.unanswered),
        "not_assessed": list(found.not_assessed),
        "not_applicable": {c: why.get(c, []) for c in found.not_applicable},  # with the team's reasons
        "capacity": [capacity.team_person_weeks_per_month(m.capacity for m in members)],
        "improvement_share": team.improvement_share,
        "team_roles": {row.role: row.capacity for row in coverage.coverage(pairs)},
        "raci": team_raci(session, team=team),
        "evidence": _evidence(session, team=team, assessments=assessments, origin=origin, gaps=found.gaps),
    }


def _evidence(
    session: Session,
    *,
    team: Team,
    assessments: Sequence[Assessment],
    origin: dict[str, int],
    gaps: dict[str, tuple[int, int]],
) -> dict[str, dict[str, Any]]:
    """Per capability with a gap, what the evidence said where it decided or contradicts the level, in
    the assessment the level came from (kept in the version's inputs: the plan cites it as it was)."""
    used = sorted({origin[c] for c in gaps if c in origin})
    ids = [assessments[i].id for i in used]
    rows = session.scalars(select(Answer).where(Answer.assessment_id.in_(ids))).all() if ids else []
    assessed = [
        evidence_summary.Assessed(
            assessments[i].id,
            team.id,
            assessments_service.model_of(assessments[i]),
            [r for r in rows if r.assessment_id == assessments[i].id],
        )
        for i in used
    ]
    found = evidence_summary.for_assessments(session, assessed=assessed)
    facts = {}
    for capability_id in gaps:
        summary = (
            found[assessments[origin[capability_id]].id].of(capability_id)
            if capability_id in origin
            else None
        )
        fact = _fact(summary) if summary is not None else None
        if fact is not None:
            facts[capability_id] = fact
    return facts


def _fact(summary: evidence_summary.CapabilitySummary) -> dict[str, Any] | None:
    """The evidence's part in a capability's level as plain values, or None when it played none."""
    disagreement = next((q.disagreement for q in summary.open if q.disagreement is not None), None)
    findings = disagreement.findings if disagreement is not None else summary.evidence.findings
    if not findings or not (summary.from_evidence or disagreement is not None):
        return None
    observations = {(o.key, o.source_id): o for f in findings for o in f.observations}.values()
    return {
        "says": {
            "en": "; ".join(f.rule.says.en for f in findings),
            "ja": "、".join(f.rule.says.ja for f in findings),
        },
        "sources": ", ".join(dict.fromkeys(o.source_name for o in observations)),
        "synced": min(o.observed_at for o in observations).date().isoformat(),
        "from_evidence": bool(summary.from_evidence),
        "answered": disagreement.answered if disagreement is not None else None,
        "suggested": disagreement.suggested if disagreement is not None else None,
    }


def _not_applicable_reasons(
    session: Session,
    *,
    assessments: Sequence[Assessment],
    results: dict[int, scoring.Results],
    origin: dict[str, int],
) -> dict[str, list[str]]:
    """The team's reasons for each capability marked not applicable in the assessment it came from."""
    marked = session.scalars(
        select(Answer).where(
            Answer.assessment_id.in_([a.id for a in assessments]), Answer.not_applicable.is_(True)
        )
    ).all()
    why: dict[str, list[str]] = {}
    for index, assessment in enumerate(assessments):
        model = assessments_service.model_of(assessment)
        reasons = {a.question_id: a.na_reason.strip() for a in marked if a.assessment_id == assessment.id}
        for skipped in assessment_results.not_applicable(model, results[assessment.id], reasons):
            if origin.get(skipped.capability.id) == index:
                why[skipped.capability.id] = list(skipped.reasons)
    return why


def _source(assessment: Assessment, capabilities: list[str]) -> dict[str, Any]:
    return {
        "assessment_id": assessment.id,
        "model": assessment.model.slug,
        "period": assessment.period,
        "capabilities": capabilities,
    }


def team_raci(session: Session, *, team: Team) -> dict[str, dict[str, str]]:
    """The team's RACI rows for the catalogue's capabilities, once it has edited its matrix (else none:
    the catalogue's defaults apply). Matrix rows the catalogue lacks are left out: no item has them."""
    matrix = raci_service.matrix(session, team=team)
    if not matrix.customised:
        return {}
    known = {c.id for c in builtin_catalogue().capabilities}
    return {capability: dict(row) for capability, row in matrix.cells.items() if capability in known}


def raci_changed(session: Session, *, view: RoadmapView, team: Team) -> bool:
    """Whether the team's RACI differs from the one the current version was generated with."""
    return bool(view.version.inputs.get("raci", {}) != team_raci(session, team=team))


def _plan(roadmap: Roadmap, inputs: dict[str, Any], edits: Sequence[RoadmapEdit]) -> Plan:
    """The plan for these inputs and edits; generation is deterministic, so a plan already made for
    exactly the same content in this process is reused (pages over many teams replay every plan)."""
    content = [
        inputs,
        [(e.kind, e.item_id, e.params) for e in edits],
        roadmap.poc_candidates,
        roadmap.start_date,
    ]
    key = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).digest()
    plan = _plans.get(key)
    if plan is None:
        plan = _generate(roadmap, inputs, edits)
        _plans.put(key, plan)
    return plan


PLANS_KEPT = 512  # a few hundred kB each at most; plenty for every team of a large organisation
_plans: Lru[bytes, Plan] = Lru(PLANS_KEPT)


def _generate(roadmap: Roadmap, inputs: dict[str, Any], edits: Sequence[RoadmapEdit]) -> Plan:
    return generate(
        PlanInput(
            gaps={k: (int(v[0]), int(v[1])) for k, v in inputs["gaps"].items()},
            catalogue=builtin_catalogue(),
            capacity_pw_per_month=inputs["capacity"],
            start=roadmap.start_date,
            team_roles=inputs["team_roles"],
            team_raci=inputs.get("raci", {}),  # versions from before team RACI have none
            edits=[snapshot.edit_from(e.kind, e.item_id, e.params) for e in edits],
            poc_candidates=[PocCandidate(**c) for c in roadmap.poc_candidates or []],
            # Versions from before the share was kept booked the whole capacity.
            improvement_share=inputs.get("improvement_share", 1.0),
            # Versions from before live evidence cite none.
            evidence={c: _evidence_fact(f) for c, f in inputs.get("evidence", {}).items()},
        )
    )


def _evidence_fact(stored: dict[str, Any]) -> EvidenceFact:
    return EvidenceFact(
        says=Text(**stored["says"]),
        sources=stored["sources"],
        synced=stored["synced"],
        from_evidence=stored["from_evidence"],
        answered=stored["answered"],
        suggested=stored["suggested"],
    )


def _edit_rows(session: Session, roadmap_id: int) -> list[RoadmapEdit]:
    query = select(RoadmapEdit).where(RoadmapEdit.roadmap_id == roadmap_id).order_by(RoadmapEdit.id)
    return list(session.scalars(query))


def _version(session: Session, roadmap: Roadmap, number: int | None = None) -> RoadmapVersion:
    wanted = roadmap.current_version if number is None else number
    row = session.scalars(
        select(RoadmapVersion).where(RoadmapVersion.roadmap_id == roadmap.id, RoadmapVersion.number == wanted)
    ).first()
    if row is None:
        raise NotFound
    return row


def view(session: Session, *, roadmap: Roadmap) -> RoadmapView:
    """The current plan: the current version's inputs with today's edits replayed, and statuses."""
    return views(session, roadmaps=[roadmap])[roadmap.id]


def current_plan(session: Session, *, team_id: int) -> tuple[Roadmap, Plan]:
    """The team's roadmap and its plan with today's edits (409 before a roadmap exists)."""
    roadmap = get(session, team_id=team_id)
    if roadmap is None:
        raise Conflict(N_("Generate the roadmap first."))
    return roadmap, view(session, roadmap=roadmap).plan


def views(session: Session, *, roadmaps: Sequence[Roadmap]) -> dict[int, RoadmapView]:
    """`view` for several roadmaps (reports over many teams) in three queries whatever their number."""
    ids = [r.id for r in roadmaps]
    if not ids:
        return {}
    current = (RoadmapVersion.roadmap_id == Roadmap.id) & (RoadmapVersion.number == Roadmap.current_version)
    # The stored plan and diff are large JSON a view never reads (it replays inputs and edits).
    unread = (defer(RoadmapVersion.plan), defer(RoadmapVersion.diff))
    found = select(RoadmapVersion).options(*unread).join(Roadmap, current).where(Roadmap.id.in_(ids))
    by_roadmap = {v.roadmap_id: v for v in session.scalars(found)}
    edits: dict[int, list[RoadmapEdit]] = {i: [] for i in ids}
    query = select(RoadmapEdit).where(RoadmapEdit.roadmap_id.in_(ids)).order_by(RoadmapEdit.id)
    for edit in session.scalars(query):
        edits[edit.roadmap_id].append(edit)
    statuses: dict[int, dict[str, RoadmapItemStatus]] = {i: {} for i in ids}
    for row in session.scalars(select(RoadmapItemStatus).where(RoadmapItemStatus.roadmap_id.in_(ids))):
        statuses[row.roadmap_id][row.item_id] = row
    out = {}
    for roadmap in roadmaps:
        version = by_roadmap.get(roadmap.id)
        if version is None:
            raise NotFound
        plan = _plan(roadmap, version.inputs, edits[roadmap.id])
        out[roadmap.id] = RoadmapView(roadmap, version, plan, tuple(edits[roadmap.id]), statuses[roadmap.id])
    return out


def views_of_teams(session: Session, *, team_ids: Collection[int]) -> dict[int, RoadmapView]:
    """`view` of each of these teams' roadmaps (team id → view), in four queries however many teams."""
    roadmaps = session.scalars(select(Roadmap).where(Roadmap.team_id.in_(team_ids))).all()
    return {v.roadmap.team_id: v for v in views(session, roadmaps=roadmaps).values()}


def versions(session: Session, *, roadmap: Roadmap) -> list[RoadmapVersion]:
    """Every version, newest first."""
    query = select(RoadmapVersion).where(RoadmapVersion.roadmap_id == roadmap.id)
    return list(session.scalars(query.order_by(RoadmapVersion.number.desc())))


def version(session: Session, *, roadmap: Roadmap, number: int) -> RoadmapVersion:
    """One version by number (404 when there is none)."""
    return _version(session, roadmap, number)


@in_savepoint  # an error leaves nothing behind; the page shows it
def add_edit(session: Session, *, roadmap: Roadmap, edit: Edit, user: User) -> None:
    """Record a decision (replacing an earlier one of the same kind for the item) and re-plan."""
    kind = snapshot.KIND_OF[type(edit)]
    existing = _edit_rows(session, roadmap.id)
    kept = [e for e in existing if not (e.kind == kind and e.item_id == edit.item_id)]
    row = RoadmapEdit(
        roadmap_id=roadmap.id,
        kind=kind,
        item_id=edit.item_id,
        params=snapshot.edit_params(edit),
        created_by_id=user.id,
    )
    _replan(session, roadmap, [*kept, row])  # refuses a bad edit before anything is written
    session.execute(
        delete(RoadmapEdit).where(
            RoadmapEdit.roadmap_id == roadmap.id,
            RoadmapEdit.kind == kind,
            RoadmapEdit.item_id == edit.item_id,
        )
    )
    session.add(row)
    audit_service.record(
        session,
        actor=user,
        action="roadmap.edit",
        object_type="roadmap_item",
        object_id=f"{roadmap.team_id}/{edit.item_id}",
        after={"kind": kind, **row.params},
    )
    session.flush()


@in_savepoint  # an error leaves nothing behind; the page shows it
def undo_edit(session: Session, *, roadmap: Roadmap, item_id: str, kind: str, user: User) -> None:
    """Take back a decision (unpin, restore a dropped item, remove a custom item) and re-plan."""
    rows = [e for e in _edit_rows(session, roadmap.id) if e.item_id == item_id and e.kind == kind]
    if not rows:
        raise BadInput(N_("There is no such change to undo."), field="item_id")
    for row in rows:
        session.delete(row)
    session.flush()
    _replan(session, roadmap, _edit_rows(session, roadmap.id))
    audit_service.record(
        session,
        actor=user,
        action="roadmap.edit.undo",
        object_type="roadmap_item",
        object_id=f"{roadmap.team_id}/{item_id}",
        before={"kind": kind},
    )


def _replan(session: Session, roadmap: Roadmap, edits: Sequence[RoadmapEdit]) -> None:
    """Store the plan as edited in the current version's snapshot (a bad edit raises BadInput)."""
    version = _version(session, roadmap)
    try:
        plan = _plan(roadmap, version.inputs, edits)
    except ValueError as error:
        raise BadInput(
            N_("That change does not fit the plan: %(why)s"), field="edit", why=str(error)
        ) from error
    version.plan = snapshot.plan_json(plan)


def pin_where_it_is(plan: Plan, item_id: str) -> Pin:
    """A pin that keeps the item at its current months."""
    item = plan.item(item_id)
    if item is None:
        raise BadInput(N_("That item is not in the plan."), field="item_id")
    return Pin(item_id, item.start_month, item.end_month)


def drop(item_id: str) -> Drop:
    return Drop(item_id)


def new_custom_id() -> str:
    return f"custom-{secrets.token_hex(3)}"


@in_savepoint  # an error leaves nothing behind; the page shows it
def set_status(
    session: Session,
    *,
    roadmap: Roadmap,
    item_id: str,
    status: str,
    progress: int | None,
    user: User,
    now: datetime,
) -> RoadmapItemStatus:
    """Set an item's status and progress (done means 100 %)."""
    if status not in set(ItemStatus):
        raise BadInput(N_("Choose a status."), field="status")
    if progress is not None and not 0 <= progress <= 100:
        raise BadInput(N_("Progress is a percentage from 0 to 100."), field="progress")
    row = session.scalars(
        select(RoadmapItemStatus).where(
            RoadmapItemStatus.roadmap_id == roadmap.id, RoadmapItemStatus.item_id == item_id
        )
    ).first()
    before = {"status": row.status, "progress": row.progress} if row else None
    if row is None:
        row = RoadmapItemStatus(roadmap_id=roadmap.id, item_id=item_id, progress=0)
        session.add(row)
    row.status = status
    row.progress = 100 if status == ItemStatus.DONE else (row.progress if progress is None else progress)
    row.updated_by_id, row.updated_at = user.id, now
    audit_service.record(
        session,
        actor=user,
        action="roadmap.status",
        object_type="roadmap_item",
        object_id=f"{roadmap.team_id}/{item_id}",
        before=before,
        after={"status": row.status, "progress": row.progress},
    )
    session.flush()
    return row


@in_savepoint  # an error leaves nothing behind; the page shows it
def set_poc_candidates(
    session: Session, *, roadmap: Roadmap, candidates: Sequence[PocCandidate], user: User
) -> None:
    """Replace the POC candidates the action plan ranks."""
    roadmap.poc_candidates = [snapshot.jsonable(c) for c in candidates]
    _replan(session, roadmap, _edit_rows(session, roadmap.id))
    audit_service.record(
        session,
        actor=user,
        action="roadmap.poc",
        object_type="roadmap",
        object_id=roadmap.team_id,
        after={"candidates": roadmap.poc_candidates},
    )
    session.flush()


def last_diff(version: RoadmapVersion) -> PlanDiff | None:
    """The stored change summary of a version (None for the first)."""
    data = version.diff
    if not data:
        return None
    moved = tuple(Moved(m["item_id"], (*m["before"],), (*m["after"],)) for m in data["moved"])
    return PlanDiff(
        tuple(data["added"]),
        tuple(data["removed"]),
        moved,
        tuple(data["resized"]),
        tuple(data["now_done"]),
        tuple(data["now_beyond"]),
    )
