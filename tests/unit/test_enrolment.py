"""Enrolment: a nurse enrols a resident, who activates the account once, herself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from naranara import clock
from naranara.inputs import InputInvalid
from naranara.models import (
    AuditEvent,
    AuditKind,
    CareContact,
    CareRelationship,
    Enrolment,
    ExternalIdentity,
    ResidentActivation,
    Role,
    User,
)
from naranara.policy import Action, is_allowed, viewer_of
from naranara.services import (
    accounts,
    audit,
    care_units,
    enrolment,
    external_identities,
    personnummer,
    throttle,
)
from naranara.services.enrolment import ActivationRefused, Refusal
from tests.utils.factories import make_user

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
GRETA = {
    "display_name": "  Greta   Nilsson ",
    "phone": "070-123 45 67",
    "how_to_reach": "Ring på förmiddagen.",
    "personnummer": "19481224-9987",
}
ISSUER = "https://id.region.example"


@pytest.fixture
def nacksta(db: Session) -> dict:
    sara = make_user(db, username="sara", role=Role.STAFF)
    stina = make_user(db, username="stina", role=Role.STAFF)
    unit = care_units.create_unit(
        session=db,
        data={
            "name": "Hälsocentralen Nacksta",
            "organisation": "Region Västernorrland",
            "phone": "060-123 45 00",
        },
    )
    for staff in (sara, stina):
        care_units.add_member(session=db, unit_id=unit.id, staff_id=staff.id)
    db.commit()
    return {"sara": sara, "stina": stina, "unit": unit}


def _enrol(db: Session, nacksta: dict, data: dict = GRETA, now: datetime = NOW):  # noqa: ANN202
    made = enrolment.enrol(
        session=db,
        data=data,
        unit=nacksta["unit"],
        fixed_contact=nacksta["stina"],
        actor_id=nacksta["sara"].id,
        now=now,
    )
    db.commit()
    return made


def test_enrolment_records_the_person_the_care_and_the_fixed_contact(
    db: Session, nacksta: dict
) -> None:
    made = _enrol(db, nacksta)
    greta = made.resident
    assert (greta.display_name, greta.username, greta.role) == (
        "Greta Nilsson",
        "greta.nilsson",
        Role.RESIDENT,
    )
    assert greta.password_hash is None
    row = db.exec(select(Enrolment)).one()
    assert (row.phone, row.how_to_reach, row.personnummer_masked) == (
        "+46701234567",
        "Ring på förmiddagen.",
        "19481224-••••",
    )
    assert row.personnummer_hash == personnummer.keyed_hash(
        personnummer.parse("194812249987", today=NOW.date())
    )
    assert row.activated_at is None
    relationship = db.exec(select(CareRelationship)).one()
    assert (relationship.unit_id, relationship.staff_id, relationship.recorded_by_id) == (
        nacksta["unit"].id,
        nacksta["stina"].id,
        nacksta["sara"].id,
    )
    contact = db.exec(select(CareContact)).one()
    assert (contact.name, contact.role_title, contact.unit, contact.care_side) == (
        "stina".title(),
        "Fast vårdkontakt",
        "Hälsocentralen Nacksta",
        True,
    )
    # Both nurses of the unit reach her; the code is 12 characters, only its hash kept.
    for staff in (nacksta["sara"], nacksta["stina"]):
        assert is_allowed(viewer_of(staff, session=db), Action.VIEW_CARE_PLAN, greta.id)
    assert len(made.activation.code) == 12
    stored = db.exec(select(ResidentActivation)).one()
    assert stored.token_hash != made.activation.code
    assert stored.expires_at == NOW + timedelta(days=14)


def test_nothing_of_the_personnummer_reaches_the_audit_log(db: Session, nacksta: dict) -> None:
    _enrol(db, nacksta)
    details = " ".join(event.detail for event in db.exec(select(AuditEvent)).all())
    assert "19481224" not in details and "9987" not in details
    assert "care_relationship enrolled" in details


def test_enrolment_checks_what_was_typed(db: Session, nacksta: dict) -> None:
    with pytest.raises(InputInvalid) as refused:
        _enrol(
            db,
            nacksta,
            {
                "display_name": "",
                "phone": "12",
                "personnummer": "19481224-9988",
                "starts_on": (NOW + timedelta(days=3)).date().isoformat(),
            },
        )
    assert refused.value.errors == {
        "display_name": "Please fill this in.",
        "phone": "That does not look like a phone number. Write it like 060-123 45 00.",
        "personnummer": personnummer.ERROR_INVALID,
        "starts_on": enrolment.ERROR_START_IN_FUTURE,
    }
    assert db.exec(select(func.count()).select_from(User)).one() == 2  # nobody added


def test_one_personnummer_is_enrolled_once(db: Session, nacksta: dict) -> None:
    _enrol(db, nacksta)
    with pytest.raises(InputInvalid) as refused:
        _enrol(db, nacksta, {**GRETA, "personnummer": "194812249987"})
    assert refused.value.errors == {"personnummer": enrolment.ERROR_ALREADY_ENROLLED}
    # Without a personnummer, a namesake gets a username of their own.
    again = _enrol(db, nacksta, {"display_name": "Greta Nilsson"})
    assert again.resident.username == "greta.nilsson2"


def test_activating_with_a_password_uses_the_code_once(db: Session, nacksta: dict) -> None:
    made = _enrol(db, nacksta)
    code = enrolment.format_code(made.activation.code).lower()  # typed from paper, any case
    found = enrolment.find(session=db, code=f" {code} ", now=NOW)
    assert found.resident_id == made.resident.id
    user = enrolment.activate_with_password(
        session=db,
        code=code,
        password_hash=accounts.hash_password("en lång mening om kaffe"),
        now=NOW + timedelta(days=1),
    )
    db.commit()
    assert accounts.authenticate(
        session=db, username="greta.nilsson", password="en lång mening om kaffe"
    )
    assert enrolment.is_activated(session=db, resident_id=user.id)
    with pytest.raises(ActivationRefused) as used:
        enrolment.find(session=db, code=code, now=NOW + timedelta(days=1))
    assert used.value.reason is Refusal.USED
    kinds = [(e.kind, e.detail) for e in db.exec(select(AuditEvent)).all()]
    assert (AuditKind.ACCOUNT_ACTIVATED.value, "method=password") in kinds


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("expire", Refusal.EXPIRED),
        ("replace", Refusal.REPLACED),
        ("alter", Refusal.UNKNOWN),
        ("shorten", Refusal.UNKNOWN),
    ],
)
def test_a_code_that_cannot_be_used_says_why(
    db: Session, nacksta: dict, change: str, reason: Refusal
) -> None:
    made = _enrol(db, nacksta)
    code, now = made.activation.code, NOW
    if change == "expire":
        now = NOW + timedelta(days=14)
    elif change == "replace":
        newer = enrolment.new_activation(
            session=db, resident_id=made.resident.id, actor_id=nacksta["sara"].id, now=NOW
        )
        assert enrolment.find(session=db, code=newer.code, now=NOW)
    elif change == "alter":
        code = code[:-1] + ("2" if code[-1] != "2" else "3")
    else:
        code = code[:-1]
    with pytest.raises(ActivationRefused) as refused:
        enrolment.find(session=db, code=code, now=now)
    assert refused.value.reason is reason
    assert enrolment.REFUSAL_MESSAGES[reason]


def test_codes_read_the_way_people_type_them() -> None:
    assert enrolment.normalise_code(" k7qm-2xwd 9hfn ") == "K7QM2XWD9HFN"
    assert enrolment.normalise_code("OIL1") == "0111"  # look-alikes as Crockford reads them
    assert enrolment.normalise_code("http://x/aktivera?kod=abcd-efgh-jkmn&y=1") == "ABCDEFGHJKMN"
    assert enrolment.format_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
    codes = {enrolment.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(set(code) <= set(enrolment.CODE_ALPHABET) for code in codes)


def _sign_in(db: Session, subject: str, claim: object = None, code: str | None = None):  # noqa: ANN202
    signed_in = external_identities.sign_in(
        session=db,
        issuer=ISSUER,
        subject=subject,
        audience=Role.RESIDENT,
        display_name="Greta Nilsson",
        locale="sv",
        personnummer_claim=claim,
        activation_code=code,
    )
    db.commit()
    return signed_in


def test_an_identity_provider_with_her_personnummer_opens_the_enrolled_account(
    db: Session, nacksta: dict
) -> None:
    # Enrolled now: the sign-in redeems the sheet at the run's instant, which a fixed
    # enrolment date would leave expired two weeks later (found at New Year's Eve).
    made = _enrol(db, nacksta, now=clock.now())
    signed_in = _sign_in(db, "bankid-greta", "194812249987", made.activation.code)
    assert (signed_in.user.id, signed_in.created) == (made.resident.id, False)
    assert enrolment.is_activated(session=db, resident_id=made.resident.id)
    # Next time, the link is known; and no second account was ever made.
    again = _sign_in(db, "bankid-greta", "194812249987")
    assert again.user.id == made.resident.id
    assert db.exec(select(func.count()).select_from(User)).one() == 3
    assert db.exec(select(ExternalIdentity)).one().user_id == made.resident.id


def test_without_the_sheet_a_matching_personnummer_still_finds_her(
    db: Session, nacksta: dict
) -> None:
    made = _enrol(db, nacksta)
    signed_in = _sign_in(db, "bankid-greta", "19481224-9987")
    assert signed_in.user.id == made.resident.id
    assert enrolment.is_activated(session=db, resident_id=made.resident.id)
    with pytest.raises(ActivationRefused):  # her sheet no longer works
        enrolment.find(session=db, code=made.activation.code)


def test_someone_else_with_her_sheet_is_refused_and_nothing_is_made(
    db: Session, nacksta: dict
) -> None:
    made = _enrol(db, nacksta)
    for claim in ("191212121212", None, "not a number"):
        with pytest.raises(external_identities.NotTheEnrolledPerson):
            _sign_in(db, "bankid-someone", claim, made.activation.code)
    assert db.exec(select(func.count()).select_from(User)).one() == 3
    assert db.exec(select(ExternalIdentity)).all() == []
    assert not enrolment.is_activated(session=db, resident_id=made.resident.id)


def test_people_who_were_not_enrolled_sign_up_as_before(db: Session, nacksta: dict) -> None:
    _enrol(db, nacksta)
    signed_in = _sign_in(db, "bankid-else", "191212121212")
    assert signed_in.created and signed_in.user.username.startswith("oidc-")


def test_a_deactivated_account_cannot_sign_in(db: Session, nacksta: dict) -> None:
    made = _enrol(db, nacksta)
    _sign_in(db, "bankid-greta", "194812249987")
    accounts.set_active(session=db, user=made.resident, active=False, actor_id=None)
    db.commit()
    with pytest.raises(external_identities.AccountClosed):
        _sign_in(db, "bankid-greta", "194812249987")


def test_wrong_codes_are_throttled_per_client(db: Session) -> None:
    for minute in range(throttle.FREE_ACTIVATION_FAILURES_PER_CLIENT):
        assert (
            throttle.activation_retry_after(session=db, client_address="10.0.0.1", now=NOW) is None
        )
        audit.record(session=db, kind=AuditKind.ACTIVATION_FAILED, client_address="10.0.0.1").at = (
            NOW - timedelta(seconds=30 * (10 - minute))
        )
    db.commit()
    wait = throttle.activation_retry_after(session=db, client_address="10.0.0.1", now=NOW)
    assert wait is not None and wait > timedelta(0)
    assert throttle.activation_retry_after(session=db, client_address="10.0.0.2", now=NOW) is None
    # Failed sign-ins are another count.
    assert (
        throttle.retry_after(session=db, username="x", client_address="10.0.0.1", now=NOW) is None
    )
