"""Nära without signal: which devices keep an offline copy, and check-offs sent later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class OfflineCopyDevice(SQLModel, table=True):
    """A resident chose *Spara på den här telefonen* on one browser.

    The browser is named by the SHA-256 of its HttpOnly device cookie, never the
    cookie itself. No row: the copy endpoint answers 404 and the service worker
    deletes what it kept.
    """

    __tablename__ = "offline_copy_device"
    __table_args__ = (UniqueConstraint("user_id", "device_hash", name="uq_offline_copy_device"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    device_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # When this device last fetched its copy ("Uppdaterad i dag 08.14" on Profil).
    refreshed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class CheckOffReceipt(SQLModel, table=True):
    """One check-off made without a network, taken once: the browser's key is unique
    per sender, so a retry after a lost answer finds this row and changes nothing."""

    __tablename__ = "check_off_receipt"
    __table_args__ = (
        UniqueConstraint("sender_id", "idempotency_key", name="uq_check_off_receipt_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sender_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    idempotency_key: str = Field(max_length=64)
    task_id: int | None = Field(default=None, foreign_key="self_care_task.id", ondelete="SET NULL")
    occurrence_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: str = Field(max_length=16)  # CheckStatus value
    # When the person pressed the button, by the phone's clock (kept, not trusted).
    pressed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    received_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    outcome: str = Field(max_length=24)  # CheckOffOutcome value
