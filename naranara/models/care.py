"""The patient contract: fixed care contacts, agreed times and their calendar feed.

``external_system``/``external_id`` hold a FHIR identifier (system, value) for rows
a region's system sent, so importing the same bundle twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class OrganisationKind(StrEnum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    OTHER = "other"


class ReachBy(StrEnum):
    MESSAGE_1177 = "message_1177"
    PHONE = "phone"
    VISIT = "visit"


class CareContact(SQLModel, table=True):
    """A named, fixed contact (fast vårdkontakt) of one resident."""

    __tablename__ = "care_contact"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    role_title: str = Field(max_length=120)
    organisation: str = Field(max_length=160)
    organisation_kind: OrganisationKind = Field(default=OrganisationKind.REGION, max_length=16)
    unit: str = Field(default="", max_length=160)
    phone: str = Field(default="", max_length=40)  # E.164 once validated, e.g. +46601234567
    opening_hours: str = Field(default="", max_length=200)
    reach_by: str = Field(default="", max_length=100)  # ReachBy values, comma-separated
    how_to_reach: str = Field(default="", max_length=300)
    added_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # Recorded by the care side (staff, or a region's system): read-only for the resident.
    care_side: bool = False
    external_system: str = Field(default="", max_length=200)
    external_id: str = Field(default="", max_length=200, index=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # Raised by every change; an edit names the version it started from, so two
    # devices editing one contact never overwrite each other (as with agreed times).
    version: int = 0


class AgreedTimeStatus(StrEnum):
    PLANNED = "planned"
    CHANGED = "changed"
    CANCELLED = "cancelled"


class AgreedTime(SQLModel, table=True):
    """A time agreed between the resident and care (överenskommen tid)."""

    __tablename__ = "agreed_time"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    purpose: str = Field(max_length=200)
    with_whom: str = Field(default="", max_length=160)
    place: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=200)
    meeting_url: str = Field(default="", max_length=500)
    prepare: str = Field(default="", max_length=500)
    status: AgreedTimeStatus = Field(default=AgreedTimeStatus.PLANNED, max_length=16)
    added_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # Recorded by the care side (staff, or a region's system): the resident answers it
    # (AgreedTimeAnswer) instead of changing it. What she entered herself stays hers.
    care_side: bool = False
    external_system: str = Field(default="", max_length=200)
    external_id: str = Field(default="", max_length=200, index=True)
    # Raised by every change; an edit names the version it started from.
    version: int = 0
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )


class AgreedTimeChange(SQLModel, table=True):
    """One change to an agreed time, kept so that changes are visible, never silent."""

    __tablename__ = "agreed_time_change"

    id: int | None = Field(default=None, primary_key=True)
    agreed_time_id: int = Field(foreign_key="agreed_time.id", index=True, ondelete="CASCADE")
    changed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    changed_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    # The status after the change; a plain string so history never needs a type migration.
    status: str = Field(max_length=16)
    # JSON: {field: [before, after]} of what changed; empty for the first version.
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class AnswerKind(StrEnum):
    COMING = "coming"  # "Jag kommer"
    OTHER_TIME = "other_time"  # "Jag behöver en annan tid", with a message
    REPLY = "reply"  # the care side's written answer to a request


class AgreedTimeAnswer(SQLModel, table=True):
    """The resident's (or her relative's) answer to a time the care side recorded, and
    the care side's reply: together with the changes, the time's history."""

    __tablename__ = "agreed_time_answer"

    id: int | None = Field(default=None, primary_key=True)
    agreed_time_id: int = Field(foreign_key="agreed_time.id", index=True, ondelete="CASCADE")
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    # Who wrote it: the resident, a relative on her behalf, or staff.
    author_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    kind: str = Field(max_length=16)  # an AnswerKind value
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The time's version the answer was given to: a moved time needs a new answer.
    for_version: int = 0
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # A request for another time is open until the care side moves the time or replies.
    answered_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    answered_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class CalendarFeed(SQLModel, table=True):
    """A private calendar subscription: the URL holds a random token, stored here hashed."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_fetched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
