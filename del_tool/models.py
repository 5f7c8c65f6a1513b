"""Every table of DEL, imported in one place so `SQLModel.metadata` is complete (Alembic)."""

from del_tool.actions.models import Action, ActionStatus
from del_tool.api.models import ApiIdempotentWrite, ApiToken, ApiTokenUnit, TokenKind
from del_tool.audit.models import (
    AccessEvent,
    AccessReview,
    AuditChainHead,
    AuditEvent,
    LoginEvent,
)
from del_tool.auth.models import RecoveryCode, Role, User, UserUnit
from del_tool.citizens.models import Citizen, Sex, Stay, StayPurpose, StayService
from del_tool.followups.models import (
    Assessment,
    AssessmentScore,
    FollowUp,
    FollowUpKind,
    GoalReview,
    Perspective,
)
from del_tool.goals.models import Goal, GoalDirection, GoalStatus, Theme
from del_tool.imports.models import ImportBatch, ImportFile, ImportReference
from del_tool.organisation.models import (
    Centre,
    LegalSection,
    Municipality,
    PriceIndex,
    Referral,
    ReferralOutcome,
    Region,
    Settlement,
    TargetGroup,
    Tariff,
    Unit,
    UnitPlaces,
    UnitQuestionnaire,
)
from del_tool.reminders.models import ReminderSubscription
from del_tool.reports.models import CouncilPublication
from del_tool.selfreport.models import SelfReportPin, SelfReportSession
from del_tool.sso.models import ExternalIdentity

__all__ = [
    "AccessEvent",
    "AccessReview",
    "Action",
    "ActionStatus",
    "ApiIdempotentWrite",
    "ApiToken",
    "ApiTokenUnit",
    "Assessment",
    "AssessmentScore",
    "AuditChainHead",
    "AuditEvent",
    "Centre",
    "Citizen",
    "CouncilPublication",
    "ExternalIdentity",
    "FollowUp",
    "FollowUpKind",
    "Goal",
    "GoalDirection",
    "GoalReview",
    "GoalStatus",
    "ImportBatch",
    "ImportFile",
    "ImportReference",
    "LegalSection",
    "LoginEvent",
    "Municipality",
    "Perspective",
    "PriceIndex",
    "RecoveryCode",
    "Referral",
    "ReferralOutcome",
    "Region",
    "ReminderSubscription",
    "Role",
    "SelfReportPin",
    "SelfReportSession",
    "Settlement",
    "Sex",
    "Stay",
    "StayPurpose",
    "StayService",
    "TargetGroup",
    "Tariff",
    "Theme",
    "TokenKind",
    "Unit",
    "UnitPlaces",
    "UnitQuestionnaire",
    "User",
    "UserUnit",
]
