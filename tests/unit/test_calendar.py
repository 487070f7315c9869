"""Agreed times as iCalendar, read back with icalendar, and the feed's tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from naranara.models import AgreedTimeStatus, CalendarFeed, User
from naranara.services import calendar, patient_contract
from naranara.services.sessions import token_digest
from naranara.settings import DISPLAY_TIMEZONE
from tests.utils.factories import make_agreed_time, make_user

pytestmark = pytest.mark.time_sensitive

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def test_a_time_across_the_spring_change_keeps_its_wall_clock(db: Session, anna: User) -> None:
    # Sunday 29 March 2026: clocks go from 02.00 to 03.00 in Stockholm.
    item = patient_contract.add_agreed_time(
        session=db,
        resident_id=anna.id,
        actor_id=anna.id,
        now=NOW,
        data={
            "date": "2026-03-29",
            "start": "01.30",
            "end": "03.30",
            "purpose": "Nattbesök",
            "with_whom": "Hemsjukvården",
            "place": "Hemma",
            "address": "Storgatan 1",
            "meeting_url": "https://mote.example.se/abc",
            "prepare": "Lås upp dörren",
        },
    )
    parsed = parse(calendar.single_time_ics(item, locale="sv"))
    (event,) = parsed.events
    assert event.start == datetime(2026, 3, 29, 1, 30, tzinfo=DISPLAY_TIMEZONE)
    assert event.end == datetime(2026, 3, 29, 3, 30, tzinfo=DISPLAY_TIMEZONE)
    assert event.end - event.start == timedelta(hours=2)
    assert event.end.astimezone(UTC) - event.start.astimezone(UTC) == timedelta(hours=1)
    assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert [tz.tz_name for tz in parsed.timezones] == ["Europe/Stockholm"]
    assert str(event["SUMMARY"]) == "Nattbesök"
    assert str(event["LOCATION"]) == "Hemma, Storgatan 1"
    assert str(event["DESCRIPTION"]) == (
        "Med: Hemsjukvården\nInför besöket: Lås upp dörren\nMöteslänk: https://mote.example.se/abc"
    )
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event.uid == f"agreed-time-{item.id}@nara"
    assert "LAST-MODIFIED" in event


def test_a_cancelled_time_is_cancelled_in_the_calendar_with_a_higher_sequence(
    db: Session, anna: User
) -> None:
    item = make_agreed_time(db, anna, starts_at=NOW + timedelta(days=1))
    first = parse(calendar.single_time_ics(item, locale="en")).events[0]
    patient_contract.cancel_agreed_time(
        session=db, resident_id=anna.id, time_id=item.id, actor_id=anna.id, expected_version=0
    )
    second = parse(calendar.single_time_ics(item, locale="en")).events[0]
    assert first.uid == second.uid
    assert (str(first["STATUS"]), str(second["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert second["SEQUENCE"] > first["SEQUENCE"]


def test_the_feed_has_upcoming_and_recent_times_of_its_resident_only(
    db: Session, anna: User
) -> None:
    bo = make_user(db, username="bo")
    make_agreed_time(db, anna, starts_at=NOW + timedelta(days=3), purpose="soon")
    make_agreed_time(
        db,
        anna,
        starts_at=NOW + timedelta(days=4),
        purpose="off",
        status=AgreedTimeStatus.CANCELLED,
    )
    make_agreed_time(db, anna, starts_at=NOW - timedelta(days=10), purpose="recent")
    make_agreed_time(db, anna, starts_at=NOW - timedelta(days=200), purpose="long ago")
    make_agreed_time(db, bo, starts_at=NOW + timedelta(days=1), purpose="Bo's")
    items = calendar.feed_times(session=db, resident_id=anna.id, now=NOW)
    events = parse(calendar.feed_ics(items, locale="sv")).events
    assert [str(e["SUMMARY"]) for e in events] == ["recent", "soon", "off"]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]


def test_a_feed_token_is_stored_only_as_its_digest_and_can_be_stopped(
    db: Session, anna: User
) -> None:
    token = calendar.create_feed(session=db, resident_id=anna.id)
    assert len(token) >= 43
    (row,) = db.exec(select(CalendarFeed)).all()
    assert row.token_hash == token_digest(token) and token not in row.token_hash
    found = calendar.resolve_feed(session=db, token=token)
    assert found is not None and found.resident_id == anna.id
    assert found.last_fetched_at is not None
    assert calendar.resolve_feed(session=db, token=token + "x") is None
    assert calendar.resolve_feed(session=db, token="") is None
    # A new link replaces the old one.
    newer = calendar.create_feed(session=db, resident_id=anna.id)
    assert calendar.resolve_feed(session=db, token=token) is None
    assert calendar.active_feed(session=db, resident_id=anna.id).token_hash == token_digest(newer)
    assert calendar.revoke_feed(session=db, resident_id=anna.id) == 1
    assert calendar.resolve_feed(session=db, token=newer) is None
    assert calendar.active_feed(session=db, resident_id=anna.id) is None
