"""The resident's "Vad är viktigt för dig?" profile, in their own words, and its history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class ContactChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    MESSAGE_1177 = "message_1177"
    LETTER = "letter"


class TimeOfDay(StrEnum):
    MORNING = "morning"
    MIDDAY = "midday"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Aid(StrEnum):
    HEARING = "hearing"
    SIGHT = "sight"
    MEMORY = "memory"
    MOBILITY = "mobility"


class WhatMattersProfile(SQLModel, table=True):
    """One per resident. Every section is optional; choices are comma-separated enum values."""

    __tablename__ = "what_matters_profile"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(
        foreign_key="user_account.id", unique=True, index=True, ondelete="CASCADE"
    )
    # Raised by every save; an edit names the version it started from (no silent overwrite).
    version: int = 0
    important_to_me: str = Field(default="", max_length=2000)
    gives_me_energy: str = Field(default="", max_length=2000)
    worries_me: str = Field(default="", max_length=2000)
    my_goals: str = Field(default="", max_length=2000)
    contact_channels: str = Field(default="", max_length=100)  # ContactChannel values
    contact_times: str = Field(default="", max_length=100)  # TimeOfDay values
    contact_notes: str = Field(default="", max_length=500)
    languages: str = Field(default="", max_length=200)
    needs_interpreter: bool = False
    interpreter_language: str = Field(default="", max_length=80)
    aids: str = Field(default="", max_length=100)  # Aid values
    aids_notes: str = Field(default="", max_length=1000)
    important_people: str = Field(default="", max_length=2000)
    # The resident decides whether their care contacts may read it.
    shared_with_care: bool = False
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class ProfileRevision(SQLModel, table=True):
    """The profile as it was after one save: the history the resident can read."""

    __tablename__ = "profile_revision"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    version: int
    content: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the sections
    changed_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    changed_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
