"""Who besides the resident may see their data: relatives' grants and staff's care."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class ProxyScope(StrEnum):
    """What a resident can let a relative (ombud) see or do, one grant row per scope."""

    CARE_PLAN = "care_plan"  # "se mina tider och kontakter": contacts, agreed times, the plan
    SELF_CARE = "self_care"  # "se och bocka av min egenvård": see tasks, mark them done
    MEASUREMENTS = "measurements"  # "se mina mätvärden": read self-monitoring values
    PROFILE = "profile"  # "se min profil": "Vad är viktigt för mig", shared or not
    REMINDERS = "reminders"  # "få mina påminnelser": the resident's reminders, to them too
    MISSED_TASK_ALERTS = "missed_task_alerts"  # "få larm om jag missar en uppgift"


class ProxyGrant(SQLModel, table=True):
    """A resident's permission for one relative, in one scope, until revoked or expired."""

    __tablename__ = "proxy_grant"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    relative_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    scope: ProxyScope = Field(max_length=32)
    granted_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class CareRelationship(SQLModel, table=True):
    """A resident in the care of a unit, with a named fixed contact (``staff_id``).

    Only through one does staff see a resident's data: every current member of the
    unit does (services/access.py), so a colleague can cover for the fixed contact.
    """

    __tablename__ = "care_relationship"

    id: int | None = Field(default=None, primary_key=True)
    # The fixed contact (fast vårdkontakt) the unit named for the resident.
    staff_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="care_unit.id", index=True, ondelete="RESTRICT")
    started_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    recorded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
