"""Read the whole organisation into an export document: one query per table, whatever the data size."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from app import models as m
from app.models.base import Base
from app.transfer import document as d
from app.transfer import refs

R = TypeVar("R", bound=Base)


def export(session: Session, *, now: datetime) -> d.OrganisationExport:
    """The organisation as a document: teams sorted by slug, people by e-mail, history in time order."""
    names = refs.Names.load(session)
    teams = session.scalars(select(m.Team).order_by(m.Team.slug)).all()
    per_team = _Rows(session)
    organisation = session.scalars(select(m.Organisation).order_by(m.Organisation.id)).first()
    return d.OrganisationExport(
        format=d.FORMAT,
        format_version=d.FORMAT_VERSION,
        exported_at=now,
        organisation=_organisation(organisation) if organisation is not None else None,
        people=[_person(u) for u in sorted(names.users.values(), key=lambda u: u.email)],
        maturity_models=_models(session),
        targets=[_target(t) for t in per_team.of(m.Target, None)],
        teams=[_team(t, per_team, names) for t in teams],
        audit_log=_audit(session, names),
        org_objectives=[_org_objective(o, names) for o in names.org_objective_rows],
    )


def _org_objective(row: m.OrgObjective, names: refs.Names) -> d.OrgObjective:
    return d.OrgObjective(
        period=row.period,
        title=row.title,
        description=row.description,
        owner=names.email(row.owner_id),
        position=row.position,
        created_by=names.email(row.created_by_id),
        created_at=row.created_at,
    )


def _organisation(row: m.Organisation) -> d.Organisation:
    return d.Organisation(name=row.name, default_locale=row.default_locale, created_at=row.created_at)


def _person(row: m.User) -> d.Person:
    return d.Person(
        email=row.email,
        name=row.name,
        role=row.role,
        locale=row.locale,
        timezone=row.timezone,
        is_active=row.is_active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def _models(session: Session) -> list[d.ModelVersion]:
    rows = session.scalars(
        select(m.MaturityModelVersion)
        .options(undefer(m.MaturityModelVersion.content))
        .order_by(m.MaturityModelVersion.slug, m.MaturityModelVersion.version)
    ).all()
    return [
        d.ModelVersion(
            slug=r.slug,
            version=r.version,
            name_en=r.name_en,
            name_ja=r.name_ja,
            content=r.content,
            content_hash=r.content_hash,
            is_builtin=r.is_builtin,
        )
        for r in rows
    ]


def _target(row: m.Target) -> d.Target:
    return d.Target(model=row.model_slug, dimension=row.dimension_id, level=row.level)


# Each table a team owns: the order its rows take in the document, and the column naming their owner.
GROUPED: dict[type[Base], tuple[tuple[Any, ...], str]] = {
    m.Target: ((m.Target.model_slug, m.Target.dimension_id), "team_id"),
    m.Membership: ((m.Membership.id,), "team_id"),
    m.RaciAssignment: ((m.RaciAssignment.capability_id, m.RaciAssignment.team_role), "team_id"),
    m.Assessment: ((m.Assessment.period, m.Assessment.id), "team_id"),
    m.Answer: ((m.Answer.question_id,), "assessment_id"),
    m.EvidenceReview: ((m.EvidenceReview.created_at, m.EvidenceReview.id), "assessment_id"),
    m.Roadmap: ((m.Roadmap.id,), "team_id"),
    m.RoadmapVersion: ((m.RoadmapVersion.number,), "roadmap_id"),
    m.RoadmapEdit: ((m.RoadmapEdit.id,), "roadmap_id"),
    m.RoadmapItemStatus: ((m.RoadmapItemStatus.item_id,), "roadmap_id"),
    m.ChecklistTick: ((m.ChecklistTick.item_id, m.ChecklistTick.entry_id), "roadmap_id"),
    m.ChecklistUntick: ((m.ChecklistUntick.item_id, m.ChecklistUntick.entry_id), "roadmap_id"),
    m.Objective: ((m.Objective.period, m.Objective.position, m.Objective.id), "team_id"),
    m.KeyResult: ((m.KeyResult.position, m.KeyResult.id), "objective_id"),
    m.CheckIn: ((m.CheckIn.id,), "key_result_id"),
    m.Source: ((m.Source.id,), "team_id"),
    m.SyncRun: ((m.SyncRun.id,), "source_id"),
    m.SignalValue: ((m.SignalValue.id,), "sync_run_id"),
    m.ChecklistEntryState: (
        (m.ChecklistEntryState.source, m.ChecklistEntryState.list_id, m.ChecklistEntryState.entry_id),
        "team_id",
    ),
    m.LearningSession: ((m.LearningSession.held_on, m.LearningSession.id), "team_id"),
    m.LearningAttendee: ((m.LearningAttendee.user_id,), "session_id"),
    m.QuarterlyReview: ((m.QuarterlyReview.period, m.QuarterlyReview.version), "team_id"),
}


class _Rows:
    """Every team-owned row, read with one query per table and grouped by the row's owner."""

    def __init__(self, session: Session) -> None:
        self.groups: dict[type[Base], dict[int | None, list[Any]]] = {}
        for model, (order, owner) in GROUPED.items():
            grouped: dict[int | None, list[Any]] = defaultdict(list)
            for row in session.scalars(select(model).order_by(*order)):
                grouped[getattr(row, owner)].append(row)
            self.groups[model] = grouped
        self.key_results = self._key_results()

    def _key_results(self) -> dict[int, d.KeyResultKey]:
        """Each key result's natural key, from the objectives and key results already read."""
        objectives = {o.id: o for group in self.groups[m.Objective].values() for o in group}
        return {
            k.id: d.KeyResultKey(period=o.period, objective=o.title, key_result=k.title)
            for objective_id, group in self.groups[m.KeyResult].items()
            if (o := objectives.get(objective_id)) is not None
            for k in group
        }

    def of(self, model: type[R], owner_id: int | None) -> list[R]:
        return self.groups[model].get(owner_id, [])


