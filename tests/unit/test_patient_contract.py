"""Care contacts and agreed times: what is coming, what has been, and only one's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from naranara.models import AgreedTimeStatus, User
from naranara.services import patient_contract
from tests.utils.factories import make_agreed_time, make_contact, make_user

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


@pytest.fixture
def bo(db: Session) -> User:
    return make_user(db, username="bo")


def purposes(rows) -> list[str]:  # noqa: ANN001 - a list of AgreedTime
    return [row.purpose for row in rows]


@pytest.fixture
def calendar(db: Session, anna: User, bo: User) -> None:
    """Anna's times, added out of order, and one of Bo's that is sooner than all of hers."""
    for purpose, starts_at, status in [
        ("changed, later", at(20, 9), AgreedTimeStatus.CHANGED),
        ("long ago", at(1, 9), AgreedTimeStatus.PLANNED),
        ("planned, soon", at(12, 9), AgreedTimeStatus.PLANNED),
        ("cancelled, sooner", at(11, 9), AgreedTimeStatus.CANCELLED),
        ("last week", at(5, 9), AgreedTimeStatus.PLANNED),
        ("cancelled in the past", at(6, 9), AgreedTimeStatus.CANCELLED),
    ]:
        make_agreed_time(db, anna, starts_at=starts_at, status=status, purpose=purpose)
    make_agreed_time(db, bo, starts_at=at(10, 13), purpose="Bo's visit")
    db.commit()


@pytest.mark.usefixtures("calendar")
def test_upcoming_times_are_soonest_first_and_include_cancelled(db: Session, anna: User) -> None:
    upcoming = patient_contract.upcoming_agreed_times(session=db, resident_id=anna.id, now=NOW)
    assert purposes(upcoming) == ["cancelled, sooner", "planned, soon", "changed, later"]
    assert [row.status for row in upcoming] == [
        AgreedTimeStatus.CANCELLED,
        AgreedTimeStatus.PLANNED,
        AgreedTimeStatus.CHANGED,
    ]


@pytest.mark.usefixtures("calendar")
def test_upcoming_times_can_be_limited(db: Session, anna: User) -> None:
    upcoming = patient_contract.upcoming_agreed_times(
        session=db, resident_id=anna.id, now=NOW, limit=2
    )
    assert purposes(upcoming) == ["cancelled, sooner", "planned, soon"]


@pytest.mark.usefixtures("calendar")
def test_past_times_are_latest_first(db: Session, anna: User) -> None:
    past = patient_contract.past_agreed_times(session=db, resident_id=anna.id, now=NOW)
    assert purposes(past) == ["cancelled in the past", "last week", "long ago"]
    limited = patient_contract.past_agreed_times(session=db, resident_id=anna.id, now=NOW, limit=1)
    assert purposes(limited) == ["cancelled in the past"]


@pytest.mark.usefixtures("calendar")
def test_next_time_skips_cancelled_ones(db: Session, anna: User) -> None:
    following = patient_contract.next_agreed_time(session=db, resident_id=anna.id, now=NOW)
    assert following is not None
    assert following.purpose == "planned, soon"


def test_a_time_under_way_is_upcoming_and_next_until_it_ends(db: Session, anna: User) -> None:
    make_agreed_time(db, anna, starts_at=NOW - timedelta(minutes=10), minutes=30, purpose="now")
    make_agreed_time(db, anna, starts_at=NOW + timedelta(hours=1), purpose="later")
    db.commit()
    upcoming = patient_contract.upcoming_agreed_times(session=db, resident_id=anna.id, now=NOW)
    assert purposes(upcoming) == ["now", "later"]
    assert patient_contract.next_agreed_time(session=db, resident_id=anna.id, now=NOW).purpose == (
        "now"
    )
    after = NOW + timedelta(minutes=21)
    assert purposes(
        patient_contract.upcoming_agreed_times(session=db, resident_id=anna.id, now=after)
    ) == ["later"]
    assert purposes(
        patient_contract.past_agreed_times(session=db, resident_id=anna.id, now=after)
    ) == ["now"]


def test_every_time_is_either_upcoming_or_past_never_both(db: Session, anna: User) -> None:
    make_agreed_time(db, anna, starts_at=NOW - timedelta(minutes=30), minutes=30, purpose="edge")
    db.commit()
    for offset_minutes in (-31, -30, -29, -1, 0, 1, 29, 30, 31):
        now = NOW + timedelta(minutes=offset_minutes)
        upcoming = patient_contract.upcoming_agreed_times(session=db, resident_id=anna.id, now=now)
        past = patient_contract.past_agreed_times(session=db, resident_id=anna.id, now=now)
        assert len(upcoming) + len(past) == 1, offset_minutes
        # A time is over once it has ended; until then the resident still needs to see it.
        assert bool(upcoming) == (offset_minutes <= 0), offset_minutes


def test_no_next_time_when_all_coming_ones_are_cancelled(db: Session, anna: User) -> None:
    make_agreed_time(db, anna, starts_at=at(11, 9), status=AgreedTimeStatus.CANCELLED)
    make_agreed_time(db, anna, starts_at=at(9, 9))  # over
    db.commit()
    assert patient_contract.next_agreed_time(session=db, resident_id=anna.id, now=NOW) is None


@pytest.mark.usefixtures("calendar")
def test_residents_see_only_their_own_times(db: Session, anna: User, bo: User) -> None:
    everything = patient_contract.upcoming_agreed_times(
        session=db, resident_id=anna.id, now=at(1, 0)
    ) + patient_contract.past_agreed_times(session=db, resident_id=anna.id, now=at(30, 0))
    assert "Bo's visit" not in purposes(everything)
    assert {row.resident_id for row in everything} == {anna.id}

    assert purposes(
        patient_contract.upcoming_agreed_times(session=db, resident_id=bo.id, now=NOW)
    ) == ["Bo's visit"]
    assert patient_contract.past_agreed_times(session=db, resident_id=bo.id, now=NOW) == []
    assert patient_contract.next_agreed_time(session=db, resident_id=bo.id, now=NOW).purpose == (
        "Bo's visit"
    )

    nobody = make_user(db, username="nobody")
    assert patient_contract.upcoming_agreed_times(session=db, resident_id=nobody.id, now=NOW) == []
    assert patient_contract.next_agreed_time(session=db, resident_id=nobody.id, now=NOW) is None


def test_care_contacts_are_the_residents_own_in_the_order_added(
    db: Session, anna: User, bo: User
) -> None:
    make_contact(db, anna, name="Maria Sjöberg")
    make_contact(db, bo, name="Bos kontakt")
    make_contact(db, anna, name="Johan Berg")
    db.commit()
    assert [c.name for c in patient_contract.care_contacts(session=db, resident_id=anna.id)] == [
        "Maria Sjöberg",
        "Johan Berg",
    ]
    assert [c.name for c in patient_contract.care_contacts(session=db, resident_id=bo.id)] == [
        "Bos kontakt"
    ]
