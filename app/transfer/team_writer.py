"""The rows one imported team owns, written in three passes: (1) members, RACI, targets, assessments,
OKRs, sources, checklist states, the learning log and quarterly reviews; (2) answers, evidence reviews,
copies and the roadmap, once every team's assessments exist; (3) what hangs off the roadmap and each
run's signals."""

from __future__ import annotations

from app import models as m
from app.transfer import document as d
from app.transfer import refs
from app.transfer.written import Written


class TeamWriter:
    def __init__(self, writer: Written, team: m.Team, data: d.Team) -> None:
        self.w, self.team, self.data = writer, team, data
        self.assessments: list[m.Assessment] = []
        self.runs: list[tuple[m.SyncRun, d.SyncRun]] = []
        self.roadmap: m.Roadmap | None = None

    def first(self, organisation: m.Organisation) -> None:
        """Rows that need only the team, its people and the model versions."""
        w, team, data = self.w, self.team, self.data
        w.add(self._member(x) for x in data.members)
        w.add(
            m.RaciAssignment(
                team_id=team.id, capability_id=c.capability, team_role=c.team_role, letter=c.letter
            )
            for c in data.raci
        )
        w.add(
            m.Target(
                organisation_id=organisation.id,
                team_id=team.id,
                model_slug=t.model,
                dimension_id=t.dimension,
                level=t.level,
            )
            for t in data.targets
        )
        self.assessments = [self._assessment(a) for a in data.assessments]
        w.add(self.assessments)
        for row, a in zip(self.assessments, data.assessments, strict=True):
            w.assessments[(team.slug, a.model, a.model_version, a.period)] = row.id
        objectives = [self._objective(o) for o in data.objectives]
        w.add(objectives)
        key_results: dict[tuple[str, str, str], int] = {}
        for o in objectives:  # titles may repeat: a key names the first, in the document's order
            for k in o.key_results:
                key_results.setdefault((o.period, o.title, k.title), k.id)
        w.add(self._quarterly(r, key_results) for r in data.quarterly_reviews)
        w.add(self._source(s) for s in data.sources)
        w.add(self._checklist_state(s) for s in data.checklist_states)
        w.add(self._learning(x) for x in data.learning_log)

    def second(self) -> None:
        """Answers and reviews, the copies' origins and the roadmap (its versions cite assessments)."""
        w = self.w
        for row, a in zip(self.assessments, self.data.assessments, strict=True):
            row.copied_from_id = w.assessment(a.copied_from)
            w.add(self._answer(row, x) for x in a.answers)
            w.add(self._review(row, x) for x in a.evidence_reviews)
        plan = self.data.roadmap
        if plan is not None:
            self.roadmap = m.Roadmap(
                team_id=self.team.id,
                assessment_id=w.assessment(plan.assessment),
                start_date=plan.start_date,
                current_version=plan.current_version,
                poc_candidates=plan.poc_candidates,
                created_at=plan.created_at,
            )
            w.add([self.roadmap])

    def third(self) -> None:
        """The roadmap's versions, edits, statuses and checklist, and each run's signals."""
        w, plan, roadmap = self.w, self.data.roadmap, self.roadmap
        if plan is not None and roadmap is not None:
            w.add(self._version(roadmap, v) for v in plan.versions)
            w.add(
                m.RoadmapEdit(
                    roadmap_id=roadmap.id,
                    kind=e.kind,
                    item_id=e.item,
                    params=e.params,
                    created_by_id=w.user(e.by),
                    created_at=e.created_at,
                )
                for e in plan.edits
            )
            w.add(
                m.RoadmapItemStatus(
                    roadmap_id=roadmap.id,
                    item_id=s.item,
                    status=s.status,
                    progress=s.progress,
                    updated_by_id=w.user(s.by),
                    updated_at=s.updated_at,
                )
                for s in plan.statuses
            )
            w.add(self._tick(roadmap, t) for t in plan.checklist_ticks)
            w.add(self._untick(roadmap, u) for u in plan.checklist_unticks)
        w.add(
            m.SignalValue(
                source_id=run.source_id,
                sync_run_id=run.id,
                key=s.key,
                value=s.value,
                unit=s.unit,
                detail=s.detail,
                url=s.url,
                observed_at=s.observed_at,
            )
            for run, data in self.runs
            for s in data.signals
        )

    def _member(self, x: d.Member) -> m.Membership:
        user_id = self.w.user(x.email)
        assert user_id is not None  # checked: every member is among the people
        return m.Membership(
            team_id=self.team.id,
            user_id=user_id,
            access=x.access,
            team_roles=list(x.team_roles),
            capacity=x.capacity,
            created_at=x.created_at,
        )

    def _assessment(self, a: d.Assessment) -> m.Assessment:
        return m.Assessment(
            team_id=self.team.id,
            model_id=self.w.models[(a.model, a.model_version)],
            period=a.period,
            status=a.status,
            created_by_id=self.w.user(a.created_by),
            created_at=a.created_at,
            submitted_at=a.submitted_at,
            submitted_by_id=self.w.user(a.submitted_by),
        )

    def _answer(self, assessment: m.Assessment, x: d.Answer) -> m.Answer:
        return m.Answer(
            assessment_id=assessment.id,
            question_id=x.question,
            choice_id=x.choice,
            not_applicable=x.not_applicable,
            na_reason=x.na_reason,
            note=x.note,
            evidence_links=list(x.evidence_links),
            carried_over=x.carried_over,
            from_evidence=x.from_evidence,
            answered_by_id=self.w.user(x.answered_by),
            answered_at=x.answered_at,
        )

    def _review(self, assessment: m.Assessment, x: d.EvidenceReview) -> m.EvidenceReview:
        return m.EvidenceReview(
            assessment_id=assessment.id,
            question_id=x.question,
            capability_id=x.capability,
            verdict=x.verdict,
            reason=x.reason,
            answered_level=x.answered_level,
            suggested_level=x.suggested_level,
            floor=x.floor,
            ceiling=x.ceiling,
            evidence=list(x.evidence),
            user_id=self.w.user(x.by),
            created_at=x.created_at,
        )

    def _version(self, roadmap: m.Roadmap, v: d.RoadmapVersion) -> m.RoadmapVersion:
        return m.RoadmapVersion(
            roadmap_id=roadmap.id,
            number=v.number,
            generated_at=v.generated_at,
            assessment_id=self.w.assessment(v.assessment),
            inputs=refs.inputs_in(v.inputs, self.w.assessment),
            plan=v.plan,
            diff=v.diff,
        )

    def _tick(self, roadmap: m.Roadmap, t: d.ChecklistTick) -> m.ChecklistTick:
        return m.ChecklistTick(
            roadmap_id=roadmap.id,
            item_id=t.item,
            entry_id=t.entry,
            done_by_id=self.w.user(t.by),
            done_at=t.at,
            by_evidence=t.by_evidence,
            evidence=t.evidence,
        )

    def _untick(self, roadmap: m.Roadmap, u: d.ChecklistUntick) -> m.ChecklistUntick:
        return m.ChecklistUntick(
            roadmap_id=roadmap.id,
            item_id=u.item,
            entry_id=u.entry,
            undone_by_id=self.w.user(u.by),
            undone_at=u.at,
            evidence=u.evidence,
        )

    def _objective(self, o: d.Objective) -> m.Objective:
        return m.Objective(
            team_id=self.team.id,
            period=o.period,
            title=o.title,
            description=o.description,
            catalogue_id=o.catalogue_id,
            position=o.position,
            created_by_id=self.w.user(o.created_by),
            created_at=o.created_at,
            key_results=[self._key_result(k) for k in o.key_results],
            owner_id=self.w.user(o.owner),
            starts_on=o.starts_on,
            ends_on=o.ends_on,
            org_objective_id=self.w.org_objective(o.org_objective),
            reopened_at=o.reopened_at,
        )

    def _quarterly(
        self, r: d.QuarterlyReview, key_results: dict[tuple[str, str, str], int]
    ) -> m.QuarterlyReview:
        return m.QuarterlyReview(
            team_id=self.team.id,
            period=r.period,
            version=r.version,
            went_well=r.went_well,
            bottleneck=r.bottleneck,
            patterns=list(r.patterns),
            actions=[_action(a, key_results) for a in r.actions],
            created_by_id=self.w.user(r.created_by),
            created_at=r.created_at,
        )

    def _key_result(self, k: d.KeyResult) -> m.KeyResult:
        self.w.outcome.created["key_results"] += 1
        self.w.outcome.created["check_ins"] += len(k.check_ins)
        return m.KeyResult(
            title=k.title,
            kind=k.kind,
            start_value=k.start_value,
            target_value=k.target_value,
            unit=k.unit,
            catalogue_id=k.catalogue_id,
            signal=k.signal,
            roadmap_item_id=k.roadmap_item,
            owner_id=self.w.user(k.owner),
            position=k.position,
            current_value=k.current_value,
            confidence=k.confidence,
            checked_in_at=k.checked_in_at,
            direction=k.direction,
            due_on=k.due_on,
            check_ins=[
                m.CheckIn(
                    value=c.value,
                    confidence=c.confidence,
                    note=c.note,
                    source=c.source,
                    client_token=c.client_token,
                    created_by_id=self.w.user(c.by),
                    created_at=c.created_at,
                )
                for c in k.check_ins
            ],
        )

    def _checklist_state(self, s: d.ChecklistState) -> m.ChecklistEntryState:
        return m.ChecklistEntryState(
            team_id=self.team.id,
            source=s.source,
            list_id=s.checklist,
            entry_id=s.entry,
            status=s.status,
            na_reason=s.na_reason,
            owner_id=self.w.user(s.owner),
            due=s.due,
            note=s.note,
            link=s.link,
            done=s.done,
            done_by_evidence=s.done_by_evidence,
            kept_undone=s.kept_undone,
            evidence=s.evidence,
            changed_by_id=self.w.user(s.by),
            changed_at=s.changed_at,
        )

    def _learning(self, x: d.LearningSession) -> m.LearningSession:
        attendees = [self.w.user(email) for email in x.attendees]
        self.w.outcome.created["learning_attendees"] += len(attendees)
        return m.LearningSession(
            team_id=self.team.id,
            held_on=x.held_on,
            kind=x.kind,
            topic=x.topic,
            lessons=x.lessons,
            led_to_item=x.led_to_item,
            led_to_entry=refs.entry_stored(x.led_to_entry),
            created_by_id=self.w.user(x.created_by),
            created_at=x.created_at,
            updated_by_id=self.w.user(x.updated_by),
            updated_at=x.updated_at,
            attendees=[m.LearningAttendee(user_id=u) for u in attendees if u is not None],
        )

    def _source(self, s: d.Source) -> m.Source:
        runs = [
            (
                m.SyncRun(
                    started_at=r.started_at,
                    finished_at=r.finished_at,
                    status=r.status,
                    error_kind=r.error_kind,
                    error_message=r.error_message,
                    counts=dict(r.counts),
                    duration_ms=r.duration_ms,
                ),
                r,
            )
            for r in s.runs
        ]
        self.runs.extend(runs)
        self.w.outcome.created["sync_runs"] += len(runs)
        return m.Source(
            team_id=self.team.id,
            kind=s.kind,
            name=s.name,
            url=s.url,
            branch=s.branch,
            experiment_filter=s.experiment_filter,
            credentials=None,  # encrypted with the exporting instance's key: a manager enters them again
            enabled=s.enabled,
            state=s.state,
            tested_at=s.tested_at,
            test_status=s.test_status,
            test_message=s.test_message,
            created_by_id=self.w.user(s.created_by),
            created_at=s.created_at,
            runs=[run for run, _data in runs],
        )


def _action(a: d.ReviewAction, key_results: dict[tuple[str, str, str], int]) -> dict[str, object]:
    """A review action as app/reviews stores it: what it became by this instance's ids."""
    stored: dict[str, object] = {"id": a.id, "text": a.text}
    if a.roadmap_item is not None:
        stored["roadmap_item_id"] = a.roadmap_item
    if a.key_result is not None:
        stored["key_result_id"] = key_results[refs.key_result_key_of(a.key_result)]
        stored["key_result_period"] = a.key_result.period
    return stored
