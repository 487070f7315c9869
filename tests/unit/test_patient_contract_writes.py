"""Writing contacts and agreed times: validation, history, versions, audit, and fuzzing."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from naranara import inputs
from naranara.db import session_scope
from naranara.inputs import InputInvalid
from naranara.models import (
    AgreedTime,
    AgreedTimeChange,
    AgreedTimeStatus,
    AuditEvent,
    CareContact,
    Role,
    User,
)
from naranara.services import access, care_units, patient_contract
from naranara.services.patient_contract import NotFound, VersionConflict
from tests.utils.factories import make_user

pytestmark = pytest.mark.both_databases("versions checked by a conditional UPDATE")

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CONTACT = {
    "name": "Maria Sjöberg",
    "role_title": "Fast vårdkontakt",
    "organisation": "Region Västernorrland",
    "organisation_kind": "region",
    "unit": "Hälsocentralen Nacksta",
    "phone": "060-123 45 00",
    "opening_hours": "Måndag–fredag 8–16",
    "reach_by": ["phone", "message_1177"],
    "how_to_reach": "Ring på förmiddagen",
}
TIME = {
    "date": "2026-03-17",
    "start": "14.30",
    "end": "15:00",
    "purpose": "Uppföljning",
    "with_whom": "Maria",
    "place": "Hälsocentralen",
    "address": "Nackstavägen 12",
    "meeting_url": "",
    "prepare": "Ta med läkemedelslistan",
}


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


@pytest.fixture
def stina(db: Session, anna: User) -> User:
    staff = make_user(db, username="stina", role=Role.STAFF)
    access.record_care_relationship(session=db, staff_id=staff.id, resident_id=anna.id)
    return staff


def audits(db: Session) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent)).all())


def test_a_contact_is_saved_with_a_normalised_phone(db: Session, anna: User) -> None:
    contact = patient_contract.add_care_contact(
        session=db, resident_id=anna.id, actor_id=anna.id, data=CONTACT
    )
    assert contact.phone == "+46601234500"
    assert patient_contract.display_phone(contact.phone) == "060-123 45 00"
    assert contact.reach_by == "message_1177,phone"
    assert contact.added_by_id == anna.id
    assert audits(db) == []  # the resident's own entry is not audited


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "   ", inputs.REQUIRED),
        ("role_title", "", inputs.REQUIRED),
        ("name", "x" * 121, inputs.TOO_LONG),
        ("phone", "12", patient_contract.ERROR_PHONE),
        ("phone", "call me", patient_contract.ERROR_PHONE),
        ("organisation_kind", "galaxy", inputs.CHOICE),
        ("reach_by", ["pigeon"], inputs.CHOICE),
    ],
)
def test_a_refused_contact_saves_nothing(
    db: Session, anna: User, field: str, value: object, error: str
) -> None:
    with pytest.raises(InputInvalid) as refused:
        patient_contract.add_care_contact(
            session=db, resident_id=anna.id, actor_id=anna.id, data={**CONTACT, field: value}
        )
    assert refused.value.errors == {field: error}
    assert db.exec(select(CareContact)).all() == []


def test_staff_edits_are_audited_and_others_contacts_are_not_found(
    db: Session, anna: User, stina: User
) -> None:
    contact = patient_contract.add_care_contact(
        session=db, resident_id=anna.id, actor_id=stina.id, data=CONTACT
    )
    patient_contract.update_care_contact(
        session=db,
        resident_id=anna.id,
        contact_id=contact.id,
        actor_id=stina.id,
        expected_version=0,
        data={**CONTACT, "name": "Maria S", "phone": "+47 22 12 34 56"},
    )
    assert contact.name == "Maria S" and contact.phone == "+4722123456"
    assert contact.version == 1
    assert patient_contract.display_phone(contact.phone) == "+47 22 12 34 56"
    bo = make_user(db, username="bo")
    with pytest.raises(NotFound):
        patient_contract.remove_care_contact(
            session=db, resident_id=bo.id, contact_id=contact.id, actor_id=bo.id, expected_version=1
        )
    patient_contract.remove_care_contact(
        session=db,
        resident_id=anna.id,
        contact_id=contact.id,
        actor_id=stina.id,
        expected_version=1,
    )
    assert db.exec(select(CareContact)).all() == []
    assert [(e.kind, e.actor_id, e.subject_id) for e in audits(db)] == [
        ("record_changed", stina.id, anna.id)
    ] * 3


@pytest.mark.both_databases("the version is claimed by a conditional UPDATE")
def test_a_contact_edit_from_an_old_version_overwrites_nothing(db: Session, anna: User) -> None:
    contact = patient_contract.add_care_contact(
        session=db, resident_id=anna.id, actor_id=anna.id, data=CONTACT
    )
    db.commit()

    def edit(version: int, name: str) -> CareContact:
        return patient_contract.update_care_contact(
            session=db,
            resident_id=anna.id,
            contact_id=contact.id,
            actor_id=anna.id,
            expected_version=version,
            data={**CONTACT, "name": name},
        )

    assert edit(0, "Maria Sjögren").version == 1  # the phone
    db.commit()
    with pytest.raises(VersionConflict) as conflict:
        edit(0, "Maria på surfplattan")  # the tablet, still on version 0
    db.rollback()
    assert (conflict.value.version, conflict.value.name) == (1, "Maria Sjögren")
    db.refresh(contact)
    assert (contact.name, contact.version) == ("Maria Sjögren", 1)
    # Saving unchanged fields is no change: the version stays for the other device.
    assert edit(1, "Maria Sjögren").version == 1
    # Having seen theirs, the tablet saves on their version and wins.
    assert edit(1, "Maria på surfplattan").version == 2
    db.commit()
    with pytest.raises(VersionConflict):
        patient_contract.remove_care_contact(
            session=db,
            resident_id=anna.id,
            contact_id=contact.id,
            actor_id=anna.id,
            expected_version=1,
        )
    db.rollback()
    assert db.get(CareContact, contact.id) is not None
    patient_contract.remove_care_contact(
        session=db, resident_id=anna.id, contact_id=contact.id, actor_id=anna.id, expected_version=2
    )
    assert db.get(CareContact, contact.id) is None


@pytest.mark.both_databases("two sessions race on one row's version")
def test_two_devices_saving_one_contact_at_once_one_wins(db: Session, anna: User) -> None:
    db.commit()
    with session_scope() as db:
        contact_id = patient_contract.add_care_contact(
            session=db, resident_id=anna.id, actor_id=anna.id, data=CONTACT
        ).id
    with session_scope() as phone, session_scope() as tablet:
        # Both read version 0; the phone claims it first; the tablet's claim finds none.
        for db in (phone, tablet):
            assert (
                patient_contract.care_contact_of(
                    session=db, resident_id=anna.id, contact_id=contact_id
                ).version
                == 0
            )
        patient_contract.update_care_contact(
            session=phone,
            resident_id=anna.id,
            contact_id=contact_id,
            actor_id=anna.id,
            expected_version=0,
            data={**CONTACT, "name": "Från telefonen"},
        )
        phone.commit()
        with pytest.raises(VersionConflict):
            patient_contract.update_care_contact(
                session=tablet,
                resident_id=anna.id,
                contact_id=contact_id,
                actor_id=anna.id,
                expected_version=0,
                data={**CONTACT, "name": "Från surfplattan"},
            )
    with session_scope() as db:
        assert db.get(CareContact, contact_id).name == "Från telefonen"


def test_an_agreed_time_is_stockholm_wall_clock_stored_in_utc(db: Session, anna: User) -> None:
    item = patient_contract.add_agreed_time(
        session=db, resident_id=anna.id, actor_id=anna.id, data=TIME, now=NOW
    )
    assert item.starts_at == datetime(2026, 3, 17, 13, 30, tzinfo=UTC)  # CET, +01:00
    assert item.ends_at == datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
    assert patient_contract.time_form_values(item)["start"] == "14:30"
    summer = patient_contract.add_agreed_time(
        session=db,
        resident_id=anna.id,
        actor_id=anna.id,
        data={**TIME, "date": "2026-06-02"},
        now=NOW,
    )
    assert summer.starts_at == datetime(2026, 6, 2, 12, 30, tzinfo=UTC)  # CEST, +02:00
    history = db.exec(select(AgreedTimeChange)).all()
    assert [json.loads(row.changes) for row in history] == [{}, {}]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"end": "14.00"}, {"end": patient_contract.ERROR_END_BEFORE_START}),
        ({"end": "14.30"}, {"end": patient_contract.ERROR_END_BEFORE_START}),
        ({"date": "2026-03-09"}, {"start": patient_contract.ERROR_IN_THE_PAST}),
        ({"date": "17/3"}, {"date": patient_contract.ERROR_DATE}),
        ({"date": "2026-02-30"}, {"date": patient_contract.ERROR_DATE}),
        ({"start": "25.00"}, {"start": patient_contract.ERROR_TIME}),
        (
            {"date": "2026-03-29", "start": "02.30", "end": "04.00"},
            {"start": patient_contract.ERROR_NO_SUCH_TIME},
        ),
        ({"purpose": ""}, {"purpose": inputs.REQUIRED}),
        ({"meeting_url": "http://video.example.se/m"}, {"meeting_url": patient_contract.ERROR_URL}),
        ({"meeting_url": "javascript:alert(1)"}, {"meeting_url": patient_contract.ERROR_URL}),
        ({"meeting_url": "https://x"}, {"meeting_url": patient_contract.ERROR_URL}),
        ({"prepare": "x" * 501}, {"prepare": inputs.TOO_LONG}),
    ],
)
def test_a_refused_time_saves_nothing(db: Session, anna: User, changes: dict, errors: dict) -> None:
    with pytest.raises(InputInvalid) as refused:
        patient_contract.add_agreed_time(
            session=db, resident_id=anna.id, actor_id=anna.id, data={**TIME, **changes}, now=NOW
        )
    assert refused.value.errors == errors
    assert db.exec(select(AgreedTime)).all() == []


def test_moving_a_time_marks_it_changed_and_keeps_what_it_was(
    db: Session, anna: User, stina: User
) -> None:
    item = patient_contract.add_agreed_time(
        session=db, resident_id=anna.id, actor_id=stina.id, data=TIME, now=NOW
    )
    patient_contract.update_agreed_time(
        session=db,
        resident_id=anna.id,
        time_id=item.id,
        actor_id=stina.id,
        expected_version=0,
        data={**TIME, "prepare": "Inget"},
        now=NOW,
    )
    assert item.status is AgreedTimeStatus.PLANNED and item.version == 1
    patient_contract.update_agreed_time(
        session=db,
        resident_id=anna.id,
        time_id=item.id,
        actor_id=stina.id,
        expected_version=1,
        data={**TIME, "start": "15.00", "end": "15.30"},
        now=NOW,
    )
    assert item.status is AgreedTimeStatus.CHANGED and item.version == 2
    last = patient_contract.changes_of(session=db, time_ids=[item.id])[item.id][-1]
    assert json.loads(last.changes)["starts_at"] == [
        "2026-03-17T13:30:00+00:00",
        "2026-03-17T14:00:00+00:00",
    ]
    assert last.changed_by_id == stina.id
    assert len(audits(db)) == 3


def test_an_edit_from_an_old_version_overwrites_nothing(db: Session, anna: User) -> None:
    item = patient_contract.add_agreed_time(
        session=db, resident_id=anna.id, actor_id=anna.id, data=TIME, now=NOW
    )
    patient_contract.update_agreed_time(
        session=db,
        resident_id=anna.id,
        time_id=item.id,
        actor_id=anna.id,
        expected_version=0,
        data={**TIME, "purpose": "Phone"},
        now=NOW,
    )
    with pytest.raises(VersionConflict) as conflict:
        patient_contract.update_agreed_time(
            session=db,
            resident_id=anna.id,
            time_id=item.id,
            actor_id=anna.id,
            expected_version=0,
            data={**TIME, "purpose": "Tablet"},
            now=NOW,
        )
    assert conflict.value.current.purpose == "Phone"
    with pytest.raises(VersionConflict):
        patient_contract.cancel_agreed_time(
            session=db, resident_id=anna.id, time_id=item.id, actor_id=anna.id, expected_version=0
        )
    assert item.status is AgreedTimeStatus.PLANNED


def test_a_cancelled_time_stays_visible_with_its_history(db: Session, anna: User) -> None:
    item = patient_contract.add_agreed_time(
        session=db, resident_id=anna.id, actor_id=anna.id, data=TIME, now=NOW
    )
    patient_contract.cancel_agreed_time(
        session=db, resident_id=anna.id, time_id=item.id, actor_id=anna.id, expected_version=0
    )
    assert item.status is AgreedTimeStatus.CANCELLED and item.version == 1
    upcoming = patient_contract.upcoming_agreed_times(session=db, resident_id=anna.id, now=NOW)
    assert [row.id for row in upcoming] == [item.id]
    history = patient_contract.changes_of(session=db, time_ids=[item.id])[item.id]
    assert json.loads(history[-1].changes) == {"status": ["planned", "cancelled"]}
    with pytest.raises(InputInvalid):
        patient_contract.update_agreed_time(
            session=db,
            resident_id=anna.id,
            time_id=item.id,
            actor_id=anna.id,
            expected_version=1,
            data=TIME,
            now=NOW,
        )


def test_authors_name_the_unit_of_the_care_relationship(db: Session, anna: User) -> None:
    vera = make_user(db, username="vera", role=Role.STAFF)
    unit = care_units.create_unit(session=db, data={"name": "Hälsocentralen"})
    care_units.add_member(session=db, unit_id=unit.id, staff_id=vera.id)
    access.record_care_relationship(
        session=db, staff_id=vera.id, resident_id=anna.id, unit_id=unit.id
    )
    found = patient_contract.authors(session=db, resident_id=anna.id, user_ids={vera.id, anna.id})
    assert (found[vera.id].unit, found[vera.id].role) == ("Hälsocentralen", Role.STAFF)
    assert (found[anna.id].unit, found[anna.id].role) == ("", Role.RESIDENT)


# ---------------------------------------------------------------------------- properties

_anything = st.one_of(st.none(), st.integers(), st.text(), st.lists(st.text(max_size=20)))
_forms = st.dictionaries(st.sampled_from([*CONTACT, *TIME, "other"]), _anything, max_size=12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_forms)
def test_any_contact_input_either_saves_whole_or_not_at_all(
    db: Session, anna: User, data: dict
) -> None:
    before = len(db.exec(select(CareContact)).all())
    try:
        contact = patient_contract.add_care_contact(
            session=db, resident_id=anna.id, actor_id=anna.id, data=data
        )
    except InputInvalid as refused:
        assert refused.errors and all(isinstance(m, str) for m in refused.errors.values())
        assert len(db.exec(select(CareContact)).all()) == before
        return
    db.commit()
    db.refresh(contact)
    assert contact.name == inputs.clean_text(data["name"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_forms)
def test_any_time_input_either_saves_whole_or_not_at_all(
    db: Session, anna: User, data: dict
) -> None:
    before = len(db.exec(select(AgreedTime)).all())
    try:
        patient_contract.add_agreed_time(
            session=db, resident_id=anna.id, actor_id=anna.id, data=data, now=NOW
        )
    except InputInvalid as refused:
        assert refused.errors
        assert len(db.exec(select(AgreedTime)).all()) == before
        return
    db.commit()


# Text as the text rule stores it (naranara.inputs): NFC, one line, no format characters.
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    max_size=40,
).map(lambda typed: " ".join(unicodedata.normalize("NFC", typed).split()))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    purpose=_text.filter(bool),
    prepare=_text,
    day=st.dates(min_value=datetime(2026, 3, 11).date(), max_value=datetime(2030, 1, 1).date()),
    start=st.integers(min_value=0, max_value=22 * 60),
    minutes=st.integers(min_value=1, max_value=59),
)
def test_a_valid_time_round_trips_through_its_form(
    db: Session, anna: User, purpose: str, prepare: str, day, start: int, minutes: int
) -> None:
    data = {
        **TIME,
        "purpose": purpose,
        "prepare": prepare,
        "date": day.isoformat(),
        "start": f"{start // 60:02d}:{start % 60:02d}",
        "end": f"{(start + minutes) // 60:02d}:{(start + minutes) % 60:02d}",
    }
    try:
        item = patient_contract.add_agreed_time(
            session=db, resident_id=anna.id, actor_id=anna.id, data=data, now=NOW
        )
    except InputInvalid as refused:  # only the hour the spring change skips
        assert set(refused.errors.values()) == {patient_contract.ERROR_NO_SUCH_TIME}
        return
    db.commit()
    db.refresh(item)
    shown = patient_contract.time_form_values(item)
    assert {key: shown[key] for key in data} == data


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_text.filter(bool), how=_text, number=st.integers(min_value=1000000, max_value=9999999))
def test_a_valid_contact_round_trips(
    db: Session, anna: User, name: str, how: str, number: int
) -> None:
    data = {**CONTACT, "name": name, "how_to_reach": how, "phone": f"08-{number}"}
    contact = patient_contract.add_care_contact(
        session=db, resident_id=anna.id, actor_id=anna.id, data=data
    )
    db.commit()
    db.refresh(contact)
    assert (contact.name, contact.how_to_reach) == (name, how)
    assert contact.phone == f"+468{number}"


def test_time_limits_fit_the_columns() -> None:
    for name, limit in patient_contract.TIME_LIMITS.items():
        assert AgreedTime.model_fields[name].metadata[0].max_length == limit
    for name, limit in patient_contract.CONTACT_LIMITS.items():
        assert CareContact.model_fields[name].metadata[0].max_length == limit
