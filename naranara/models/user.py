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
    # Goes up by one whenever what this person may see of others changes (a grant or a
    # care relationship starts, changes or ends: services/access.bump_access_version).
    # Folded into the key of each tab's server-side state, so a tab that reconnects
    # after such a change starts from nothing it may no longer see.
    access_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # An administrator deactivated the account: no sign-in, no session resolves to it.
    deactivated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
