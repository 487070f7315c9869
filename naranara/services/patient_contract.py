"""The resident's care contacts and agreed times: reading them, and writing them safely."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlsplit

import phonenumbers
from pydantic import AfterValidator, BeforeValidator
from sqlalchemy import update
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_
from naranara.inputs import (
    Checker,
    Choice,
    FormInput,
    InputInvalid,
    Text,
    column_length,
    refusal,
)
from naranara.models import (
    AgreedTime,
    AgreedTimeAnswer,
    AgreedTimeChange,
    AgreedTimeStatus,
    AnswerKind,
    CareContact,
    CareRelationship,
    CareUnit,
    OrganisationKind,
    ReachBy,
    Role,
    UnitMembership,
    User,
)
from naranara.services import audit
from naranara.settings import DISPLAY_TIMEZONE


def care_contacts(*, session: Session, resident_id: int) -> list[CareContact]:
    return list(
        session.exec(
            select(CareContact)
            .where(CareContact.resident_id == resident_id)
            .order_by(col(CareContact.id))
        ).all()
    )


def upcoming_agreed_times(
    *, session: Session, resident_id: int, now: datetime, limit: int | None = None
) -> list[AgreedTime]:
    """Times not yet over, soonest first, cancelled ones included (changes are never silent)."""
    query = (
        select(AgreedTime)
        .where(AgreedTime.resident_id == resident_id, AgreedTime.ends_at >= now)
        .order_by(col(AgreedTime.starts_at))
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def past_agreed_times(
    *, session: Session, resident_id: int, now: datetime, limit: int = 20
) -> list[AgreedTime]:
    return list(
        session.exec(
            select(AgreedTime)
            .where(AgreedTime.resident_id == resident_id, AgreedTime.ends_at < now)
            .order_by(col(AgreedTime.starts_at).desc())
            .limit(limit)
        ).all()
    )


def next_agreed_time(*, session: Session, resident_id: int, now: datetime) -> AgreedTime | None:
    """The next time that will actually happen (not cancelled)."""
    return session.exec(
        select(AgreedTime)
        .where(
            AgreedTime.resident_id == resident_id,
            AgreedTime.ends_at >= now,
            AgreedTime.status != AgreedTimeStatus.CANCELLED,
        )
        .order_by(col(AgreedTime.starts_at))
        .limit(1)
    ).first()


# ---------------------------------------------------------------------------- writing
# The resident writes their own entries; staff with a care relationship write for them
# (the caller has asked policy). Every function validates all fields before it changes
# anything, so refused input never leaves half a row behind.

# The most each text field holds: the table columns' own limits.
CONTACT_LIMITS = {
    name: column_length(CareContact, name)
    for name in (
        "name",
        "role_title",
        "organisation",
        "unit",
        "phone",
        "opening_hours",
        "how_to_reach",
    )
}
TIME_LIMITS = {
    name: column_length(AgreedTime, name)
    for name in ("purpose", "with_whom", "place", "address", "meeting_url", "prepare")
}
_MULTILINE = frozenset({"how_to_reach", "prepare"})
# Offered as suggestions; any other role title may be written.
ROLE_SUGGESTIONS = (
    N_("Fixed doctor contact"),
    N_("Fixed care contact"),
    N_("District nurse"),
    N_("Home care"),
    N_("Rehabilitation"),
    N_("Other"),
)
ERROR_PHONE = N_("That does not look like a phone number. Write it like 060-123 45 00.")
ERROR_DATE = N_("Write the date like 2026-03-17.")
ERROR_TIME = N_("Write the time like 14.30.")
ERROR_NO_SUCH_TIME = N_("That time does not exist on that day, because the clocks change.")
ERROR_END_BEFORE_START = N_("The end must be after the start.")
ERROR_IN_THE_PAST = N_("The time has already passed. Choose a time that has not passed.")
ERROR_URL = N_("Write a full web address that starts with https://")
ERROR_CANCELLED = N_("This time is cancelled and can no longer be changed.")
_SE = "SE"
_TYPED_MOMENT = 40  # a date or a time as typed, before its pattern is checked
_MAX_MINUTES = 24 * 60  # an agreed time ends on the day it starts


class NotFound(LookupError):
    """No such row for this resident (or none at all): the same answer either way."""


class VersionConflict(Exception):
    """Someone saved the time or contact since the editor loaded it; nothing was overwritten."""

    def __init__(self, current: AgreedTime | CareContact) -> None:
        super().__init__(f"{current.__tablename__} {current.id} is at version {current.version}")
        self.current = current
        # Copied now: a rollback after the raise expires the row's attributes.
        self.version = current.version
        self.purpose = getattr(current, "purpose", "")  # an agreed time's
        self.starts_at = getattr(current, "starts_at", None)
        self.name = getattr(current, "name", "")  # a contact's


def _text(
    data: Mapping[str, object],
    name: str,
    limits: Mapping[str, int],
    checker: Checker,
    *,
    required: bool = False,
) -> str:
    return checker.text(
        data, name, max_length=limits[name], multiline=name in _MULTILINE, required=required
    )


def normalise_phone(raw: str) -> str | None:
    """A Swedish or international number as E.164 (+46601234500), or None if invalid."""
    try:
        number = phonenumbers.parse(raw, _SE)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """How a stored number reads: national format at home (060-123 45 00), else international."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, _SE)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 46
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


