"""Agreed times as iCalendar (RFC 5545): one time's .ics and a private subscription feed.

Times are written in Europe/Stockholm with a VTIMEZONE, so a phone shows the
wall-clock time that was agreed, across daylight-saving changes too. A feed is
reached through a random token; only its SHA-256 is stored (as session cookies).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import gettext
from naranara.models import AgreedTime, AgreedTimeStatus, CalendarFeed
from naranara.services.sessions import token_digest
from naranara.settings import DISPLAY_TIMEZONE

PRODUCT_ID = "-//Nära//Överenskomna tider//SV"
# How far back a feed reaches: a phone keeps showing last week's visit, not years of them.
FEED_HISTORY = timedelta(days=90)
# Phones poll a subscription at their own pace; this asks for about hourly.
REFRESH_INTERVAL = timedelta(hours=1)


def event_uid(item: AgreedTime) -> str:
    """The same for every version of a time, so calendars update it instead of adding one."""
    return f"agreed-time-{item.id}@nara"


def _description(item: AgreedTime, locale: str) -> str:
    # Labels outside f-strings: pybabel's extractor does not look inside them.
    parts = (
        (gettext(locale, "With"), item.with_whom),
        (gettext(locale, "Before the visit"), item.prepare),
        (gettext(locale, "Meeting link"), item.meeting_url),
    )
    return "\n".join(f"{label}: {value}" for label, value in parts if value)


def _location(item: AgreedTime) -> str:
    return ", ".join(part for part in (item.place, item.address) if part) or item.meeting_url


def event_for(item: AgreedTime, *, locale: str) -> Event:
    event = Event.new(
        uid=event_uid(item),
        start=item.starts_at.astimezone(DISPLAY_TIMEZONE),
        end=item.ends_at.astimezone(DISPLAY_TIMEZONE),
        summary=item.purpose,
        sequence=item.version,
        status="CANCELLED" if item.status is AgreedTimeStatus.CANCELLED else "CONFIRMED",
        stamp=clock.now(),
        last_modified=item.updated_at,
        created=item.created_at,
    )
    if location := _location(item):
        event.add("location", location)
    if description := _description(item, locale):
        event.add("description", description)
    if item.meeting_url:
        event.add("url", item.meeting_url)
    return event


def _calendar(items: Iterable[AgreedTime], *, locale: str, feed: bool) -> bytes:
    calendar = Calendar.new(
        prodid=PRODUCT_ID,
        name=gettext(locale, "Agreed times (Nära)") if feed else None,
        refresh_interval=REFRESH_INTERVAL if feed else None,
    )
    # PUBLISH: a copy of the time for the calendar, not an invitation to answer.
    calendar.add("method", "PUBLISH")
    for item in items:
        calendar.add_component(event_for(item, locale=locale))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def single_time_ics(item: AgreedTime, *, locale: str) -> bytes:
    return _calendar([item], locale=locale, feed=False)


def feed_times(*, session: Session, resident_id: int, now: datetime) -> list[AgreedTime]:
    """Upcoming times and those of the last ``FEED_HISTORY``, cancelled ones included."""
    return list(
        session.exec(
            select(AgreedTime)
            .where(AgreedTime.resident_id == resident_id, AgreedTime.ends_at >= now - FEED_HISTORY)
            .order_by(col(AgreedTime.starts_at))
        ).all()
    )


def feed_ics(items: Iterable[AgreedTime], *, locale: str) -> bytes:
    return _calendar(items, locale=locale, feed=True)


# ---------------------------------------------------------------------------- feed tokens


def active_feed(*, session: Session, resident_id: int) -> CalendarFeed | None:
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.resident_id == resident_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()


def create_feed(*, session: Session, resident_id: int) -> str:
    """A new subscription link's token (shown once); any earlier link stops working."""
    revoke_feed(session=session, resident_id=resident_id)
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(resident_id=resident_id, token_hash=token_digest(token)))
    session.flush()
    return token


def revoke_feed(*, session: Session, resident_id: int) -> int:
    """Stop every active link of the resident; how many there were."""
    now = clock.now()
    rows = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.resident_id == resident_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).all()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    session.flush()
    return len(rows)


def resolve_feed(*, session: Session, token: str | None) -> CalendarFeed | None:
    """The active feed a token opens, marked as fetched now; None for anything else."""
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_digest(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    row.last_fetched_at = clock.now()
    session.add(row)
    return row
