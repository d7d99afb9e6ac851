"""Which tables the export carries and which it leaves out on purpose, with the reason.

A test fails when a table in app/models is in neither list: a new feature decides what its data means
for an organisation moving between instances, instead of silently missing from every export.
"""

from __future__ import annotations

EXPORTED: dict[str, str] = {
    "organisations": "organisation",
    "users": "people",
    "maturity_models": "maturity_models",
    "targets": "targets, teams[].targets",
    "teams": "teams",
    "memberships": "teams[].members",
    "raci_assignments": "teams[].raci",
    "assessments": "teams[].assessments",
    "answers": "teams[].assessments[].answers",
    "evidence_reviews": "teams[].assessments[].evidence_reviews",
    "roadmaps": "teams[].roadmap",
    "roadmap_versions": "teams[].roadmap.versions",
    "roadmap_edits": "teams[].roadmap.edits",
    "roadmap_item_statuses": "teams[].roadmap.statuses",
    "checklist_ticks": "teams[].roadmap.checklist_ticks",
    "checklist_unticks": "teams[].roadmap.checklist_unticks",
    "objectives": "teams[].objectives",
    "key_results": "teams[].objectives[].key_results",
    "check_ins": "teams[].objectives[].key_results[].check_ins",
    "sources": "teams[].sources (without credentials)",
    "sync_runs": "teams[].sources[].runs",
    "signals": "teams[].sources[].runs[].signals",
    "checklist_entry_states": "teams[].checklist_states",
    "learning_sessions": "teams[].learning_log",
    "learning_attendees": "teams[].learning_log[].attendees",
    "quarterly_reviews": "teams[].quarterly_reviews",
    "org_objectives": "org_objectives",
    "audit_events": "audit_log",
}

EXCLUDED: dict[str, str] = {
    "user_sessions": "secret: signed-in browsers; people sign in again on the new instance",
    "api_tokens": "secret: token hashes; people create new tokens on the new instance",
    "one_time_links": "secret: pending invitations and reset links; issue new ones",
    "login_attempts": "transient: failed sign-ins kept only for the rate-limit window",
    "report_cache": "derived: rendered PDFs, made again on first download",
    "data_revisions": "derived: a counter that invalidates caches, local to each instance",
}
