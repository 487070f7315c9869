"""Self-care guidance (egenvårdsråd) written and published by staff."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from naranara.models.types import UTCDateTime


class GuidanceArticle(SQLModel, table=True):
    __tablename__ = "guidance_article"
    __table_args__ = (UniqueConstraint("slug", "locale"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, index=True)
    locale: str = Field(default="sv", max_length=8)
    title: str = Field(max_length=200)
    summary: str = Field(max_length=400)
    body_markdown: str
    category: str = Field(max_length=40, index=True)
    reading_minutes: int = 3
    reviewed_on: date
    responsible_unit: str = Field(max_length=160)
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