def _team(team: m.Team, rows: _Rows, names: refs.Names) -> d.Team:
    roadmap = next(iter(rows.of(m.Roadmap, team.id)), None)
    return d.Team(
        slug=team.slug,
        name=team.name,
        description=team.description,
        improvement_share=team.improvement_share,
        created_at=team.created_at,
        members=[
            d.Member(
                email=names.email(r.user_id) or "",
                access=r.access,
                team_roles=list(r.team_roles),
                capacity=r.capacity,
                created_at=r.created_at,
            )
            for r in rows.of(m.Membership, team.id)
        ],
        raci=[
            d.RaciCell(capability=r.capability_id, team_role=r.team_role, letter=r.letter)
            for r in rows.of(m.RaciAssignment, team.id)
        ],
        targets=[_target(t) for t in rows.of(m.Target, team.id)],
        assessments=[_assessment(a, rows, names) for a in rows.of(m.Assessment, team.id)],
        roadmap=_roadmap(roadmap, rows, names) if roadmap is not None else None,
        objectives=[_objective(o, rows, names) for o in rows.of(m.Objective, team.id)],
        sources=[_source(s, rows, names) for s in rows.of(m.Source, team.id)],
        checklist_states=[_checklist_state(s, names) for s in rows.of(m.ChecklistEntryState, team.id)],
        learning_log=[_learning(s, rows, names) for s in rows.of(m.LearningSession, team.id)],
        quarterly_reviews=[_quarterly(r, rows, names) for r in rows.of(m.QuarterlyReview, team.id)],
    )


def _assessment(row: m.Assessment, rows: _Rows, names: refs.Names) -> d.Assessment:
    model_slug, model_version = names.models[row.model_id]
    return d.Assessment(
        model=model_slug,
        model_version=model_version,
        period=row.period,
        status=row.status,
        created_by=names.email(row.created_by_id),
        created_at=row.created_at,
        copied_from=names.assessment(row.copied_from_id),
        submitted_by=names.email(row.submitted_by_id),
        submitted_at=row.submitted_at,
        answers=[_answer(a, names) for a in rows.of(m.Answer, row.id)],
        evidence_reviews=[_review(r, names) for r in rows.of(m.EvidenceReview, row.id)],
    )


