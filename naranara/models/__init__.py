"""Database tables. Importing this package registers every table on SQLModel.metadata."""

from naranara.models.access import CareRelationship, ProxyGrant, ProxyScope
from naranara.models.audit import AuditEvent, AuditKind
from naranara.models.auth import AuthSession, LoginTicket
from naranara.models.care import AgreedTime, AgreedTimeStatus, CareContact
from naranara.models.guidance import GuidanceArticle
from naranara.models.identity import ExternalIdentity
from naranara.models.self_care import CheckStatus, SelfCareCheck, SelfCareTask
from naranara.models.user import Role, User

__all__ = [
    "AgreedTime",
    "AgreedTimeStatus",
    "AuditEvent",
    "AuditKind",
    "AuthSession",
    "CareContact",
    "CareRelationship",
    "CheckStatus",
    "ExternalIdentity",
    "GuidanceArticle",
    "LoginTicket",
    "ProxyGrant",
    "ProxyScope",
    "Role",
    "SelfCareCheck",
    "SelfCareTask",
    "User",
]
