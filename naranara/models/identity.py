"""Sign-ins through an OpenID Provider, linked to accounts by (issuer, subject), never e-mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class ExternalIdentity(SQLModel, table=True):
    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=255)
    # The provider's stable `sub` for this person (OIDC allows up to 255 ASCII characters).
    subject: str = Field(max_length=255)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_sign_in_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
