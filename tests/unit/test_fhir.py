"""FHIR R4: the exported bundle parses with the R4B models; imports are idempotent and all-or-nothing."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, date, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from naranara.models import (
    AgreedTime,
    AgreedTimeChange,
    AgreedTimeStatus,
    AuditEvent,
    AuditKind,
    CareContact,
    OrganisationKind,
    User,
    WhatMattersProfile,
)
from naranara.services import care_plan, fhir
from tests.utils.factories import make_agreed_time, make_contact, make_user

START = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)

# ---------------------------------------------------------------------------- export


def _annas_record(db: Session) -> User:
    anna = make_user(db, username="anna")
    anna.display_name = "Anna Lindqvist"
    make_contact(db, anna, name="Karin Sjöberg").phone = "+46601234567"
    db.add(
        CareContact(
            resident_id=anna.id,
            name="Hemtjänsten Haga",
            role_title="Hemtjänst",
            organisation="Härnösands kommun",
            organisation_kind=OrganisationKind.MUNICIPALITY,
            external_system="urn:oid:1.2.752.29.4.19",
            external_id="SE2321000180-HT1",
        )
    )
    planned = make_agreed_time(db, anna, starts_at=START, purpose="Läkarbesök")
    planned.with_whom, planned.place, planned.prepare = "Dr Ek", "Hälsocentralen Nacksta", "Ta med"
    make_agreed_time(
        db, anna, starts_at=START.replace(day=10), status=AgreedTimeStatus.CANCELLED
    ).external_id = "RVN-APPT-1"
    goal = care_plan.add_goal(
        session=db, resident_id=anna.id, actor_id=anna.id, text="Gå till affären själv"
    )
    care_plan.add_activity(
        session=db,
        resident_id=anna.id,
        actor_id=anna.id,
        description="Promenad varje dag",
        responsible="resident",
        follow_up_on="2026-04-01",
        goal_id=goal.id,
        today=date(2026, 3, 1),
    )
    care_plan.add_activity(
        session=db,
        resident_id=anna.id,
        actor_id=None,
        description="Sjukgymnast tränar balans",
        responsible="region",
        responsible_name="Rehab Nacksta",
        status="ongoing",
        goal_id=goal.id,
        today=date(2026, 3, 1),
    )
    db.add(
        WhatMattersProfile(
            resident_id=anna.id,
            important_to_me="Mina barnbarn <script>alert(1)</script>",
            contact_channels="phone,sms",
            contact_times="morning",
            needs_interpreter=True,
            interpreter_language="finska",
            aids="hearing",
        )
    )
    db.commit()
    return anna


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_export_is_a_valid_r4_bundle_with_every_kind_of_resource(db: Session) -> None:
    anna = _annas_record(db)
    bundle = fhir.export_bundle(session=db, resident_id=anna.id)
    text = json.dumps(bundle)
    parsed = Bundle.model_validate_json(text)  # the whole bundle, every resource in it
    assert parsed.type == "collection"
    kinds = [entry.resource.get_resource_type() for entry in parsed.entry]
    assert set(kinds) == {
        "Patient",
        "CareTeam",
        "Appointment",
        "Goal",
        "CarePlan",
        "QuestionnaireResponse",
    }
    assert kinds.count("Appointment") == 2
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls) and all(url.startswith("urn:uuid:") for url in urls)
    # The same record gives the same addresses: references stay stable between exports.
    again = fhir.export_bundle(session=db, resident_id=anna.id)
    assert [entry["fullUrl"] for entry in again["entry"]] == urls


def test_the_patient_has_a_name_and_no_personal_identity_number(db: Session) -> None:
    anna = _annas_record(db)
    (patient,) = _resources(fhir.export_bundle(session=db, resident_id=anna.id), "Patient")
    assert patient["name"] == [{"text": "Anna Lindqvist"}]
    assert patient["identifier"] == [{"system": fhir.SYSTEM_USER, "value": str(anna.id)}]
    assert "personnummer" not in json.dumps(patient) and "1.2.752.129.2.1.3.1" not in str(patient)


def test_appointments_carry_status_times_in_utc_and_stable_identifiers(db: Session) -> None:
    anna = _annas_record(db)
    planned, cancelled = _resources(
        fhir.export_bundle(session=db, resident_id=anna.id), "Appointment"
    )
    assert planned["status"] == "booked" and cancelled["status"] == "cancelled"
    assert (planned["start"], planned["end"]) == (
        "2026-03-03T13:30:00+00:00",
        "2026-03-03T14:00:00+00:00",
    )
    assert planned["identifier"][0]["system"] == fhir.SYSTEM_AGREED_TIME
    assert cancelled["identifier"] == [{"value": "RVN-APPT-1"}]  # the region's own id
    assert planned["description"] == "Läkarbesök"
    assert planned["patientInstruction"] == "Ta med"
    displays = [p["actor"]["display"] for p in planned["participant"]]
    assert displays == ["Anna Lindqvist", "Dr Ek", "Hälsocentralen Nacksta"]
    assert all(s in fhir.APPOINTMENT_STATUSES for s in (planned["status"], cancelled["status"]))


def test_the_care_team_lists_every_contact_with_role_organisation_and_phone(db: Session) -> None:
    anna = _annas_record(db)
    (team,) = _resources(fhir.export_bundle(session=db, resident_id=anna.id), "CareTeam")
    members = [
        (p["member"]["display"], p["role"][0]["text"], p["onBehalfOf"]["display"])
        for p in team["participant"]
    ]
    assert members == [
        ("Karin Sjöberg", "Fast vårdkontakt", "Region Västernorrland"),
        ("Hemtjänsten Haga", "Hemtjänst", "Härnösands kommun"),
    ]
    roles = {role["id"]: role for role in team["contained"]}
    karin = roles[team["participant"][0]["member"]["reference"][1:]]
    assert karin["telecom"] == [{"system": "phone", "value": "+46601234567", "use": "work"}]
    haga = roles[team["participant"][1]["member"]["reference"][1:]]
    assert haga["identifier"] == [
        {"system": "urn:oid:1.2.752.29.4.19", "value": "SE2321000180-HT1"}
    ]


def test_the_plan_links_goals_and_activities_with_r4_statuses(db: Session) -> None:
    anna = _annas_record(db)
    bundle = fhir.export_bundle(session=db, resident_id=anna.id)
    (goal,) = _resources(bundle, "Goal")
    (plan,) = _resources(bundle, "CarePlan")
    goal_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is goal)
    assert (goal["lifecycleStatus"], goal["description"]["text"]) == (
        "active",
        "Gå till affären själv",
    )
    assert plan["goal"] == [{"reference": goal_url}]
    details = [activity["detail"] for activity in plan["activity"]]
    assert [(d["description"], d["status"]) for d in details] == [
        ("Promenad varje dag", "not-started"),
        ("Sjukgymnast tränar balans", "in-progress"),
    ]
    assert all(d["goal"] == [{"reference": goal_url}] for d in details)
    assert details[0]["scheduledString"] == "Följs upp 2026-04-01"
    assert details[1]["performer"] == [{"display": "Regionen – Rehab Nacksta"}]


def test_the_profile_is_a_questionnaire_response_one_item_per_section(db: Session) -> None:
    anna = _annas_record(db)
    (answers,) = _resources(
        fhir.export_bundle(session=db, resident_id=anna.id), "QuestionnaireResponse"
    )
    items = {item["linkId"]: item for item in answers["item"]}
    assert set(items) == {"important_to_me", "contact", "language", "aids"}  # filled ones only
    assert items["important_to_me"]["answer"] == [
        {"valueString": "Mina barnbarn <script>alert(1)</script>"}
    ]
    assert items["important_to_me"]["text"] == "Det här är viktigt för mig"
    codes = [a["valueCoding"]["code"] for a in items["contact"]["answer"]]
    assert codes == ["phone", "sms", "morning"]
    assert items["language"]["answer"] == [{"valueString": "Behöver tolk: finska"}]


def test_an_empty_record_is_still_a_valid_bundle(db: Session) -> None:
    bo = make_user(db, username="bo")
    bundle = fhir.export_bundle(session=db, resident_id=bo.id)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    Bundle.model_validate(bundle)


# ---------------------------------------------------------------------------- import

REGION = "urn:oid:1.2.752.29.4.19"


def _appointment(value: str = "RVN-1", **changes: object) -> dict:
    resource = {
        "resourceType": "Appointment",
        "identifier": [{"system": REGION, "value": value}],
        "status": "booked",
        "description": "Återbesök diabetes",
        "start": "2026-03-17T09:00:00+01:00",
        "end": "2026-03-17T09:30:00+01:00",
        "patientInstruction": "Ta med blodsockerdagboken",
        "participant": [
            {
                "actor": {"reference": "Patient/p1", "display": "Anna Lindqvist"},
                "status": "accepted",
            },
            {"actor": {"reference": "Practitioner/d1", "display": "Dr Ek"}, "status": "accepted"},
            {
                "actor": {"reference": "Location/l1", "display": "Hälsocentralen Nacksta"},
                "status": "accepted",
            },
        ],
    }
    resource.update(changes)
    return resource


def _care_team() -> dict:
    return {
        "resourceType": "CareTeam",
        "identifier": [{"system": REGION, "value": "TEAM-7"}],
        "status": "active",
        "contained": [
            {
                "resourceType": "PractitionerRole",
                "id": "r1",
                "identifier": [{"system": REGION, "value": "HSA-123"}],
                "practitioner": {"display": "Karin Sjöberg"},
                "code": [{"text": "Fast vårdkontakt"}],
                "telecom": [{"system": "phone", "value": "060-12 34 56"}],
            }
        ],
        "participant": [
            {
                "role": [{"text": "Fast vårdkontakt"}],
                "member": {"reference": "#r1", "display": "Karin Sjöberg"},
                "onBehalfOf": {"display": "Hälsocentralen Nacksta"},
            },
            {
                "role": [{"coding": [{"code": "x", "display": "Distriktssköterska"}]}],
                "member": {"display": "Lars Berg"},
            },
        ],
    }


def _bundle(*resources: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": resource} for resource in resources],
    }


def _import(db: Session, resident: User, bundle: object) -> fhir.ImportSummary:
    summary = fhir.import_bundle(
        session=db, resident_id=resident.id, bundle=bundle, imported_by_id=None
    )
    db.commit()
    return summary


def _counts(db: Session) -> tuple[int, int, int]:
    return tuple(
        db.exec(select(func.count()).select_from(table)).one()
        for table in (AgreedTime, AgreedTimeChange, CareContact)
    )


def test_a_regions_bundle_is_imported_and_other_resources_are_skipped(db: Session) -> None:
    anna = make_user(db, username="anna")
    patient = {"resourceType": "Patient", "name": [{"text": "Anna"}]}
    summary = _import(db, anna, _bundle(patient, _appointment(), _care_team()))
    assert (summary.times_added, summary.contacts_added, summary.skipped) == (
        1,
        2,
        [(1, "Patient")],
    )
    time = db.exec(select(AgreedTime)).one()
    assert (time.external_system, time.external_id, time.status) == (
        REGION,
        "RVN-1",
        AgreedTimeStatus.PLANNED,
    )
    assert time.starts_at == datetime(2026, 3, 17, 8, 0, tzinfo=UTC)
    assert (time.purpose, time.with_whom, time.place, time.prepare) == (
        "Återbesök diabetes",
        "Dr Ek",
        "Hälsocentralen Nacksta",
        "Ta med blodsockerdagboken",
    )
    contacts = db.exec(select(CareContact).order_by(CareContact.id)).all()
    assert [(c.name, c.role_title, c.organisation, c.phone, c.external_id) for c in contacts] == [
        ("Karin Sjöberg", "Fast vårdkontakt", "Hälsocentralen Nacksta", "060-12 34 56", "HSA-123"),
        ("Lars Berg", "Distriktssköterska", "", "", "TEAM-7/Lars Berg"),
    ]
    audit = db.exec(select(AuditEvent)).one()
    assert (audit.kind, audit.subject_id) == (AuditKind.RECORD_IMPORTED.value, anna.id)


def test_importing_the_same_bundle_twice_changes_nothing(db: Session) -> None:
    anna = make_user(db, username="anna")
    bundle = _bundle(_appointment(), _appointment("RVN-2", status="cancelled"), _care_team())
    _import(db, anna, bundle)
    before = _counts(db)
    rows = [(t.id, t.version, t.status, t.updated_at) for t in db.exec(select(AgreedTime))]
    summary = _import(db, anna, copy.deepcopy(bundle))
    assert (summary.times_added, summary.times_updated, summary.times_unchanged) == (0, 0, 2)
    assert (summary.contacts_added, summary.contacts_updated, summary.contacts_unchanged) == (
        0,
        0,
        2,
    )
    assert _counts(db) == before == (2, 2, 2)
    assert [(t.id, t.version, t.status, t.updated_at) for t in db.exec(select(AgreedTime))] == rows


def test_a_moved_appointment_updates_the_row_and_the_change_is_visible(db: Session) -> None:
    anna = make_user(db, username="anna")
    _import(db, anna, _bundle(_appointment()))
    moved = _appointment(start="2026-03-18T10:00:00+01:00", end="2026-03-18T10:30:00+01:00")
    summary = _import(db, anna, _bundle(moved))
    assert summary.times_updated == 1
    time = db.exec(select(AgreedTime)).one()
    assert (time.status, time.version) == (AgreedTimeStatus.CHANGED, 1)
    assert time.starts_at == datetime(2026, 3, 18, 9, 0, tzinfo=UTC)
    change = db.exec(select(AgreedTimeChange).order_by(AgreedTimeChange.id.desc())).first()
    assert json.loads(change.changes) == {
        "starts_at": ["2026-03-17T08:00:00+00:00", "2026-03-18T09:00:00+00:00"],
        "ends_at": ["2026-03-17T08:30:00+00:00", "2026-03-18T09:30:00+00:00"],
        "status": ["planned", "changed"],
    }
    _import(
        db, anna, _bundle(_appointment(start=moved["start"], end=moved["end"], status="cancelled"))
    )
    db.refresh(time)
    assert (time.status, time.version) == (AgreedTimeStatus.CANCELLED, 2)


def test_the_same_identifier_for_another_resident_is_another_row(db: Session) -> None:
    anna, bo = make_user(db, username="anna"), make_user(db, username="bo")
    _import(db, anna, _bundle(_appointment()))
    _import(db, bo, _bundle(_appointment(description="Bos besök")))
    purposes = {t.resident_id: t.purpose for t in db.exec(select(AgreedTime))}
    assert purposes == {anna.id: "Återbesök diabetes", bo.id: "Bos besök"}


def test_an_invalid_entry_means_nothing_is_imported_and_every_problem_is_named(
    db: Session,
) -> None:
    anna = make_user(db, username="anna")
    without_participant = _appointment("RVN-3")
    del without_participant["participant"]
    bundle = _bundle(
        _appointment(),  # valid, yet not imported: all or nothing
        without_participant,
        _appointment("RVN-4", status="maybe"),
        _appointment("RVN-5", end="2026-03-17T08:00:00+01:00"),
        {"resourceType": "Nonsense"},
        _appointment(identifier=[]),
        _appointment("RVN-1"),
        _appointment("RVN-6", description="", start="2026-03-17T09:00:00"),
    )
    with pytest.raises(fhir.BundleRejected) as rejected:
        _import(db, anna, bundle)
    texts = rejected.value.texts("en")
    assert texts[0].startswith("Entry 2: the Appointment does not follow FHIR R4: participant")
    assert texts[1] == "Entry 5: “Nonsense” is not a FHIR resource type."
    assert texts[2].startswith("Entry 8: the Appointment does not follow FHIR R4: description")
    assert "start: Value error, Instant value" in texts[2]  # no time zone
    assert texts[3:] == [
        "Entry 3: “maybe” is not an appointment status.",
        "Entry 4: the appointment ends before it starts.",
        "Entry 6: the Appointment has no identifier, so a later import could not find it again.",
        "Entry 7: the identifier “RVN-1” is already used in entry 1.",
    ]
    assert rejected.value.texts("sv")[3] == "Post 3: ”maybe” är inte en status för en tid."
    assert _counts(db) == (0, 0, 0)
    assert db.exec(select(AuditEvent)).all() == []


@pytest.mark.parametrize(
    ("bundle", "message"),
    [
        ([], fhir.NOT_A_BUNDLE),
        ({"resourceType": "Patient"}, fhir.NOT_A_BUNDLE),
        ({"resourceType": "Bundle", "type": "collection", "entry": {}}, fhir.BUNDLE_INVALID),
        (
            {"resourceType": "Bundle", "type": "nonsense-but-a-code", "bogus": 1},
            fhir.BUNDLE_INVALID,
        ),
        (
            {"resourceType": "Bundle", "type": "collection", "entry": [{}]},
            fhir.ENTRY_WITHOUT_RESOURCE,
        ),
    ],
)
def test_what_is_no_bundle_at_all_is_refused_clearly(
    db: Session, bundle: object, message: str
) -> None:
    anna = make_user(db, username="anna")
    with pytest.raises(fhir.BundleRejected) as rejected:
        _import(db, anna, bundle)
    assert [problem.message for problem in rejected.value.problems] == [message]


def test_text_the_database_cannot_keep_is_refused_not_cut(db: Session) -> None:
    anna = make_user(db, username="anna")
    bundle = _bundle(
        _appointment(description="Besök\x00"),
        _appointment("R" * 201),
        _appointment("RVN-9", patientInstruction="p" * 501),
    )
    with pytest.raises(fhir.BundleRejected) as rejected:
        _import(db, anna, bundle)
    assert rejected.value.texts("en") == [
        "Entry 1: “description” has characters that cannot be saved.",
        "Entry 2: “identifier.value” is longer than 200 characters.",
        "Entry 3: “patientInstruction” is longer than 500 characters.",
    ]
    assert _counts(db) == (0, 0, 0)


def test_a_care_team_member_without_a_role_or_any_identifier_is_refused(db: Session) -> None:
    anna = make_user(db, username="anna")
    team = _care_team()
    del team["identifier"]
    team["participant"][0]["role"] = []
    del team["contained"][0]["code"]  # else the role comes from the PractitionerRole
    with pytest.raises(fhir.BundleRejected) as rejected:
        _import(db, anna, _bundle(team))
    assert rejected.value.texts("en") == [
        "Entry 1: Karin Sjöberg in the care team has no role.",
        "Entry 1: the CareTeam has no identifier, so a later import could not find it again.",
    ]


def test_our_own_export_imports_into_another_account_and_again_changes_nothing(
    db: Session,
) -> None:
    anna = _annas_record(db)
    exported = fhir.export_bundle(session=db, resident_id=anna.id)
    copy_of_anna = make_user(db, username="anna2")
    first = _import(db, copy_of_anna, exported)
    assert (first.times_added, first.contacts_added) == (2, 2)
    assert sorted(kind for _, kind in first.skipped) == [
        "CarePlan",
        "Goal",
        "Patient",
        "QuestionnaireResponse",
    ]
    second = _import(db, copy_of_anna, exported)
    assert (second.times_unchanged, second.contacts_unchanged) == (2, 2)


# ---------------------------------------------------------------------------- properties

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
_KINDS = st.sampled_from(["Appointment", "CareTeam", "Patient", "Bundle", "Nonsense", ""])


@st.composite
def _mangled(draw: st.DrawFn) -> dict:
    """A real bundle with one field of one resource replaced by arbitrary JSON."""
    resources = [_appointment(), _care_team()]
    resource = resources[draw(st.integers(0, 1))]
    key = draw(st.sampled_from(sorted(resource) + ["resourceType", "extra"]))
    resource[key] = draw(_JSON | _KINDS)
    return _bundle(*resources)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bundle=_mangled()
    | _JSON
    | st.fixed_dictionaries({"resourceType": st.just("Bundle"), "entry": _JSON})
)
def test_any_input_is_imported_whole_or_refused_with_reasons_never_a_crash(
    db: Session, bundle: object
) -> None:
    resident = db.exec(select(User).where(User.username == "prop")).first() or make_user(
        db, username="prop"
    )
    before = _counts(db)
    try:
        summary = fhir.import_bundle(
            session=db, resident_id=resident.id, bundle=bundle, imported_by_id=None
        )
    except fhir.BundleRejected as rejected:
        db.rollback()
        assert rejected.problems and all(rejected.texts("sv"))
        assert _counts(db) == before
        return
    db.commit()
    assert summary.times_added + summary.times_updated + summary.times_unchanged <= 1
    assert isinstance(summary.skipped, list)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # Any text the database keeps: no NUL (PostgreSQL refuses it, so do the services)
    # and no lone surrogates (not UTF-8; the services drop them before saving).
    text=st.text(
        st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
        min_size=1,
        max_size=120,
    ),
    blank=st.sampled_from(["", " ", "\n"]),
)
@example(text="\x85", blank="")  # NEL: found by Hypothesis, refused by FHIR's string rule
@example(text="Anna\u00a0Lind", blank=" ")  # a no-break space, as pasted from a document
def test_any_saved_text_exports_as_valid_fhir_and_arrives_unchanged(
    db: Session, text: str, blank: str
) -> None:
    resident = db.exec(select(User).where(User.username == "prop")).first() or make_user(
        db, username="prop"
    )
    contact = CareContact(
        resident_id=resident.id, name=text, role_title=blank, organisation=blank, phone=text[:40]
    )
    time = make_agreed_time(db, resident, starts_at=START, purpose=text)
    time.with_whom, time.place, time.prepare = text, blank, text
    db.add_all([contact, time])
    db.flush()
    bundle = fhir.export_bundle(session=db, resident_id=resident.id)
    parsed = Bundle.model_validate_json(json.dumps(bundle))
    db.rollback()
    appointment = next(
        e.resource for e in parsed.entry if e.resource.id == f"agreed-time-{time.id}"
    )
    # FHIR strings know no whitespace but space, tab, CR and LF: others become a space.
    exported = re.sub(r"[^\S \r\n\t]", " ", text)
    assert appointment.patientInstruction == exported
    (team,) = [e.resource for e in parsed.entry if e.resource.get_resource_type() == "CareTeam"]
    assert team.participant[0].member.display == exported


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    description=st.text(max_size=260),
    person=st.text(max_size=200),
    identifier=st.text(max_size=220),
)
def test_any_text_in_a_real_bundle_is_kept_exactly_or_refused(
    db: Session, description: str, person: str, identifier: str
) -> None:
    resident = db.exec(select(User).where(User.username == "prop")).first() or make_user(
        db, username="prop"
    )
    appointment = _appointment(identifier, description=description)
    appointment["participant"][1]["actor"]["display"] = person
    before = _counts(db)
    try:
        fhir.import_bundle(
            session=db,
            resident_id=resident.id,
            bundle=_bundle(appointment),
            imported_by_id=None,
        )
    except fhir.BundleRejected as rejected:
        db.rollback()
        assert rejected.problems and _counts(db) == before
        return
    db.commit()
    saved = db.exec(
        select(AgreedTime).where(
            AgreedTime.resident_id == resident.id, AgreedTime.external_id == identifier
        )
    ).one()
    assert saved.purpose == description.strip()
    assert saved.with_whom == person.strip()
