"""Devices that receive push reminders, and each person's notification settings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class PushSubscription(SQLModel, table=True):
    """One browser's Web Push subscription (RFC 8030 endpoint + RFC 8291 keys)."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    # Endpoints are capability URLs of the push service; one row per browser.
    endpoint: str = Field(max_length=1024, unique=True)
    p256dh: str = Field(max_length=200)  # the browser's public key, base64url
    auth: str = Field(max_length=64)  # the shared auth secret, base64url
    device_label: str = Field(default="", max_length=120)  # "Chrome på Android", shown in the list
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # The app re-subscribes on every open; a long silence means a dead endpoint.
    last_seen_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_delivery_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class NotificationSettings(SQLModel, table=True):
    """How and when a person wants reminders; absent row = the defaults below."""

    __tablename__ = "notification_settings"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    quiet_from: str = Field(default="21:00", max_length=5)  # HH:MM, Europe/Stockholm
    quiet_until: str = Field(default="07:00", max_length=5)
    # Off: the lock screen says only "Du har en påminnelse från Nära".
    detailed_text: bool = False
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
