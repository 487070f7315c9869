"""A nurse enrols a resident; the resident activates the account on her own phone.

Enrolment makes the resident's account (no password yet), records the care
relationship (unit, fixed contact, start), names the fixed contact among her
contacts, and gives a one-time activation: a code on a printed sheet, as a link and
a QR code. The code is 60 random bits in 12 characters that are easy to read and type
from paper (Crockford's base 32: no I, L, O or U), valid 14 days, used once; only its
SHA-256 is stored. Wrong codes are throttled like sign-ins (services/throttle.py).

The resident activates by choosing a password, or by signing in with an identity
provider whose personnummer claim matches the one the nurse recorded
(services/external_identities.py): never a second account for an enrolled person.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_
from naranara.inputs import Checker, InputInvalid, column_length
from naranara.models import (
    AuditKind,
    CareContact,
    CareUnit,
    Enrolment,
    OrganisationKind,
    ResidentActivation,
    Role,
    User,
)
from naranara.services import access, accounts, audit, personnummer
from naranara.services.patient_contract import (
    ERROR_DATE,
    ERROR_PHONE,
    normalise_phone,
)
from naranara.settings import DISPLAY_TIMEZONE

VALID_FOR = timedelta(days=14)
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
CODE_LENGTH = 12  # 60 bits
# What people type for look-alike characters, read the way Crockford's base 32 does.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
ENROL_LIMITS = {
    "display_name": column_length(User, "display_name"),
    "phone": column_length(Enrolment, "phone"),
    "how_to_reach": column_length(Enrolment, "how_to_reach"),
}
_TYPED_FORMAT = 40  # a personnummer or a date as typed, before its format is checked
ERROR_ALREADY_ENROLLED = N_(
    "Someone with this personal identity number is already in Nära. Find them under "
    "My residents, or ask an administrator."
)
ERROR_START_IN_FUTURE = N_("The care relationship starts today or on an earlier day.")
FIXED_CONTACT_TITLE = "Fast vårdkontakt"


class Refusal(StrEnum):
    """Why an activation code cannot be used; each has a message for the person."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REPLACED = "replaced"  # the care unit made a new sheet
    ACTIVE = "active"  # the account is already in use


REFUSAL_MESSAGES = {
    Refusal.UNKNOWN: N_(
        "That activation code is not right. Check it against the sheet from your care unit "
        "and try again."
    ),
    Refusal.EXPIRED: N_(
        "This activation code has expired: it works for 14 days. Ask your care unit for a "
        "new sheet."
    ),
    Refusal.USED: N_(
        "This activation code has already been used. Sign in with your username and password."
    ),
    Refusal.REPLACED: N_(
        "Your care unit has made a new sheet for you: use the code on the newest one."
    ),
    Refusal.ACTIVE: N_("Your account is already in use. Sign in with your username and password."),
}


class ActivationRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


# ---------------------------------------------------------------------------- codes


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What was typed or scanned: the code alone, capitals, without spaces and dashes;
    a whole pasted link gives its code."""
    text = "".join(str(text).split())[:400]
    if "kod=" in text:
        text = text.rsplit("kod=", 1)[1].split("&", 1)[0]
    kept = "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
    return kept.translate(_LOOK_ALIKES)[: CODE_LENGTH * 2]


def format_code(code: str) -> str:
    """In groups of four, as printed: "K7QM-2XWD-9HFN"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


@dataclass(frozen=True)
class NewActivation:
    activation: ResidentActivation
    code: str  # only here, once: the database has its hash


def new_activation(
    *, session: Session, resident_id: int, actor_id: int | None, now: datetime | None = None
) -> NewActivation:
    """A fresh code for the resident; any earlier unused one stops working."""
    now = now or clock.now()
    for open_one in session.exec(
        select(ResidentActivation).where(
            ResidentActivation.resident_id == resident_id,
            col(ResidentActivation.used_at).is_(None),
            col(ResidentActivation.revoked_at).is_(None),
        )
    ):
        open_one.revoked_at = now
        session.add(open_one)
    code = new_code()
    activation = ResidentActivation(
        resident_id=resident_id,
        token_hash=hash_code(code),
        created_at=now,
        expires_at=now + VALID_FOR,
        created_by_id=actor_id,
    )
    session.add(activation)
    session.flush()
    return NewActivation(activation, code)


