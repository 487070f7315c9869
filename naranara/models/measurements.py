"""Values the resident measures at home: weight, blood pressure, glucose and more."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class MeasurementKind(StrEnum):
    WEIGHT = "weight"  # kg
    BLOOD_PRESSURE = "blood_pressure"  # systolic in value, diastolic in value2, mmHg
    GLUCOSE = "blood_glucose"  # mmol/l
    PULSE = "pulse"  # beats per minute
    STEPS = "steps"
    MOOD = "mood"  # 1-5
    CUSTOM = "custom"  # the resident's own name and unit


class Measurement(SQLModel, table=True):
    __tablename__ = "measurement"
    __table_args__ = (
        Index("ix_measurement_resident_kind_at", "resident_id", "kind", "measured_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)  # a MeasurementKind value
    value: float
    value2: float | None = None  # the diastolic pressure
    unit: str = Field(default="", max_length=20)
    custom_name: str = Field(default="", max_length=60)
    measured_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    recorded_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    task_id: int | None = Field(default=None, foreign_key="self_care_task.id", ondelete="SET NULL")
