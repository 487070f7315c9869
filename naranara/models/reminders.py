"""The reminder ledger: every planned push, its delivery state, and every attempt.

A row is written (with its unique ``key``) when the reminder is planned, long
before it is sent; the worker only ever changes its status. See
``naranara/reminders/dispatcher.py`` for how that gives each reminder one
notification on the device.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class ReminderKind(StrEnum):
    AGREED_TIME = "agreed_time"  # before an agreed time (överenskommen tid)
    SELF_CARE = "self_care"  # an occurrence of a self-care task falls due
    MISSED_TASK = "missed_task"  # to a relative: a task was not marked in time
    TEST = "test"  # "Skicka testavisering" on Profil → Aviseringar


class ReminderStatus(StrEnum):
    PENDING = "pending"  # planned; goes out once send_after (and next_attempt_at) has passed
    CLAIMED = "claimed"  # a worker holds it and may be sending it right now
    SENT = "sent"  # a push service accepted it for at least one device
    WITHDRAWN = "withdrawn"  # its time moved or was cancelled, or the recipient lost access
    FAILED = "failed"  # retries exhausted, or its useful window passed
    GONE = "gone"  # the recipient has no device left to send to


class ReminderOccurrence(SQLModel, table=True):
    """One notification to one person about one thing at one moment."""

    __tablename__ = "reminder_occurrence"
    # The worker's claim walks this in order: status = 'pending' by send_after.
    __table_args__ = (Index("ix_reminder_occurrence_due", "status", "send_after"),)

    id: int | None = Field(default=None, primary_key=True)
    # (kind, source id, occurrence time, recipient, offset, source version): planning twice
    # finds the row already there; a moved time has a new key.
    key: str = Field(max_length=255, unique=True)
    recipient_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)  # ReminderKind
    agreed_time_id: int | None = Field(
        default=None, foreign_key="agreed_time.id", index=True, ondelete="CASCADE"
    )
    task_id: int | None = Field(
        default=None, foreign_key="self_care_task.id", index=True, ondelete="CASCADE"
    )
    # The moment the reminder is about: the agreed time's start or the task occurrence.
    occurrence_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    offset: str = Field(default="", max_length=32)  # "day_before", "two_hours", "at_time", …
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # due_at moved past the recipient's quiet hours (equal to due_at when not quiet or urgent).
    send_after: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # After this the reminder is useless (the time has begun): not sent, and the push TTL.
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    urgent: bool = False
    status: str = Field(default=ReminderStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    claimed_by: str = Field(default="", max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    snoozes: int = 0  # how many snoozes led to this row (0 for a planned reminder)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )


class DeliveryAttempt(SQLModel, table=True):
    """One request to a push service for one device: kept for support and back-off."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="reminder_occurrence.id", index=True, ondelete="CASCADE")
    # The device may be deleted later (404/410); the attempt stays.
    subscription_id: int | None = Field(
        default=None, foreign_key="push_subscription.id", ondelete="SET NULL"
    )
    at: datetime = Field(default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False))
    status_code: int | None = None  # None: no answer (timeout, refused connection)
    error: str = Field(default="", max_length=500)
    duration_ms: int = 0


class AgreedTimeReminderChoice(SQLModel, table=True):
    """Which reminders one agreed time gets; no row means the defaults."""

    __tablename__ = "agreed_time_reminder_choice"

    agreed_time_id: int = Field(foreign_key="agreed_time.id", primary_key=True, ondelete="CASCADE")
    # Comma-separated offsets of naranara.reminders.schedule.AGREED_TIME_OFFSETS; "" = none.
    offsets: str = Field(default="", max_length=100)