def find(*, session: Session, code: str, now: datetime | None = None) -> ResidentActivation:
    """The usable activation behind ``code``, or ``ActivationRefused`` saying why not."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        raise ActivationRefused(Refusal.UNKNOWN)
    activation = session.exec(
        select(ResidentActivation).where(ResidentActivation.token_hash == hash_code(code))
    ).first()
    if activation is None:
        raise ActivationRefused(Refusal.UNKNOWN)
    if activation.used_at is not None:
        raise ActivationRefused(Refusal.USED)
    if is_activated(session=session, resident_id=activation.resident_id):
        raise ActivationRefused(Refusal.ACTIVE)
    if activation.revoked_at is not None:
        raise ActivationRefused(Refusal.REPLACED)
    if activation.expires_at <= (now or clock.now()):
        raise ActivationRefused(Refusal.EXPIRED)
    return activation


def _spend(session: Session, activation: ResidentActivation, now: datetime) -> None:
    # One statement that only an unspent activation matches: two phones activating at
    # the same moment cannot both get in.
    spent = session.connection().execute(
        update(ResidentActivation)
        .where(
            col(ResidentActivation.id) == activation.id,
            col(ResidentActivation.used_at).is_(None),
            col(ResidentActivation.revoked_at).is_(None),
        )
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise ActivationRefused(Refusal.USED)
    session.refresh(activation)


def _mark_activated(session: Session, user: User, now: datetime, method: str) -> None:
    enrolment = enrolment_of(session=session, resident_id=user.id)
    if enrolment is not None and enrolment.activated_at is None:
        enrolment.activated_at = now
        session.add(enrolment)
    for open_one in session.exec(
        select(ResidentActivation).where(
            ResidentActivation.resident_id == user.id,
            col(ResidentActivation.used_at).is_(None),
            col(ResidentActivation.revoked_at).is_(None),
        )
    ):
        open_one.revoked_at = now
        session.add(open_one)
    audit.record(
        session=session,
        kind=AuditKind.ACCOUNT_ACTIVATED,
        actor_id=user.id,
        subject_id=user.id,
        detail=f"method={method}",
    )


def activate_with_password(
    *, session: Session, code: str, password_hash: str, now: datetime | None = None
) -> User:
    """Spend the code and give the account its first password (hashed by the caller,
    off the event loop). Raises ``ActivationRefused``."""
    now = now or clock.now()
    activation = find(session=session, code=code, now=now)
    _spend(session, activation, now)
    user = session.get(User, activation.resident_id)
    user.password_hash = password_hash
    session.add(user)
    _mark_activated(session, user, now, "password")
    return user


def activate_through_identity(
    *, session: Session, user: User, code: str | None, now: datetime | None = None
) -> None:
    """An identity provider proved the enrolled person's personnummer: the account is in
    use from now (``code``, if she came from her sheet, is spent). An account already in
    use stays as it is, whatever old sheet she came from."""
    now = now or clock.now()
    if is_activated(session=session, resident_id=user.id):
        return
    if code:
        activation = find(session=session, code=code, now=now)
        if activation.resident_id != user.id:
            raise ActivationRefused(Refusal.UNKNOWN)
        _spend(session, activation, now)
    _mark_activated(session, user, now, "identity-provider")


def is_activated(*, session: Session, resident_id: int) -> bool:
    enrolment = enrolment_of(session=session, resident_id=resident_id)
    return enrolment is None or enrolment.activated_at is not None


def enrolment_of(*, session: Session, resident_id: int) -> Enrolment | None:
    return session.exec(select(Enrolment).where(Enrolment.resident_id == resident_id)).first()


def enrolled_with(*, session: Session, number: personnummer.Personnummer) -> User | None:
    """The enrolled resident with this personnummer, if any."""
    enrolment = session.exec(
        select(Enrolment).where(Enrolment.personnummer_hash == personnummer.keyed_hash(number))
    ).first()
    return session.get(User, enrolment.resident_id) if enrolment else None


# ---------------------------------------------------------------------------- enrolling


@dataclass(frozen=True)
class EnrolmentFields:
    display_name: str
    phone: str  # E.164 or ""
    how_to_reach: str
    number: personnummer.Personnummer | None
    starts_on: date


def validate(data: Mapping[str, object], *, today: date) -> EnrolmentFields:
    """What the nurse typed; raises ``InputInvalid`` with a message id per field. The
    personnummer's error never repeats the number."""
    checker = Checker()
    errors = checker.errors
    values = {
        name: checker.text(
            data,
            name,
            max_length=limit,
            multiline=name == "how_to_reach",
            required=name == "display_name",
        )
        for name, limit in ENROL_LIMITS.items()
    }
    phone = ""
    if values["phone"] and "phone" not in errors:
        phone = normalise_phone(values["phone"]) or ""
        if not phone:
            errors["phone"] = ERROR_PHONE
    number = None
    typed_number = checker.text(data, "personnummer", max_length=_TYPED_FORMAT)
    if typed_number:
        try:
            number = personnummer.parse(typed_number, today=today)
        except personnummer.InvalidPersonnummer as invalid:
            errors["personnummer"] = invalid.message
    starts_on = today
    typed_start = checker.text(data, "starts_on", max_length=_TYPED_FORMAT)
    if typed_start:
        try:
            starts_on = date.fromisoformat(typed_start)
        except ValueError:
            errors["starts_on"] = ERROR_DATE
        else:
            if starts_on > today:
                errors["starts_on"] = ERROR_START_IN_FUTURE
    checker.done()
    return EnrolmentFields(values["display_name"], phone, values["how_to_reach"], number, starts_on)


