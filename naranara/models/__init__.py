"""Database tables. Importing this package registers every table on SQLModel.metadata."""

from naranara.models.access import CareRelationship, ProxyGrant, ProxyScope
from naranara.models.audit import AuditEvent, AuditKind
from naranara.models.auth import AuthSession, LoginTicket
from naranara.models.care import (
    AgreedTime,
    AgreedTimeAnswer,
    AgreedTimeChange,
    AgreedTimeStatus,
    AnswerKind,
    CalendarFeed,
    CareContact,
    OrganisationKind,
    ReachBy,
)
from naranara.models.care_plan import (
    ActivityStatus,
    CarePlanActivity,
    CarePlanGoal,
    GoalStatus,
    Responsible,
)
from naranara.models.care_unit import CareShare, CareUnit, UnitMembership
from naranara.models.enrolment import Enrolment, ResidentActivation
from naranara.models.guidance import (
    GuidanceArticle,
    GuidanceRead,
    GuidanceVersion,
    VersionStatus,
)
from naranara.models.identity import ExternalIdentity
from naranara.models.invitation import ProxyInvitation, ProxyInvitationHold
from naranara.models.measurements import Measurement, MeasurementKind
from naranara.models.offline import CheckOffReceipt, OfflineCopyDevice
from naranara.models.operations import KeyFingerprint, WorkerHeartbeat
from naranara.models.profile import (
    Aid,
    ContactChannel,
    ProfileRevision,
    TimeOfDay,
    WhatMattersProfile,
)
from naranara.models.push import NotificationSettings, PushSubscription
from naranara.models.reminders import (
    AgreedTimeReminderChoice,
    DeliveryAttempt,
    ReminderKind,
    ReminderOccurrence,
    ReminderStatus,
)
from naranara.models.self_care import CheckStatus, SelfCareCheck, SelfCareTask
from naranara.models.user import Role, User

__all__ = [
    "ActivityStatus",
    "AgreedTime",
    "AgreedTimeChange",
    "AgreedTimeReminderChoice",
    "AgreedTimeStatus",
    "Aid",
    "AuditEvent",
    "AuditKind",
    "AuthSession",
    "CalendarFeed",
    "CareContact",
    "CarePlanActivity",
    "CarePlanGoal",
    "CareRelationship",
    "CheckOffReceipt",
    "CheckStatus",
    "ContactChannel",
    "DeliveryAttempt",
    "ExternalIdentity",
    "GoalStatus",
    "GuidanceArticle",
    "GuidanceRead",
    "GuidanceVersion",
    "LoginTicket",
    "KeyFingerprint",
    "Measurement",
    "MeasurementKind",
    "NotificationSettings",
    "OfflineCopyDevice",
    "OrganisationKind",
    "ProfileRevision",
    "ProxyGrant",
    "ProxyInvitation",
    "ProxyInvitationHold",
    "ProxyScope",
    "PushSubscription",
    "ReachBy",
    "ReminderKind",
    "ReminderOccurrence",
    "ReminderStatus",
    "Responsible",
    "Role",
    "SelfCareCheck",
    "SelfCareTask",
    "TimeOfDay",
    "User",
    "VersionStatus",
    "WhatMattersProfile",
    "WorkerHeartbeat",
    # issue 13: care units, enrolment, answers to agreed times
    "AgreedTimeAnswer",
    "AnswerKind",
    "CareShare",
    "CareUnit",
    "Enrolment",
    "ResidentActivation",
    "UnitMembership",
]
