"""People who sign in: residents, relatives, staff and administrators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class Role(StrEnum):
    RESIDENT = "resident"
    RELATIVE = "relative"
    STAFF = "staff"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: Role = Field(default=Role.RESIDENT, max_length=16)
    locale: str = Field(default="sv", max_length=8)
    # Empty for accounts that only sign in through an identity provider.
    password_hash: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # Raised whenever what this person may see changes (grants, care relationships, unit
    # memberships): the websocket client-token binding includes it, so a reconnect after
    # such a change finds none of the old state (services/access.bump_access_version).
    access_version: int = 0
    # An administrator deactivated the account: no sign-in, no session resolves to it.
    deactivated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
