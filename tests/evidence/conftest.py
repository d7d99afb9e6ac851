"""The signals tests' fake adapter and sync context, for evidence built from synced signals; and a way
to leave one capability's disagreement open while the shipped rules speak to many."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evidence import service
from app.maturity import service as maturity_service
from app.models import Answer, Assessment, MaturityModelVersion
from app.signals import sync
from app.signals.adapters.base import Signal
from app.signals.sync import Context
from tests import factories
from tests.factories import Org
from tests.signals.conftest import Script, context, fake, ml_repo, source

__all__ = ["agree_except", "context", "fake", "ml_repo", "synced_draft"]


def synced_draft(
    db: Session,
    org: Org,
    fake: Script,
    context: Context,
    signals: Sequence[Signal],
    keep: Iterable[str] = ("ci-cd",),
) -> Assessment:
    """A draft of the full model answered at level 3, by a team whose one repository reported `signals`,
    agreeing with the evidence outside the capabilities `keep`."""
    fake.signals = list(signals)
    row = source(db, org.team)
    db.commit()
    assert sync.sync_source(context, source_id=row.id).status == "ok"
    assessment = factories.assessment(db, org.team, factories.maturity_model(db, "mlops-full"), level=3)
    db.commit()
    agree_except(db, assessment, keep)
    return assessment


def agree_except(db: Session, assessment: Assessment, keep: Iterable[str] = ("ci-cd",)) -> None:
    """Answer every flagged question outside the capabilities `keep` as the evidence suggests, so the
    tests' disagreements are the ones they set up (the shipped rules speak to many capabilities)."""
    kept = set(keep)
    model = maturity_service.parsed(db.get(MaturityModelVersion, assessment.model_id))
    capability_of = {q.id: c.id for c in model.capabilities() for q in c.questions}
    answers = list(db.scalars(select(Answer).where(Answer.assessment_id == assessment.id)))
    found = service.assessment_evidence(
        db, assessment_id=assessment.id, team_id=assessment.team_id, model=model, answers=answers
    )
    for answer in answers:
        seen = found.get(answer.question_id)
        if seen and seen.flagged and seen.accept_choice and capability_of[answer.question_id] not in kept:
            answer.choice_id = seen.accept_choice
    db.commit()
