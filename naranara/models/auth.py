"""Server-side sign-in sessions and the one-time tickets that start them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Column, Field, SQLModel

from naranara.models.types import UTCDateTime


class AuthSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the cookie value is stored."""

    __tablename__ = "auth_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # For a sign-in through an OpenID Provider: its issuer and the ID token, kept only
    # on the server, for RP-initiated logout (``id_token_hint``).
    oidc_issuer: str | None = Field(default=None, max_length=255)
    oidc_id_token: str | None = Field(default=None, sa_column=Column(Text))


class LoginTicket(SQLModel, table=True):
    """Proof of a correct password, exchanged once for a session cookie.

    The password is checked over the websocket, which cannot set an HttpOnly
    cookie; a plain HTTP request swaps this ticket for one. The ticket is bound
    to the browser's device cookie so it cannot sign someone else's browser in.
    """

    __tablename__ = "login_ticket"

    ticket_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    device_hash: str = Field(max_length=64)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
