"""The coordinated plan (sammanhållen plan, SIP-style): goals and who does what."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class Responsible(StrEnum):
    RESIDENT = "resident"
    REGION = "region"
    MUNICIPALITY = "municipality"
    RELATIVE = "relative"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    DONE = "done"
    PAUSED = "paused"


class CarePlanGoal(SQLModel, table=True):
    """A goal in the resident's own words."""

    __tablename__ = "care_plan_goal"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=500)
    status: GoalStatus = Field(default=GoalStatus.ACTIVE, max_length=16)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )


class CarePlanActivity(SQLModel, table=True):
    """Something someone does towards the plan, with a follow-up date."""

    __tablename__ = "care_plan_activity"

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    goal_id: int | None = Field(default=None, foreign_key="care_plan_goal.id", ondelete="SET NULL")
    description: str = Field(max_length=500)
    responsible: Responsible = Field(max_length=16)
    responsible_name: str = Field(default="", max_length=160)  # "Hemtjänsten Haga", "Erik"
    follow_up_on: date | None = None
    status: ActivityStatus = Field(default=ActivityStatus.PLANNED, max_length=16)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
