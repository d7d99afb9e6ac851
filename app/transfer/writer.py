"""Write a checked export document as rows: people and model versions first, then each new team with
everything it owns, then the audit log. Only flushes; the caller's transaction commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models as m
from app.transfer import document as d
from app.transfer import refs
from app.transfer.team_writer import TeamWriter
from app.transfer.written import Outcome, Written


class Writer(Written):
    """One import's writes: the organisation, people, models, teams, audit log."""

    def __init__(self, session: Session, *, merge: bool) -> None:
        super().__init__(session)
        self.merge = merge

    def write(self, doc: d.OrganisationExport) -> Outcome:
        organisation = self._organisation(doc.organisation)
        self._people(doc.people)
        self._models(doc.maturity_models)
        self._org_targets(organisation, doc.targets)
        self._org_objectives(doc.org_objectives)
        self._teams(organisation, doc.teams)
        self._audit(doc.audit_log)
        return self.outcome

    def _organisation(self, data: d.Organisation | None) -> m.Organisation:
        row = self.session.scalars(select(m.Organisation).order_by(m.Organisation.id)).first()
        if row is None:
            row = m.Organisation(name=data.name if data else "Hoshin")
            self.add([row])
        if data is not None and not self.merge:  # an empty instance takes the document's organisation
            row.name, row.default_locale, row.created_at = data.name, data.default_locale, data.created_at
        return row

    def _people(self, people: list[d.Person]) -> None:
        self.users = {u.email.lower(): u.id for u in self.session.scalars(select(m.User))}
        self.outcome.matched_people = sorted(p.email for p in people if p.email.lower() in self.users)
        new = [
            m.User(
                email=p.email.lower(),
                name=p.name,
                password_hash=None,  # they set one through a reset link from Admin → Users
                role=p.role,
                locale=p.locale,
                timezone=p.timezone,
                is_active=p.is_active,
                created_at=p.created_at,
                last_login_at=p.last_login_at,
            )
            for p in people
            if p.email.lower() not in self.users
        ]
        self.add(new)
        self.users.update({u.email: u.id for u in new})

    def _models(self, models: list[d.ModelVersion]) -> None:
        V = m.MaturityModelVersion  # noqa: N806
        self.models = {(s, v): i for i, s, v in self.session.execute(select(V.id, V.slug, V.version))}
        new = [
            V(
                slug=x.slug,
                version=x.version,
                name_en=x.name_en,
                name_ja=x.name_ja,
                content=x.content,
                content_hash=x.content_hash,
                is_builtin=x.is_builtin,
            )
            for x in models
            if (x.slug, x.version) not in self.models
        ]
        self.add(new)
        self.models.update({(x.slug, x.version): x.id for x in new})

    def _org_targets(self, organisation: m.Organisation, targets: list[d.Target]) -> None:
        T = m.Target  # noqa: N806
        query = select(T.model_slug, T.dimension_id).where(
            T.organisation_id == organisation.id, T.team_id.is_(None)
        )
        have = {tuple(row) for row in self.session.execute(query)}
        self.add(
            T(
                organisation_id=organisation.id,
                team_id=None,
                model_slug=t.model,
                dimension_id=t.dimension,
                level=t.level,
            )
            for t in targets
            if (t.model, t.dimension) not in have
        )

    def _org_objectives(self, objectives: list[d.OrgObjective]) -> None:
        """The document's organisation objectives; one with the period and title of one here is that one."""
        Org = m.OrgObjective  # noqa: N806
        self.org_objectives = {
            (p, t): i for i, p, t in self.session.execute(select(Org.id, Org.period, Org.title))
        }
        new = [
            Org(
                period=o.period,
                title=o.title,
                description=o.description,
                owner_id=self.user(o.owner),
                position=o.position,
                created_by_id=self.user(o.created_by),
                created_at=o.created_at,
            )
            for o in objectives
            if (o.period, o.title) not in self.org_objectives
        ]
        self.add(new)
        for row in new:  # the app allows a title twice in a quarter: a link names the first
            self.org_objectives.setdefault((row.period, row.title), row.id)

    def _teams(self, organisation: m.Organisation, teams: list[d.Team]) -> None:
        slugs = set(self.session.scalars(select(m.Team.slug)))
        self.outcome.kept_teams = sorted(t.slug for t in teams if t.slug in slugs)
        new = [t for t in teams if t.slug not in slugs]
        rows = [
            m.Team(
                organisation_id=organisation.id,
                name=t.name,
                slug=t.slug,
                description=t.description,
                improvement_share=t.improvement_share,
                created_at=t.created_at,
            )
            for t in new
        ]
        self.add(rows)
        self._known_assessments()
        writers = [TeamWriter(self, row, data) for row, data in zip(rows, new, strict=True)]
        for writer in writers:
            writer.first(organisation)
        for writer in writers:  # assessments of every team exist: copies and roadmaps may point across
            writer.second()
        for writer in writers:
            writer.third()

    def _known_assessments(self) -> None:
        """Assessments already here (of kept teams), which imported roadmaps may refer to."""
        names = refs.Names.load(self.session)
        self.assessments = {refs.key_of(k): i for i, k in names.assessments.items()}

    def _audit(self, events: list[d.AuditEvent]) -> None:
        A = m.AuditEvent  # noqa: N806
        have = {
            tuple(row) for row in self.session.execute(select(A.at, A.action, A.object_type, A.object_id))
        }
        self.add(
            A(
                at=e.at,
                actor_id=self.user(e.actor),
                action=e.action,
                object_type=e.object_type,
                object_id=e.object_id,
                before=e.before,
                after=e.after,
            )
            for e in events
            if (e.at, e.action, e.object_type, e.object_id) not in have
        )