@dataclass(frozen=True)
class ContactFields:
    name: str
    role_title: str
    organisation: str
    organisation_kind: OrganisationKind
    unit: str
    phone: str  # E.164 or empty
    opening_hours: str
    reach_by: str  # ReachBy values, comma-separated, in ReachBy order
    how_to_reach: str


def _e164(typed: str) -> str:
    if not typed:
        return ""
    phone = normalise_phone(typed)
    if phone is None:
        raise refusal(ERROR_PHONE)
    return phone


def _contact_text(name: str, **rule: bool) -> Any:  # noqa: ANN401 - an Annotated type
    return Text(CONTACT_LIMITS[name], multiline=name in _MULTILINE, **rule)


class ContactInput(FormInput):
    """The contact form as typed: ``reach_by`` a list of ReachBy values, the rest text."""

    name: _contact_text("name", required=True)
    role_title: _contact_text("role_title", required=True)
    organisation: _contact_text("organisation", required=True)
    organisation_kind: Choice(OrganisationKind, OrganisationKind.REGION) = OrganisationKind.REGION
    unit: _contact_text("unit") = ""
    phone: Annotated[_contact_text("phone"), AfterValidator(_e164)] = ""  # E.164 once checked
    opening_hours: _contact_text("opening_hours") = ""
    reach_by: Annotated[list[ReachBy], BeforeValidator(lambda v: v or [])] = []
    how_to_reach: _contact_text("how_to_reach") = ""


def validate_contact(data: Mapping[str, object]) -> ContactFields:
    """Fields of a care contact from what someone typed; raises ``InputInvalid``."""
    typed = ContactInput.parse(data)
    return ContactFields(
        **typed.model_dump(exclude={"reach_by"}),
        reach_by=",".join(item.value for item in ReachBy if item in typed.reach_by),
    )


def care_contact_of(*, session: Session, resident_id: int, contact_id: int) -> CareContact:
    """The resident's contact with this id; ``NotFound`` for anyone else's."""
    contact = session.get(CareContact, contact_id)
    if contact is None or contact.resident_id != resident_id:
        raise NotFound(contact_id)
    return contact


def add_care_contact(
    *,
    session: Session,
    resident_id: int,
    actor_id: int,
    data: Mapping[str, object],
    care_side: bool = False,
) -> CareContact:
    """A new contact; ``care_side`` when staff record it (read-only for the resident)."""
    fields = validate_contact(data)
    contact = CareContact(
        resident_id=resident_id, added_by_id=actor_id, care_side=care_side, **asdict(fields)
    )
    session.add(contact)
    session.flush()
    audit.record_access(
        session=session,
        actor_id=actor_id,
        resident_id=resident_id,
        changed=True,
        detail=f"care_contact={contact.id} added",
    )
    return contact


