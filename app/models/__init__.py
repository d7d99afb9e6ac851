"""Every ORM class; Alembic imports this package and nothing else."""

from app.models.access import ApiToken, OneTimeLink, RaciAssignment
from app.models.assessment import Answer, Assessment, AssessmentStatus, Target
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.checklist import (
    ChecklistEntryState,
    ChecklistSource,
    ChecklistStatus,
    ChecklistTick,
    ChecklistUntick,
)
from app.models.evidence import EvidenceReview, Verdict
from app.models.learning import LearningAttendee, LearningSession, SessionKind
from app.models.maturity import MaturityModelVersion
from app.models.okr import (
    CheckIn,
    CheckInSource,
    Direction,
    KeyResult,
    KeyResultKind,
    Objective,
    OrgObjective,
)
from app.models.organisation import Organisation
from app.models.report import CachedReport
from app.models.review import QuarterlyReview
from app.models.revision import DataRevision
from app.models.roadmap import ItemStatus, Roadmap, RoadmapEdit, RoadmapItemStatus, RoadmapVersion
from app.models.signal import SignalValue, Source, SourceKind, SyncRun, SyncStatus
from app.models.team import Membership, Team
from app.models.user import LoginAttempt, Role, User, UserSession

__all__ = [
    "Answer",
    "ApiToken",
    "Assessment",
    "AssessmentStatus",
    "AuditEvent",
    "Base",
    "CachedReport",
    "CheckIn",
    "CheckInSource",
    "ChecklistEntryState",
    "ChecklistSource",
    "ChecklistStatus",
    "ChecklistTick",
    "ChecklistUntick",
    "DataRevision",
    "Direction",
    "EvidenceReview",
    "ItemStatus",
    "KeyResult",
    "KeyResultKind",
    "LearningAttendee",
    "LearningSession",
    "LoginAttempt",
    "MaturityModelVersion",
    "Membership",
    "Objective",
    "OneTimeLink",
    "OrgObjective",
    "Organisation",
    "QuarterlyReview",
    "RaciAssignment",
    "Roadmap",
    "RoadmapEdit",
    "RoadmapItemStatus",
    "RoadmapVersion",
    "Role",
    "SessionKind",
    "SignalValue",
    "Source",
    "SourceKind",
    "SyncRun",
    "SyncStatus",
    "Target",
    "Team",
    "User",
    "UserSession",
    "Verdict",
]
