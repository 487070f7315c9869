"""Care units (vårdenheter) and the staff who work in them.

A unit is a region's health centre or a municipality's home care. Staff reach a
resident's data through a unit: a resident in the care of a unit (a
``CareRelationship``) is in the care of every staff member of that unit, so a
colleague can cover. What the resident shares with a unit of her own accord
(self-care, measurements) is a ``CareShare`` per unit and scope.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class CareUnit(SQLModel, table=True):
    __tablename__ = "care_unit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, unique=True, index=True)  # "Hälsocentralen Nacksta"
    organisation: str = Field(default="", max_length=160)  # "Region Västernorrland"
    kind: str = Field(default="region", max_length=16)  # an OrganisationKind value
    phone: str = Field(default="", max_length=40)  # E.164; printed on the activation sheet
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )


class UnitMembership(SQLModel, table=True):
    """A staff member works in a unit from ``started_at`` until ``ended_at``."""

    __tablename__ = "unit_membership"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="care_unit.id", index=True, ondelete="CASCADE")
    staff_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    added_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class CareShare(SQLModel, table=True):
    """The resident lets a care unit follow one kind of self-monitoring (egenmonitorering).

    ``scope`` is a ProxyScope value: ``self_care`` or ``measurements``.
    """

    __tablename__ = "care_share"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    unit_id: int = Field(foreign_key="care_unit.id", index=True, ondelete="CASCADE")
    scope: str = Field(max_length=32)
    granted_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