def update_care_contact(
    *,
    session: Session,
    resident_id: int,
    contact_id: int,
    actor_id: int,
    expected_version: int,
    data: Mapping[str, object],
) -> CareContact:
    """Raises ``VersionConflict`` if someone saved the contact since ``expected_version``."""
    contact = care_contact_of(session=session, resident_id=resident_id, contact_id=contact_id)
    if contact.version != expected_version:
        raise VersionConflict(contact)
    fields = validate_contact(data)
    if all(getattr(contact, name) == value for name, value in asdict(fields).items()):
        return contact
    _claim_version(session, contact, expected_version)
    for name, value in asdict(fields).items():
        setattr(contact, name, value)
    contact.updated_at = clock.now()
    session.add(contact)
    session.flush()
    audit.record_access(
        session=session,
        actor_id=actor_id,
        resident_id=resident_id,
        changed=True,
        detail=f"care_contact={contact.id} changed",
    )
    return contact


def remove_care_contact(
    *, session: Session, resident_id: int, contact_id: int, actor_id: int, expected_version: int
) -> None:
    """Raises ``VersionConflict`` if the contact changed since the remover saw it."""
    contact = care_contact_of(session=session, resident_id=resident_id, contact_id=contact_id)
    _claim_version(session, contact, expected_version)
    session.delete(contact)
    session.flush()
    audit.record_access(
        session=session,
        actor_id=actor_id,
        resident_id=resident_id,
        changed=True,
        detail=f"care_contact={contact_id} removed",
    )


@dataclass(frozen=True)
class TimeFields:
    starts_at: datetime
    ends_at: datetime
    purpose: str
    with_whom: str
    place: str
    address: str
    meeting_url: str
    prepare: str


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{1,2})[.:](\d{2})")


def _local_moment(day: date, text: str) -> datetime | None:
    """Stockholm wall-clock time on ``day`` as aware UTC; None if malformed or skipped (DST)."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        return None
    local = datetime.combine(day, time(hour, minute), tzinfo=DISPLAY_TIMEZONE)
    moment = local.astimezone(UTC)
    # A wall-clock time that the spring change skips comes back as another time.
    if moment.astimezone(DISPLAY_TIMEZONE).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise _SkippedTime
    return moment


class _SkippedTime(Exception):
    pass


def _https_url(value: str) -> bool:
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and bool(host)
        and "." in host
        and not parts.username
        and all(label for label in host.split("."))
    )


def validate_time(data: Mapping[str, object]) -> TimeFields:
    """Fields of an agreed time from what someone typed; raises ``InputInvalid``.

    ``date`` is YYYY-MM-DD and ``start``/``end`` are HH.MM or HH:MM, read as
    Europe/Stockholm wall-clock time on that date (an agreed time ends on its day).
    """
    checker = Checker()
    errors = checker.errors
    limits = TIME_LIMITS
    purpose = _text(data, "purpose", limits, checker, required=True)
    with_whom = _text(data, "with_whom", limits, checker)
    place = _text(data, "place", limits, checker)
    address = _text(data, "address", limits, checker)
    prepare = _text(data, "prepare", limits, checker)
    meeting_url = _text(data, "meeting_url", limits, checker)
    if meeting_url and "meeting_url" not in errors and not _https_url(meeting_url):
        errors["meeting_url"] = ERROR_URL
    day_text = checker.text(data, "date", max_length=_TYPED_MOMENT, required=True)
    day = None
    if _DATE.fullmatch(day_text):
        with contextlib.suppress(ValueError):  # 2026-02-30 matches the pattern
            day = date.fromisoformat(day_text)
    if day is None and "date" not in errors:
        errors["date"] = ERROR_DATE
    moments: dict[str, datetime | None] = {}
    for name in ("start", "end"):
        text = checker.text(data, name, max_length=_TYPED_MOMENT, required=True)
        if not text:
            continue
        try:
            moments[name] = _local_moment(day or date(2000, 1, 1), text)
        except _SkippedTime:
            moments[name] = None
            errors[name] = ERROR_NO_SUCH_TIME
            continue
        if moments[name] is None:
            errors[name] = ERROR_TIME
    starts_at, ends_at = moments.get("start"), moments.get("end")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["end"] = ERROR_END_BEFORE_START
    checker.done()
    return TimeFields(
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
        with_whom=with_whom,
        place=place,
        address=address,
        meeting_url=meeting_url,
        prepare=prepare,
    )


def time_form_values(item: AgreedTime) -> dict[str, str]:
    """An agreed time as its form shows it: the inverse of ``validate_time``."""
    start = item.starts_at.astimezone(DISPLAY_TIMEZONE)
    end = item.ends_at.astimezone(DISPLAY_TIMEZONE)
    return {
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        **{name: getattr(item, name) for name in TIME_LIMITS},
    }


def find_agreed_time(*, session: Session, time_id: int) -> AgreedTime | None:
    """Any resident's time: for callers that then ask policy about its ``resident_id``."""
    return session.get(AgreedTime, time_id)


