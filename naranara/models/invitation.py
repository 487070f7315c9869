"""A resident's invitation to a relative (ombud): a one-time code, only its hash stored."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class ProxyInvitation(SQLModel, table=True):
    """What the resident chose to share, waiting for the relative to accept it once."""

    __tablename__ = "proxy_invitation"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    # SHA-256 of the code in the link: the code itself is shown once and never stored.
    token_hash: str = Field(max_length=64, unique=True)
    # ProxyScope values, comma-separated, in the order of ProxyScope.
    scopes: str = Field(max_length=200)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    accepted_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class ProxyInvitationHold(SQLModel, table=True):
    """An invitation opened in a browser that is not signed in, kept for that browser.

    While the person signs in, creates an account or goes through an identity
    provider, the invitation waits here under the hash of the browser's HttpOnly
    device cookie: the code itself never travels in another address. One hold per
    browser (the invitation opened last), for a short while.
    """

    __tablename__ = "proxy_invitation_hold"

    device_hash: str = Field(primary_key=True, max_length=64)
    invitation_id: int = Field(foreign_key="proxy_invitation.id", index=True, ondelete="CASCADE")
    held_until: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
