"""The resident's own self-care tasks and what they did with each occurrence."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from naranara.models.types import UTCDateTime, utc_now


class SelfCareTask(SQLModel, table=True):
    __tablename__ = "self_care_task"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=160)
    # An RFC 5545 RRULE (without DTSTART); occurrences are local Stockholm times.
    recurrence: str = Field(max_length=300)
    time_of_day: str = Field(max_length=5, description="HH:MM, Europe/Stockholm")
    starts_on: date
    article_id: int | None = Field(
        default=None, foreign_key="guidance_article.id", ondelete="SET NULL"
    )
    active: bool = True
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False)
    )


class CheckStatus(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


class SelfCareCheck(SQLModel, table=True):
    """One occurrence of a task marked done or skipped."""

    __tablename__ = "self_care_check"
    __table_args__ = (UniqueConstraint("task_id", "occurrence_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="self_care_task.id", index=True, ondelete="CASCADE")
    occurrence_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: CheckStatus = Field(max_length=16)
    recorded_at: datetime = Field(
        default_factory=utc_now, sa_column=Column(UTCDateTime, nullable=False)
    )
    recorded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