def _answer(row: m.Answer, names: refs.Names) -> d.Answer:
    return d.Answer(
        question=row.question_id,
        choice=row.choice_id,
        not_applicable=row.not_applicable,
        na_reason=row.na_reason,
        note=row.note,
        evidence_links=list(row.evidence_links or []),
        carried_over=row.carried_over,
        from_evidence=row.from_evidence,
        answered_by=names.email(row.answered_by_id),
        answered_at=row.answered_at,
    )


def _review(row: m.EvidenceReview, names: refs.Names) -> d.EvidenceReview:
    return d.EvidenceReview(
        question=row.question_id,
        capability=row.capability_id,
        verdict=row.verdict,
        reason=row.reason,
        answered_level=row.answered_level,
        suggested_level=row.suggested_level,
        floor=row.floor,
        ceiling=row.ceiling,
        evidence=list(row.evidence or []),
        by=names.email(row.user_id),
        created_at=row.created_at,
    )


def _roadmap(row: m.Roadmap, rows: _Rows, names: refs.Names) -> d.Roadmap:
    return d.Roadmap(
        start_date=row.start_date,
        current_version=row.current_version,
        assessment=names.assessment(row.assessment_id),
        poc_candidates=list(row.poc_candidates or []),
        created_at=row.created_at,
        versions=[
            d.RoadmapVersion(
                number=v.number,
                generated_at=v.generated_at,
                assessment=names.assessment(v.assessment_id),
                inputs=refs.inputs_out(v.inputs, names),
                plan=v.plan,
                diff=v.diff or {},
            )
            for v in rows.of(m.RoadmapVersion, row.id)
        ],
        edits=[
            d.RoadmapEdit(
                kind=e.kind,
                item=e.item_id,
                params=e.params or {},
                by=names.email(e.created_by_id),
                created_at=e.created_at,
            )
            for e in rows.of(m.RoadmapEdit, row.id)
        ],
        statuses=[
            d.ItemStatus(
                item=s.item_id,
                status=s.status,
                progress=s.progress,
                by=names.email(s.updated_by_id),
                updated_at=s.updated_at,
            )
            for s in rows.of(m.RoadmapItemStatus, row.id)
        ],
        checklist_ticks=[
            d.ChecklistTick(
                item=t.item_id,
                entry=t.entry_id,
                by=names.email(t.done_by_id),
                at=t.done_at,
                by_evidence=t.by_evidence,
                evidence=t.evidence,
            )
            for t in rows.of(m.ChecklistTick, row.id)
        ],
        checklist_unticks=[
            d.ChecklistUntick(
                item=u.item_id,
                entry=u.entry_id,
                by=names.email(u.undone_by_id),
                at=u.undone_at,
                evidence=u.evidence,
            )
            for u in rows.of(m.ChecklistUntick, row.id)
        ],
    )


def _objective(row: m.Objective, rows: _Rows, names: refs.Names) -> d.Objective:
    return d.Objective(
        period=row.period,
        title=row.title,
        description=row.description,
        catalogue_id=row.catalogue_id,
        position=row.position,
        created_by=names.email(row.created_by_id),
        created_at=row.created_at,
        key_results=[_key_result(k, rows, names) for k in rows.of(m.KeyResult, row.id)],
        owner=names.email(row.owner_id),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        org_objective=names.org_objective(row.org_objective_id),
        reopened_at=row.reopened_at,
    )