def agreed_time_of(*, session: Session, resident_id: int, time_id: int) -> AgreedTime:
    """The resident's agreed time with this id; ``NotFound`` for anyone else's."""
    item = session.get(AgreedTime, time_id)
    if item is None or item.resident_id != resident_id:
        raise NotFound(time_id)
    return item


def _log_change(
    session: Session, item: AgreedTime, *, actor_id: int, changes: dict[str, list[str]]
) -> None:
    session.add(
        AgreedTimeChange(
            agreed_time_id=item.id,
            changed_by_id=actor_id,
            status=item.status.value,
            changes=json.dumps(changes, ensure_ascii=False),
        )
    )


def add_agreed_time(
    *,
    session: Session,
    resident_id: int,
    actor_id: int,
    data: Mapping[str, object],
    now: datetime,
    care_side: bool = False,
) -> AgreedTime:
    """A new time; ``care_side`` when staff record it: the resident answers it instead of
    changing it."""
    fields = validate_time(data)
    if fields.starts_at < now:
        raise InputInvalid({"start": ERROR_IN_THE_PAST})
    item = AgreedTime(
        resident_id=resident_id, added_by_id=actor_id, care_side=care_side, **asdict(fields)
    )
    session.add(item)
    session.flush()
    _log_change(session, item, actor_id=actor_id, changes={})
    audit.record_access(
        session=session,
        actor_id=actor_id,
        resident_id=resident_id,
        changed=True,
        detail=f"agreed_time={item.id} added",
    )
    return item


# Changing these moves the meeting: the time is marked "changed" for everyone to see.
_MOVING_FIELDS = ("starts_at", "ends_at", "place", "address", "meeting_url")


