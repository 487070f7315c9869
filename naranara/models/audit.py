"""The audit log: who did what, when. Rows are only ever added (see services/audit.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class AuditKind(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_THROTTLED = "sign_in_throttled"
    SIGN_OUT = "sign_out"
    SIGN_OUT_EVERYWHERE = "sign_out_everywhere"
    ROLE_CHANGED = "role_changed"
    # Someone made an account from an invitation link, or was refused one (name taken):
    # both count towards the per-address limit (services/throttle.py).
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_REFUSED = "account_refused"
    # A resident's data read or changed by someone else (PDL: the resident may ask who looked).
    RECORD_READ = "record_read"
    RECORD_CHANGED = "record_changed"
    # Someone tried to open a resident's data without a grant or care relationship.
    RECORD_REFUSED = "record_refused"
    RECORD_EXPORTED = "record_exported"
    RECORD_IMPORTED = "record_imported"
    # Staff's work on the self-care guidance (detail: article slug, variant and version).
    GUIDANCE_EDITED = "guidance_edited"
    GUIDANCE_SUBMITTED = "guidance_submitted"
    GUIDANCE_RETURNED = "guidance_returned"
    GUIDANCE_SCHEDULED = "guidance_scheduled"
    GUIDANCE_PUBLISHED = "guidance_published"
    GUIDANCE_UNPUBLISHED = "guidance_unpublished"
    # Care units, staff accounts and enrolment (issue 13). Details name ids, never a
    # personnummer or an activation code.
    UNIT_CREATED = "unit_created"
    UNIT_CHANGED = "unit_changed"
    STAFF_CREATED = "staff_created"
    MEMBERSHIP_STARTED = "membership_started"
    MEMBERSHIP_ENDED = "membership_ended"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    ACCOUNT_ACTIVATED = "account_activated"
    # A wrong, used or expired activation code: counted like failed sign-ins (throttle.py).
    ACTIVATION_FAILED = "activation_failed"
    ACTIVATION_THROTTLED = "activation_throttled"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    kind: str = Field(max_length=40, index=True)
    # Who acted, when known; a failed sign-in for an unknown name has no actor.
    actor_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    # Whose data it concerns (for sign-ins, the same person).
    subject_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    # Plain facts without secrets or personal identity numbers (e.g. "method=password").
    detail: str = Field(default="", max_length=300)
    # Keyed hashes (services/audit.py) of the username tried and the client address:
    # enough to throttle and investigate, without storing either.
    account_hash: str = Field(default="", max_length=64, index=True)
    client_hash: str = Field(default="", max_length=64, index=True)
