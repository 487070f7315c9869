"""The offline copy: per device by choice, bounded, formatted for the reader, and gone when
turned off or signed out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock
from naranara.models import AgreedTimeStatus, GuidanceRead, OfflineCopyDevice, User
from naranara.services import offline_copy, profile
from tests.utils.factories import make_agreed_time, make_article, make_contact, make_task, make_user

pytestmark = pytest.mark.time_sensitive


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


@pytest.mark.both_databases("one row per person and device: the unique constraint")
def test_turning_on_twice_keeps_one_row_and_turning_off_removes_it(db: Session, anna: User) -> None:
    assert not offline_copy.is_on(session=db, user_id=anna.id, device_token="phone")
    offline_copy.turn_on(session=db, user_id=anna.id, device_token="phone")
    offline_copy.turn_on(session=db, user_id=anna.id, device_token="phone")
    db.commit()
    [row] = db.exec(select(OfflineCopyDevice)).all()
    assert row.device_hash == offline_copy.device_hash("phone") != "phone"  # never the cookie
    assert offline_copy.is_on(session=db, user_id=anna.id, device_token="phone")
    assert not offline_copy.is_on(session=db, user_id=anna.id, device_token="laptop")
    assert offline_copy.turn_off(session=db, user_id=anna.id, device_token="phone")
    assert not offline_copy.turn_off(session=db, user_id=anna.id, device_token="phone")
    assert db.exec(select(OfflineCopyDevice)).all() == []


def test_no_device_cookie_keeps_nothing(db: Session, anna: User) -> None:
    with pytest.raises(ValueError):
        offline_copy.turn_on(session=db, user_id=anna.id, device_token="")
    assert not offline_copy.is_on(session=db, user_id=anna.id, device_token="")


def test_signing_out_forgets_the_device_and_everywhere_forgets_the_person(
    db: Session, anna: User
) -> None:
    bo = make_user(db, username="bo")
    for user, device in ((anna, "shared"), (bo, "shared"), (anna, "phone"), (bo, "bos")):
        offline_copy.turn_on(session=db, user_id=user.id, device_token=device)
    assert offline_copy.forget_device(session=db, device_token="shared") == 2
    assert offline_copy.forget_user(session=db, user_id=anna.id) == 1
    left = db.exec(select(OfflineCopyDevice)).all()
    assert [(row.user_id, row.device_hash) for row in left] == [
        (bo.id, offline_copy.device_hash("bos"))
    ]


def test_the_copy_holds_what_matters_now_in_the_readers_words(db: Session, anna: User) -> None:
    now = clock.now()
    make_agreed_time(db, anna, starts_at=now + timedelta(days=2), purpose="Hembesök")
    make_agreed_time(
        db,
        anna,
        starts_at=now + timedelta(days=3),
        purpose="Tandläkaren",
        status=AgreedTimeStatus.CANCELLED,
    )
    make_agreed_time(db, anna, starts_at=now + timedelta(days=40), purpose="Långt bort")
    make_agreed_time(db, anna, starts_at=now - timedelta(days=2), purpose="Förbi")
    contact = make_contact(db, anna, name="Maria Ek")
    contact.phone = "+46601234500"
    db.add(contact)
    make_task(db, anna, title="Väg dig", time_of_day="08:00", starts_on=clock.today())
    make_article(
        db, slug="hjartsvikt", title="Leva med hjärtsvikt", body_markdown="Väg dig **varje** dag."
    )
    make_article(db, slug="oläst", title="Inte läst")
    db.add(GuidanceRead(resident_id=anna.id, slug="hjartsvikt"))
    profile.save(
        session=db,
        resident_id=anna.id,
        changes={"important_to_me": "Att få bo kvar hemma.", "needs_interpreter": True},
        expected_version=0,
        changed_by_id=anna.id,
    )
    db.flush()

    copy = offline_copy.build(session=db, resident_id=anna.id, locale="sv", now=now)

    assert [t["purpose"] for t in copy["times"]] == ["Hembesök", "Tandläkaren"]
    assert [t["cancelled"] for t in copy["times"]] == [False, True]
    assert " kl. " in copy["times"][0]["when"]
    assert copy["contacts"] == [
        {
            "id": contact.id,
            "name": "Maria Ek",
            "role": "Fast vårdkontakt",
            "organisation": "Region Västernorrland",
            "phone": "060-123 45 00",
            "tel": "tel:+46601234500",
            "openingHours": "",
        }
    ]
    assert [(t["title"], t["today"]) for t in copy["tasks"]] == [
        ("Väg dig", True),
        ("Väg dig", False),
    ]
    # Only the sections filled in, worded as the summary page words them.
    assert copy["whatMatters"] == [
        {
            "title": "Det här är viktigt för mig",
            "items": [{"label": "", "text": "Att få bo kvar hemma."}],
        },
        {"title": "Språk och tolk", "items": [{"label": "Jag behöver tolk", "text": "Ja"}]},
    ]
    assert [g["title"] for g in copy["guidance"]] == ["Leva med hjärtsvikt"]
    assert "<strong>varje</strong>" in copy["guidance"][0]["html"]
    assert copy["updatedLabel"].startswith("Uppdaterad i dag ")
    english = offline_copy.build(session=db, resident_id=anna.id, locale="en", now=now)
    assert english["updatedLabel"].startswith("Updated today ")


def test_the_copy_is_bounded(db: Session, anna: User) -> None:
    now = clock.now()
    for hours in range(1, offline_copy.LIMITS["times"] + 10):
        make_agreed_time(db, anna, starts_at=now + timedelta(hours=hours * 12))
    copy = offline_copy.build(session=db, resident_id=anna.id, locale="sv", now=now)
    assert len(copy["times"]) == offline_copy.LIMITS["times"]


def test_a_copy_another_day_says_which_day(db: Session, anna: User) -> None:
    now = clock.now()
    label = offline_copy.updated_label(now - timedelta(days=2), now=now, locale="sv")
    assert label.startswith("Uppdaterad ") and "i dag" not in label