@dataclass(frozen=True)
class Enrolled:
    resident: User
    enrolment: Enrolment
    activation: NewActivation


def _start_moment(starts_on: date, now: datetime) -> datetime:
    if starts_on >= now.astimezone(DISPLAY_TIMEZONE).date():
        return now
    return datetime.combine(starts_on, time(0), tzinfo=DISPLAY_TIMEZONE).astimezone(UTC)


def enrol(
    *,
    session: Session,
    data: Mapping[str, object],
    unit: CareUnit,
    fixed_contact: User,
    actor_id: int,
    now: datetime | None = None,
) -> Enrolled:
    """Enrol a resident in ``unit``'s care with ``fixed_contact`` (the caller has asked
    policy that the nurse works in the unit and that the contact does too)."""
    now = now or clock.now()
    fields = validate(data, today=now.astimezone(DISPLAY_TIMEZONE).date())
    number_hash = personnummer.keyed_hash(fields.number) if fields.number else None
    if (
        number_hash
        and session.exec(
            select(Enrolment.id).where(Enrolment.personnummer_hash == number_hash)
        ).first()
    ):
        raise InputInvalid({"personnummer": ERROR_ALREADY_ENROLLED})
    resident = accounts.create_user(
        session=session,
        username=accounts.username_for(session=session, display_name=fields.display_name),
        display_name=fields.display_name,
        role=Role.RESIDENT,
    )
    enrolment = Enrolment(
        resident_id=resident.id,
        enrolled_by_id=actor_id,
        enrolled_at=now,
        phone=fields.phone,
        how_to_reach=fields.how_to_reach,
        personnummer_hash=number_hash,
        personnummer_masked=fields.number.masked if fields.number else "",
    )
    session.add(enrolment)
    access.record_care_relationship(
        session=session,
        staff_id=fixed_contact.id,
        resident_id=resident.id,
        unit_id=unit.id,
        recorded_by_id=actor_id,
        started_at=_start_moment(fields.starts_on, now),
    )
    session.add(
        CareContact(
            resident_id=resident.id,
            name=fixed_contact.display_name,
            role_title=FIXED_CONTACT_TITLE,
            organisation=unit.organisation or unit.name,
            organisation_kind=OrganisationKind(unit.kind),
            unit=unit.name,
            phone=unit.phone,
            reach_by="phone" if unit.phone else "",
            added_by_id=actor_id,
            care_side=True,
        )
    )
    session.flush()
    audit.record_access(
        session=session,
        actor_id=actor_id,
        resident_id=resident.id,
        changed=True,
        detail=f"care_relationship enrolled unit={unit.id}",
    )
    return Enrolled(
        resident,
        enrolment,
        new_activation(session=session, resident_id=resident.id, actor_id=actor_id, now=now),
    )
