"""Everything an export document must satisfy before a row is written: no duplicates where the database
keeps one, every e-mail, model version and assessment it refers to known (in the document, or in this
instance when merging), and what the app itself refuses (a "not applicable" checklist entry without a
reason; a learning session other than an incident review leading somewhere). Pure: takes the document
and what the instance already has."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from app.i18n import N_
from app.kit.datafile.findings import Finding, Loc
from app.kit.datafile.messages import say
from app.transfer import document as d
from app.transfer import refs

# Fields that name a person by e-mail (a Person's own `email` defines one; a Member's refers to one).
PERSON_REFS = frozenset(
    {"email", "by", "created_by", "updated_by", "submitted_by", "answered_by", "owner", "actor", "attendees"}
)


@dataclass(frozen=True)
class Existing:
    """What the instance already has, by natural key."""

    emails: frozenset[str] = frozenset()
    models: dict[tuple[str, str], str] = field(default_factory=dict)  # (slug, version) -> content hash
    assessments: frozenset[tuple[str, str, str, str]] = frozenset()
    org_objectives: frozenset[tuple[str, str]] = frozenset()  # (period, title)


def findings(doc: d.OrganisationExport, existing: Existing) -> list[Finding]:
    """Every problem in the document, with its path."""
    return [
        *_duplicates(doc),
        *_people(doc, existing),
        *_models(doc, existing),
        *_assessments(doc, existing),
        *_team_rules(doc),
        *_okr_refs(doc, existing),
    ]


def _dupes(loc: Loc, rows: Iterable[Any], key: Callable[[Any], object], what: str) -> Iterator[Finding]:
    """A finding for each row whose key an earlier row already has."""
    seen: dict[object, int] = {}
    for index, row in enumerate(rows):
        value = key(row)
        if value in seen:
            said = say(N_("%(what)s %(value)s appears twice"), what=say(what), value=_shown(value))
            yield Finding((*loc, index), said, (*loc, seen[value]))
        else:
            seen[value] = index


def _duplicates(doc: d.OrganisationExport) -> Iterator[Finding]:
    yield from _dupes(("people",), doc.people, lambda p: p.email.lower(), N_("e-mail"))
    yield from _dupes(("teams",), doc.teams, lambda t: t.slug, N_("team"))
    yield from _dupes(("maturity_models",), doc.maturity_models, _model_key, N_("model version"))
    yield from _dupes(("targets",), doc.targets, _target_key, N_("target"))
    for i, team in enumerate(doc.teams):
        at: Loc = ("teams", i)
        yield from _dupes((*at, "members"), team.members, lambda m: m.email.lower(), N_("member"))
        yield from _dupes((*at, "raci"), team.raci, lambda c: (c.capability, c.team_role), N_("RACI cell"))
        yield from _dupes((*at, "targets"), team.targets, _target_key, N_("target"))
        yield from _dupes((*at, "assessments"), team.assessments, _assessment_key, N_("assessment"))
        for j, objective in enumerate(team.objectives):
            for k, key_result in enumerate(objective.key_results):
                check_ins = (*at, "objectives", j, "key_results", k, "check_ins")
                sent = [c for c in key_result.check_ins if c.client_token is not None]
                yield from _dupes(check_ins, sent, lambda c: c.client_token, N_("check-in"))
        for j, assessment in enumerate(team.assessments):
            answers = (*at, "assessments", j, "answers")
            yield from _dupes(answers, assessment.answers, lambda a: a.question, N_("answer to"))
        if team.roadmap is not None:
            yield from _roadmap_duplicates((*at, "roadmap"), team.roadmap)
        yield from _dupes((*at, "checklist_states"), team.checklist_states, _state_key, N_("checklist entry"))
        reviews = (*at, "quarterly_reviews")
        yield from _dupes(reviews, team.quarterly_reviews, lambda r: (r.period, r.version), N_("review"))
        for j, held in enumerate(team.learning_log):
            attendees = (*at, "learning_log", j, "attendees")
            yield from _dupes(attendees, held.attendees, lambda e: e.lower(), N_("attendee"))


def _roadmap_duplicates(at: Loc, roadmap: d.Roadmap) -> Iterator[Finding]:
    numbers = {v.number for v in roadmap.versions}
    if numbers and roadmap.current_version not in numbers:
        message = N_("version %(number)s is not among the roadmap's versions")
        yield Finding((*at, "current_version"), say(message, number=roadmap.current_version))
    yield from _dupes((*at, "versions"), roadmap.versions, lambda v: v.number, N_("version"))
    yield from _dupes((*at, "statuses"), roadmap.statuses, lambda s: s.item, N_("status of"))
    yield from _dupes((*at, "checklist_ticks"), roadmap.checklist_ticks, _entry, N_("checklist entry"))
    yield from _dupes((*at, "checklist_unticks"), roadmap.checklist_unticks, _entry, N_("checklist entry"))


def _shown(value: object) -> str:
    return " / ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)


def _entry(row: d.ChecklistTick | d.ChecklistUntick) -> tuple[str, str]:
    return (row.item, row.entry)


def _state_key(row: d.ChecklistState) -> tuple[str, str, str]:
    return (row.source, row.checklist, row.entry)


def _model_key(row: d.ModelVersion) -> tuple[str, str]:
    return (row.slug, row.version)


def _used_model(row: d.Assessment) -> tuple[str, str]:
    return (row.model, row.model_version)


def _assessment_key(row: d.Assessment) -> tuple[str, str, str]:
    return (row.model, row.model_version, row.period)


def _target_key(row: d.Target) -> tuple[str, str]:
    return (row.model, row.dimension)


def _people(doc: d.OrganisationExport, existing: Existing) -> Iterator[Finding]:
    known = {p.email.lower() for p in doc.people} | existing.emails
    for loc, value in _walk(doc, PERSON_REFS, skip="people"):
        named = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, email in named:  # a list of e-mails (attendees) names each by its index
            if isinstance(email, str) and email.lower() not in known:
                at = loc if index is None else (*loc, index)
                yield Finding(at, say(N_("%(email)s is not among the people of the export"), email=email))


def _models(doc: d.OrganisationExport, existing: Existing) -> Iterator[Finding]:
    for i, model in enumerate(doc.maturity_models):
        installed = existing.models.get((model.slug, model.version))
        if installed is not None and installed != model.content_hash:
            message = N_("%(model)s version %(version)s is installed here with different content")
            yield Finding(("maturity_models", i), say(message, model=model.slug, version=model.version))
    known = {_model_key(m) for m in doc.maturity_models} | set(existing.models)
    for i, team in enumerate(doc.teams):
        for j, assessment in enumerate(team.assessments):
            if _used_model(assessment) not in known:
                message = N_("model %(model)s version %(version)s is neither in the export nor installed")
                said = say(message, model=assessment.model, version=assessment.model_version)
                yield Finding(("teams", i, "assessments", j, "model_version"), said)


def _assessments(doc: d.OrganisationExport, existing: Existing) -> Iterator[Finding]:
    known = set(existing.assessments) | {
        (t.slug, a.model, a.model_version, a.period) for t in doc.teams for a in t.assessments
    }
    refs_found = list(_walk(doc, frozenset({"copied_from", "assessment"}), skip="people"))
    for i, team in enumerate(doc.teams):
        for j, version in enumerate(team.roadmap.versions if team.roadmap else []):
            loc: Loc = ("teams", i, "roadmap", "versions", j, "inputs")
            refs_found.extend((loc, key) for key in refs.input_keys(version.inputs))
    for loc, key in refs_found:
        if isinstance(key, dict):
            try:
                key = d.AssessmentKey.model_validate(key)
            except ValueError:
                yield Finding(loc, say(N_("an assessment is named by team, model, model_version and period")))
                continue
        if isinstance(key, d.AssessmentKey) and refs.key_of(key) not in known:
            message = N_("no assessment of %(team)s for %(period)s is in the export")
            yield Finding(loc, say(message, team=key.team, period=key.period))
        elif not isinstance(key, d.AssessmentKey):
            yield Finding(loc, say(N_("an assessment is named by team, model, model_version and period")))


def _team_rules(doc: d.OrganisationExport) -> Iterator[Finding]:
    """What the checklist and learning pages refuse, refused here too."""
    for i, team in enumerate(doc.teams):
        for j, state in enumerate(team.checklist_states):
            if state.status == "not_applicable" and not state.na_reason.strip():
                message = N_("a checklist entry that does not apply says why (na_reason)")
                yield Finding(("teams", i, "checklist_states", j, "na_reason"), say(message))
        for j, held in enumerate(team.learning_log):
            at: Loc = ("teams", i, "learning_log", j)
            if held.led_to_item is not None and held.led_to_entry is not None:
                message = N_("a session leads to a roadmap item or a checklist entry, not both")
                yield Finding((*at, "led_to_entry"), say(message))
            if (held.led_to_item or held.led_to_entry) and held.kind != "incident_review":
                message = N_("only an incident review leads to a roadmap item or checklist entry")
                yield Finding((*at, "kind"), say(message))


def _okr_refs(doc: d.OrganisationExport, existing: Existing) -> Iterator[Finding]:
    """Each objective's organisation objective and each review action's key result is known."""
    known = set(existing.org_objectives) | {(o.period, o.title) for o in doc.org_objectives}
    for i, team in enumerate(doc.teams):
        for j, objective in enumerate(team.objectives):
            key = objective.org_objective
            if key is not None and refs.org_key_of(key) not in known:
                message = N_("no organisation objective %(title)s for %(period)s is in the export")
                said = say(message, title=key.title, period=key.period)
                yield Finding(("teams", i, "objectives", j, "org_objective"), said)
        key_results = {(o.period, o.title, k.title) for o in team.objectives for k in o.key_results}
        for j, review in enumerate(team.quarterly_reviews):
            for k, action in enumerate(review.actions):
                wanted = action.key_result
                if wanted is not None and refs.key_result_key_of(wanted) not in key_results:
                    message = N_("no key result %(title)s of the team's objectives for %(period)s")
                    said = say(message, title=wanted.key_result, period=wanted.period)
                    yield Finding(("teams", i, "quarterly_reviews", j, "actions", k, "key_result"), said)


def _walk(node: object, names: frozenset[str], *, skip: str, loc: Loc = ()) -> Iterator[tuple[Loc, object]]:
    """(path, value) of every field called one of `names`, anywhere in the document but `skip`."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name == skip and not loc:
                continue
            value = getattr(node, name)
            if name in names and value is not None:
                yield (*loc, name), value
            elif isinstance(value, BaseModel | list):
                yield from _walk(value, names, skip=skip, loc=(*loc, name))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, names, skip=skip, loc=(*loc, index))
