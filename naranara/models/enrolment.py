"""A resident enrolled by a care unit, and the one-time activation that lets them in.

The personnummer is never stored: only a keyed hash to match an identity provider's
claim against (services/personnummer.py) and the birth date part to show, masked.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class Enrolment(SQLModel, table=True):
    __tablename__ = "enrolment"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", unique=True, ondelete="CASCADE")
    enrolled_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    enrolled_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # How the care unit reaches the person: a phone number (E.164) and free words.
    phone: str = Field(default="", max_length=40)
    how_to_reach: str = Field(default="", max_length=300)
    # HMAC-SHA256 of the 12 digits with the deployment's personnummer key; None if not given.
    personnummer_hash: str | None = Field(default=None, max_length=64, unique=True)
    personnummer_masked: str = Field(default="", max_length=16)  # "19450312-••••"
    activated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class ResidentActivation(SQLModel, table=True):
    """One activation code: valid 14 days, used once; only its SHA-256 is kept."""

    __tablename__ = "resident_activation"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
