"""The resident's own self-care tasks and what they did with each occurrence."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


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
    active: bool = True  # False: stopped for good; the history stays
    paused: bool = False  # no occurrences while paused; the resident can resume it
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # Where the task came from: a template in an article ("" for the resident's own task).
    template_slug: str = Field(default="", max_length=120)
    template_key: str = Field(default="", max_length=80)
    # What the resident measures when doing it (a MeasurementKind value, or "").
    measurement_kind: str = Field(default="", max_length=32)
    # The article's advice when values cross a line, e.g. "more than 2 kg in 3 days":
    # rule "above" | "below" | "rise" ("" for none), its value, the days a rise spans.
    threshold_rule: str = Field(default="", max_length=16)
    threshold_value: float | None = None
    threshold_days: int | None = None
    threshold_advice: str = Field(default="", max_length=1000)


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
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    recorded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
