"""Loading an assessment for a route also checks the user may do the route's action in its team."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.assessments import service
from app.auth.permissions import Action
from app.deps import CurrentUser, SessionDep, TeamContext, load_team_context
from app.kit import limits
from app.kit.time import utcnow
from app.maturity.schema import MaturityModel
from app.models import Answer, Assessment


@dataclass(frozen=True)
class AssessmentContext:
    assessment: Assessment
    model: MaturityModel
    team: TeamContext

    def save_answer(self, session: Session, question_id: str, data: service.AnswerInput) -> Answer:
        """Save one answer to this assessment as the signed-in user, now (the page and the API alike)."""
        return service.save_answer(
            session,
            assessment=self.assessment,
            question_id=question_id,
            data=data,
            user=self.team.user,
            now=utcnow(),
        )


def assessment_context(action: Action, *, answers: bool = True) -> Callable[..., AssessmentContext]:
    """A dependency for routes with an `assessment_id` path parameter; `.access` declares the rule.
    With `answers=False` the assessment's answers are not loaded (touching them raises)."""

    def dependency(assessment_id: limits.RowId, session: SessionDep, user: CurrentUser) -> AssessmentContext:
        assessment = service.get(session, assessment_id=assessment_id, answers=answers)
        team = load_team_context(session, user=user, team_id=assessment.team_id, action=action)
        return AssessmentContext(assessment, service.model_of(assessment), team)

    dependency.access = action  # type: ignore[attr-defined]
    return dependency
