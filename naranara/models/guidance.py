"""Self-care guidance (egenvårdsråd) written, reviewed and published by staff.

``GuidanceArticle`` is one language variant of an article (Swedish, easy-to-read Swedish,
English) and holds what residents see: the text of the version published last. Every
draft, review and publication is a ``GuidanceVersion``; residents never read versions, so a
draft of a published article changes nothing they see until it is published itself.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import UniqueConstraint
from sqlmodel import Column, Field, SQLModel

from naranara import clock
from naranara.models.types import UTCDateTime


class GuidanceArticle(SQLModel, table=True):
    __tablename__ = "guidance_article"
    __table_args__ = (
        UniqueConstraint("slug", "locale", "easy_read", name="uq_guidance_article_variant"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, index=True)
    locale: str = Field(default="sv", max_length=8)
    easy_read: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    title: str = Field(max_length=200)
    summary: str = Field(max_length=400)
    body_markdown: str
    # When to call 1177 or 112, shown in a marked box; "" for articles without one.
    warning_markdown: str = Field(default="", sa_column_kwargs={"server_default": ""})
    category: str = Field(max_length=40, index=True)
    reading_minutes: int = 3
    reviewed_on: date
    responsible_unit: str = Field(max_length=160)
    # None: not (or no longer) published. Residents see the article once this time has come.
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))


class VersionStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"  # ready for another staff member to review
    SCHEDULED = "scheduled"  # approved, goes live at ``publish_at``
    PUBLISHED = "published"  # what residents see now
    REPLACED = "replaced"  # was published, a newer version took its place
    UNPUBLISHED = "unpublished"  # was published, then taken down


class GuidanceVersion(SQLModel, table=True):
    """One version of an article variant's text, with who wrote and who approved it."""

    __tablename__ = "guidance_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="guidance_article.id", index=True, ondelete="CASCADE")
    number: int
    status: str = Field(default=VersionStatus.DRAFT.value, max_length=20, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(max_length=400)
    body_markdown: str
    warning_markdown: str = ""
    category: str = Field(max_length=40)
    reading_minutes: int = 3
    reviewed_on: date
    responsible_unit: str = Field(max_length=160)
    # Who started the version and who changed it last: neither may approve it.
    author_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    last_editor_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    reviewer_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    restored_from: int | None = None  # the number of the version this one was restored from
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime, nullable=False)
    )
    # When it went live, or (scheduled) when it will.
    publish_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))


class GuidanceRead(SQLModel, table=True):
    """An article a resident has opened, so "Råd till dig" can offer what they have not read.

    Only the pair is kept, not when or how often: it is the resident's own, used for nothing
    else and shown to no one (services/guidance_suggestions.py). Any language version counts.
    """

    __tablename__ = "guidance_read"
    __table_args__ = (UniqueConstraint("resident_id", "slug", name="uq_guidance_read"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    slug: str = Field(max_length=100)
