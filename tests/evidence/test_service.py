"""A team's evidence read from its stored signals, beside the questions of an assessment."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy.orm import Session

from app.evidence import service
from app.models import Answer, EvidenceReview, Source, SyncRun, Verdict
from app.signals import sync
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from tests import factories
from tests.factories import Org
from tests.signals.conftest import Script, failing, source


def _ci_question(db: Session) -> tuple[str, dict[int, str]]:
    """The full model's first CI/CD question and its choice id per level."""
    from app.maturity import service as maturity_service

    model = maturity_service.parsed(factories.maturity_model(db, "mlops-full"))
    [capability] = [c for c in model.capabilities() if c.id == "ci-cd"]
    question = capability.questions[0]
    return question.id, {c.level: c.id for c in question.choices if c.level is not None}


def test_no_ci_in_any_repository_flags_an_answer_of_automated_ci(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    fake.signals = [Signal("git.ci.configured", 0, "bool"), Signal("git.ci.runs_tests", 0, "bool")]
    row = source(db, org.team)
    db.commit()
    assert sync.sync_source(context, source_id=row.id).status == "ok"
    model_row = factories.maturity_model(db, "mlops-full")
    assessment = factories.assessment(db, org.team, model_row, level=3)
    db.commit()
    question_id, choices = _ci_question(db)
    from app.maturity import service as maturity_service

    model = maturity_service.parsed(model_row)
    answers = list(db.query(Answer).filter(Answer.assessment_id == assessment.id))
    found = service.assessment_evidence(
        db, assessment_id=assessment.id, team_id=org.team.id, model=model, answers=answers
    )
    seen = found[question_id]
    assert seen.answered == 3
    assert seen.evidence.ceiling == 1
    assert seen.disagreement is not None
    assert seen.disagreement.suggested == 1
    assert [f.rule.says.en for f in seen.disagreement.findings] == ["No CI is configured in the repository"]
    assert seen.accept_choice == choices[1]
    [finding] = seen.evidence.findings
    assert [o.source_name for o in finding.observations] == ["model-repo"]

    # a dismissal of this disagreement closes it; another answer opens a new one
    db.add(
        EvidenceReview(
            assessment_id=assessment.id,
            question_id=question_id,
            capability_id="ci-cd",
            verdict=Verdict.DISMISSED,
            reason="CI runs in another system we have not connected",
            answered_level=3,
            suggested_level=1,
        )
    )
    db.commit()
    again = service.assessment_evidence(
        db, assessment_id=assessment.id, team_id=org.team.id, model=model, answers=answers
    )[question_id]
    assert again.disagreement is None
    assert again.dismissed is not None
    assert again.dismissed.reason == "CI runs in another system we have not connected"
    answer = next(a for a in answers if a.question_id == question_id)
    answer.choice_id = choices[4]
    reopened = service.assessment_evidence(
        db, assessment_id=assessment.id, team_id=org.team.id, model=model, answers=answers
    )[question_id]
    assert reopened.disagreement is not None
    assert reopened.disagreement.answered == 4


def test_a_failed_sync_keeps_the_last_good_evidence_and_a_paused_source_gives_none(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    fake.signals = [
        Signal("git.ci.configured", 1, "bool"),
        Signal("git.ci.runs_tests", 1, "bool"),
        Signal("git.ci.builds", 1, "bool"),
    ]
    row = source(db, org.team)
    db.commit()
    sync.sync_source(context, source_id=row.id)
    fake.error = failing()
    assert sync.sync_source(context, source_id=row.id).status == "failed"
    evidence = service.team_evidence(db, team_id=org.team.id).for_capability("ci-cd")
    assert evidence is not None
    assert evidence.suggested == 3
    assert service.team_evidence(db, team_id=org.other_team.id).for_capability("ci-cd").speaks is False  # type: ignore[union-attr]
    db.get(Source, row.id).enabled = False  # type: ignore[union-attr]
    db.commit()
    paused = service.team_evidence(db, team_id=org.team.id)
    assert paused.sources == 0
    assert paused.for_capability("ci-cd").speaks is False  # type: ignore[union-attr]


def test_followers_run_after_a_good_sync_in_its_transaction_and_not_after_a_failed_one(
    db: Session, org: Org, fake: Script, context: Context
) -> None:
    calls: list[tuple[int, str, datetime]] = []

    def follow(session: Session, source: Source, run: SyncRun, now: datetime) -> None:
        calls.append((source.id, run.status, now))

    following = dataclasses.replace(context, followers=(follow,))
    row = source(db, org.team)
    db.commit()
    sync.sync_source(following, source_id=row.id)
    fake.error = failing()
    sync.sync_source(following, source_id=row.id)
    assert [(source_id, status) for source_id, status, _ in calls] == [(row.id, "ok")]