def _as_history(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _claim_version(session: Session, item: AgreedTime | CareContact, expected_version: int) -> None:
    """Raise the version in the database only if it is still the one the editor saw.

    One UPDATE with the old version in its WHERE: of two devices saving at once,
    only one wins, and the other gets ``VersionConflict`` instead of overwriting.
    """
    table = type(item)
    claimed = session.exec(
        update(table)
        .where(col(table.id) == item.id, col(table.version) == expected_version)
        .values(version=expected_version + 1)
    )
    if claimed.rowcount != 1:
        session.refresh(item)
        raise VersionConflict(item)
    item.version = expected_version + 1


def update_agreed_time(
    *,
    session: Session,
    resident_id: int,
    time_id: int,
    actor_id: int,
    expected_version: int,
    data: Mapping[str, object],
    now: datetime,
) -> AgreedTime:
    item = agreed_time_of(session=session, resident_id=resident_id, time_id=time_id)
    if item.version != expected_version:
        raise VersionConflict(item)
    if item.status is AgreedTimeStatus.CANCELLED:
        raise InputInvalid({"form": ERROR_CANCELLED})
    fields = validate_time(data)
    if fields.starts_at != item.starts_at and fields.starts_at < now:
        raise InputInvalid({"start": ERROR_IN_THE_PAST})
    changes = {
        name: [_as_history(getattr(item, name)), _as_history(value)]
        for name, value in asdict(fields).items()
        if getattr(item, name) != value
    }
    if not changes:
        return item
    _claim_version(session, item, expected_version)
    for name, value in asdict(fields).items():
        setattr(item, name, value)
    if any(name in changes for name in _MOVING_FIELDS):
        item.status = AgreedTimeStatus.CHANGED
        close_open_requests(session=session, time_id=item.id, by_id=actor_id)
    item.updated_at = clock.now()
    session.add(item)
    session.flush()
    _log_change(session, item, actor_id=actor_id, changes=changes)
    audit.record_access(
        session=session,
        actor_id=actor_id,
        resident_id=resident_id,
        changed=True,
        detail=f"agreed_time={item.id} changed",
    )
    return item


def cancel_agreed_time(
    *,
    session: Session,
    resident_id: int,
    time_id: int,
    actor_id: int,
    expected_version: int,
) -> AgreedTime:
    item = agreed_time_of(session=session, resident_id=resident_id, time_id=time_id)
    if item.version != expected_version:
        raise VersionConflict(item)
    if item.status is AgreedTimeStatus.CANCELLED:
        return item
    before = item.status.value
    _claim_version(session, item, expected_version)
    item.status = AgreedTimeStatus.CANCELLED
    item.updated_at = clock.now()
    close_open_requests(session=session, time_id=item.id, by_id=actor_id)
    session.add(item)
    session.flush()
    _log_change(session, item, actor_id=actor_id, changes={"status": [before, item.status.value]})
    audit.record_access(
        session=session,
        actor_id=actor_id,
        resident_id=resident_id,
        changed=True,
        detail=f"agreed_time={item.id} cancelled",
    )
    return item


def close_open_requests(*, session: Session, time_id: int, by_id: int | None) -> int:
    """Requests for another time are answered once the time is moved or cancelled (or
    replied to, services/time_answers.py); how many were open."""
    rows = session.exec(
        select(AgreedTimeAnswer).where(
            AgreedTimeAnswer.agreed_time_id == time_id,
            AgreedTimeAnswer.kind == AnswerKind.OTHER_TIME.value,
            col(AgreedTimeAnswer.answered_at).is_(None),
        )
    ).all()
    now = clock.now()
    for row in rows:
        row.answered_at, row.answered_by_id = now, by_id
        session.add(row)
    return len(rows)


def changes_of(*, session: Session, time_ids: list[int]) -> dict[int, list[AgreedTimeChange]]:
    """The change history of these times, oldest first per time."""
    if not time_ids:
        return {}
    rows = session.exec(
        select(AgreedTimeChange)
        .where(col(AgreedTimeChange.agreed_time_id).in_(time_ids))
        .order_by(col(AgreedTimeChange.changed_at), col(AgreedTimeChange.id))
    ).all()
    history: dict[int, list[AgreedTimeChange]] = {}
    for row in rows:
        history.setdefault(row.agreed_time_id, []).append(row)
    return history


@dataclass(frozen=True)
class Author:
    """Who added an entry: a name and, for staff, the unit of their care relationship."""

    user_id: int
    name: str
    unit: str
    role: Role = Role.RESIDENT


def authors(*, session: Session, resident_id: int, user_ids: set[int]) -> dict[int, Author]:
    ids = {user_id for user_id in user_ids if user_id}
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    # A staff author's unit: one of the units that have (or had) the resident in their
    # care and that the author works (or worked) in; a current membership first.
    rows = session.exec(
        select(UnitMembership.staff_id, CareUnit.name)
        .join(CareUnit, col(CareUnit.id) == col(UnitMembership.unit_id))
        .join(CareRelationship, col(CareRelationship.unit_id) == col(UnitMembership.unit_id))
        .where(
            CareRelationship.resident_id == resident_id,
            col(UnitMembership.staff_id).in_(ids),
        )
        .order_by(col(UnitMembership.ended_at).is_not(None), col(CareUnit.name))
    ).all()
    units: dict[int, str] = {}
    for staff_id, name in rows:
        units.setdefault(staff_id, name)
    return {
        user.id: Author(user.id, user.display_name, units.get(user.id, ""), Role(user.role))
        for user in users
    }