def _key_result(row: m.KeyResult, rows: _Rows, names: refs.Names) -> d.KeyResult:
    return d.KeyResult(
        title=row.title,
        kind=row.kind,
        start_value=row.start_value,
        target_value=row.target_value,
        unit=row.unit,
        catalogue_id=row.catalogue_id,
        signal=row.signal,
        roadmap_item=row.roadmap_item_id,
        owner=names.email(row.owner_id),
        position=row.position,
        current_value=row.current_value,
        confidence=row.confidence,
        checked_in_at=row.checked_in_at,
        check_ins=[
            d.CheckIn(
                value=c.value,
                confidence=c.confidence,
                note=c.note,
                source=c.source,
                client_token=c.client_token,
                by=names.email(c.created_by_id),
                created_at=c.created_at,
            )
            for c in rows.of(m.CheckIn, row.id)
        ],
        direction=row.direction,
        due_on=row.due_on,
    )


def _source(row: m.Source, rows: _Rows, names: refs.Names) -> d.Source:
    return d.Source(
        kind=row.kind,
        name=row.name,
        url=row.url,
        branch=row.branch,
        experiment_filter=row.experiment_filter,
        enabled=row.enabled,
        state=row.state,
        tested_at=row.tested_at,
        test_status=row.test_status,
        test_message=row.test_message,
        created_by=names.email(row.created_by_id),
        created_at=row.created_at,
        runs=[
            d.SyncRun(
                started_at=r.started_at,
                finished_at=r.finished_at,
                status=r.status,
                error_kind=r.error_kind,
                error_message=r.error_message,
                counts=r.counts or {},
                duration_ms=r.duration_ms,
                signals=[
                    d.Signal(
                        key=s.key,
                        value=s.value,
                        unit=s.unit,
                        detail=s.detail or {},
                        url=s.url,
                        observed_at=s.observed_at,
                    )
                    for s in rows.of(m.SignalValue, r.id)
                ],
            )
            for r in rows.of(m.SyncRun, row.id)
        ],
    )


def _checklist_state(row: m.ChecklistEntryState, names: refs.Names) -> d.ChecklistState:
    return d.ChecklistState(
        source=row.source,
        checklist=row.list_id,
        entry=row.entry_id,
        status=row.status,
        na_reason=row.na_reason,
        owner=names.email(row.owner_id),
        due=row.due,
        note=row.note,
        link=row.link,
        done=row.done,
        done_by_evidence=row.done_by_evidence,
        kept_undone=row.kept_undone,
        evidence=row.evidence,
        by=names.email(row.changed_by_id),
        changed_at=row.changed_at,
    )


def _learning(row: m.LearningSession, rows: _Rows, names: refs.Names) -> d.LearningSession:
    attendees = (names.email(a.user_id) for a in rows.of(m.LearningAttendee, row.id))
    return d.LearningSession(
        held_on=row.held_on,
        kind=row.kind,
        topic=row.topic,
        lessons=row.lessons,
        led_to_item=row.led_to_item,
        led_to_entry=refs.entry_key(row.led_to_entry),
        attendees=sorted(email for email in attendees if email is not None),
        created_by=names.email(row.created_by_id),
        created_at=row.created_at,
        updated_by=names.email(row.updated_by_id),
        updated_at=row.updated_at,
    )


def _quarterly(row: m.QuarterlyReview, rows: _Rows, names: refs.Names) -> d.QuarterlyReview:
    return d.QuarterlyReview(
        period=row.period,
        version=row.version,
        went_well=row.went_well,
        bottleneck=row.bottleneck,
        patterns=list(row.patterns or []),
        actions=[
            d.ReviewAction(
                id=a["id"],
                text=a.get("text", ""),
                roadmap_item=a.get("roadmap_item_id"),
                key_result=rows.key_results.get(a["key_result_id"]) if a.get("key_result_id") else None,
            )
            for a in row.actions or []
        ],
        created_by=names.email(row.created_by_id),
        created_at=row.created_at,
    )


def _audit(session: Session, names: refs.Names) -> list[d.AuditEvent]:
    events = session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.at, m.AuditEvent.id)).all()
    return [
        d.AuditEvent(
            at=e.at,
            actor=names.email(e.actor_id),
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            before=e.before,
            after=e.after,
        )
        for e in events
    ]
