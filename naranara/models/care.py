"""The patient contract: fixed care contacts and agreed times."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from naranara.models.types import UTCDateTime, utc_now


class CareContact(SQLModel, table=True):
    """A named, fixed contact (fast vårdkontakt) of one resident."""

    __tablename__ = "care_contact"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    role_title: str = Field(max_length=120)
    organisation: str = Field(max_length=160)
    unit: str = Field(default="", max_length=160)
    phone: str = Field(default="", max_length=40)
    opening_hours: str = Field(default="", max_length=200)
    how_to_reach: str = Field(default="", max_length=300)
    added_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False)
    )


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
