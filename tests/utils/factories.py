"""Small builders for rows the unit tests need; each flushes so ids are set."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from naranara.models import (
    AgreedTime,
    AgreedTimeStatus,
    CareContact,
    GuidanceArticle,
    Role,
    SelfCareTask,
    User,
)
from naranara.services.accounts import create_user

_numbers = itertools.count(1)

# A fixed moment in the past, so "published" never depends on the clock.
PUBLISHED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def make_user(
    session: Session,
    *,
    username: str | None = None,
    role: Role = Role.RESIDENT,
    password: str | None = None,
    locale: str = "sv",
) -> User:
    """A user through the real ``create_user``; without a password unless one is given
    (hashing costs ~50 ms)."""
    username = username or f"user{next(_numbers)}"
    return create_user(
        session=session,
        username=username,
        display_name=username.title(),
        role=role,
        password=password,
        locale=locale,
    )


def make_task(
    session: Session,
    resident: User,
    *,
    title: str | None = None,
    recurrence: str = "RRULE:FREQ=DAILY",
    time_of_day: str = "08:00",
    starts_on: date = date(2026, 1, 1),
    active: bool = True,
    article_id: int | None = None,
) -> SelfCareTask:
    task = SelfCareTask(
        resident_id=resident.id,
        title=title or f"Task {next(_numbers)}",
        recurrence=recurrence,
        time_of_day=time_of_day,
        starts_on=starts_on,
        active=active,
        article_id=article_id,
    )
    session.add(task)
    session.flush()
    return task


def make_agreed_time(
    session: Session,
    resident: User,
    *,
    starts_at: datetime,
    minutes: int = 30,
    status: AgreedTimeStatus = AgreedTimeStatus.PLANNED,
    purpose: str | None = None,
) -> AgreedTime:
    agreed = AgreedTime(
        resident_id=resident.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        purpose=purpose or f"Visit {next(_numbers)}",
        status=status,
    )
    session.add(agreed)
    session.flush()
    return agreed


def make_contact(session: Session, resident: User, *, name: str | None = None) -> CareContact:
    contact = CareContact(
        resident_id=resident.id,
        name=name or f"Contact {next(_numbers)}",
        role_title="Fast vårdkontakt",
        organisation="Region Västernorrland",
    )
    session.add(contact)
    session.flush()
    return contact


def make_article(
    session: Session,
    *,
    slug: str,
    locale: str = "sv",
    title: str | None = None,
    category: str = "allmant",
    published_at: datetime | None = PUBLISHED,
    body_markdown: str = "## Så gör du\n\n- Ett steg.\n",
) -> GuidanceArticle:
    article = GuidanceArticle(
        slug=slug,
        locale=locale,
        title=title or f"{slug} ({locale})",
        summary="Sammanfattning",
        body_markdown=body_markdown,
        category=category,
        reviewed_on=date(2026, 1, 1),
        responsible_unit="Hälsocentralen Nacksta",
        published_at=published_at,
    )
    session.add(article)
    session.flush()
    return article
