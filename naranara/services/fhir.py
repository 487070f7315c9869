"""The resident's record as FHIR R4: export as one Bundle, import what a region sends.

The bundles are built as plain JSON and checked with the ``fhir.resources`` R4B
models, which match R4 for every resource used here. That library checks the
structure and data types but not code values, so the codes we write come from
the R4 value sets below, and those we read are checked against them.

Import takes Appointment and CareTeam resources, matched on their identifiers
(``external_system``/``external_id``): importing the same bundle twice changes
nothing. Everything is checked before anything is written, so an invalid bundle
imports nothing, and every problem names its entry (1-based) in the reader's
language through a message id.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_, gettext
from naranara.models import (
    ActivityStatus,
    AgreedTime,
    AgreedTimeChange,
    AgreedTimeStatus,
    AuditKind,
    CareContact,
    CarePlanActivity,
    CarePlanGoal,
    GoalStatus,
    Responsible,
    User,
    WhatMattersProfile,
)
from naranara.services import audit

SYSTEM_USER = "urn:nara:user"
SYSTEM_AGREED_TIME = "urn:nara:agreed-time"
SYSTEM_CARE_CONTACT = "urn:nara:care-contact"
SYSTEM_CARE_TEAM = "urn:nara:care-team"
SYSTEM_CARE_PLAN = "urn:nara:care-plan"
SYSTEM_GOAL = "urn:nara:care-plan-goal"
SYSTEM_WHAT_MATTERS = "urn:nara:what-matters"
QUESTIONNAIRE_WHAT_MATTERS = "urn:nara:questionnaire:what-matters"
_URL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:nara")
MAX_ENTRIES = 5_000

# ---------------------------------------------------------------------------- R4 codes

# http://hl7.org/fhir/R4/valueset-appointmentstatus.html
APPOINTMENT_STATUSES = frozenset(
    {
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    }
)
_CANCELLED_APPOINTMENT = frozenset({"cancelled", "noshow", "entered-in-error"})
# http://hl7.org/fhir/R4/valueset-care-plan-activity-status.html
_ACTIVITY_STATUS = {
    ActivityStatus.PLANNED: "not-started",
    ActivityStatus.ONGOING: "in-progress",
    ActivityStatus.DONE: "completed",
    ActivityStatus.PAUSED: "on-hold",
}
# http://hl7.org/fhir/R4/valueset-goal-status.html
_GOAL_LIFECYCLE = {
    GoalStatus.ACTIVE: "active",
    GoalStatus.ACHIEVED: "completed",
    GoalStatus.DROPPED: "cancelled",
}
_GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
_RESPONSIBLE = {
    Responsible.REGION: N_("The region"),
    Responsible.MUNICIPALITY: N_("The municipality"),
    Responsible.RELATIVE: N_("A relative"),
}

# ---------------------------------------------------------------------------- helpers


def _full_url(kind: str, key: object) -> str:
    """A stable ``urn:uuid``: the same row gets the same address in every export."""
    return f"urn:uuid:{uuid.uuid5(_URL_NAMESPACE, f'{kind}/{key}')}"


def _instant(moment: datetime) -> str:
    """UTC with its offset written out: ``2026-03-03T13:30:00+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _identifier(row: AgreedTime | CareContact, own_system: str) -> dict[str, str]:
    """The region's identifier for rows a region sent, else ours."""
    if row.external_id:
        found = {"value": row.external_id}
        if row.external_system:
            found["system"] = row.external_system
        return found
    return {"system": own_system, "value": str(row.id)}


# FHIR strings allow space, tab, CR and LF as their only whitespace ([ \r\n\t\S]+);
# text pasted into the app may hold others (no-break space, NEL, line separator).
_OTHER_WHITESPACE = re.compile(r"[^\S \r\n\t]")


def _fhir_strings(value: Any) -> Any:
    """``value`` with every other kind of whitespace in its strings made a plain space."""
    if isinstance(value, str):
        return _OTHER_WHITESPACE.sub(" ", value)
    if isinstance(value, list):
        return [_fhir_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _fhir_strings(item) for key, item in value.items()}
    return value


def _checked(resource: dict[str, Any]) -> dict[str, Any]:
    """Raise if ``resource`` is not valid R4 structure; return it as it is."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


# ---------------------------------------------------------------------------- export


def _patient(user: User) -> dict[str, Any]:
    # A name and our own id only: never a personal identity number.
    return {
        "resourceType": "Patient",
        "id": f"patient-{user.id}",
        "identifier": [{"system": SYSTEM_USER, "value": str(user.id)}],
        "name": [{"text": user.display_name}],
        "communication": [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": user.locale}]}}
        ],
    }


def _care_team(contacts: list[CareContact], *, patient: dict, locale: str) -> dict[str, Any]:
    contained, participants = [], []
    for contact in contacts:
        local_id = f"contact-{contact.id}"
        # FHIR strings are never empty: an empty column leaves its element out.
        role: dict[str, Any] = {
            "resourceType": "PractitionerRole",
            "id": local_id,
            "identifier": [_identifier(contact, SYSTEM_CARE_CONTACT)],
        }
        if contact.name:
            role["practitioner"] = {"display": contact.name}
        if contact.role_title:
            role["code"] = [{"text": contact.role_title}]
        if contact.organisation:
            role["organization"] = {"display": contact.organisation}
        if contact.phone:
            role["telecom"] = [{"system": "phone", "value": contact.phone, "use": "work"}]
        if contact.opening_hours:
            role["availabilityExceptions"] = contact.opening_hours
        contained.append(role)
        participant: dict[str, Any] = {"member": {"reference": f"#{local_id}"}}
        if contact.name:
            participant["member"]["display"] = contact.name
        if contact.role_title:
            participant["role"] = [{"text": contact.role_title}]
        if contact.organisation:
            participant["onBehalfOf"] = {"display": contact.organisation}
        participants.append(participant)
    return {
        "resourceType": "CareTeam",
        "id": "care-team",
        "contained": contained,
        "identifier": [{"system": SYSTEM_CARE_TEAM, "value": patient["identifier"][0]["value"]}],
        "status": "active",
        "name": gettext(locale, "My care contacts"),
        "subject": {"reference": _full_url("Patient", patient["id"])},
        "participant": participants,
    }


def _appointment(row: AgreedTime, *, patient: dict) -> dict[str, Any]:
    participants = [
        {
            "actor": {
                "reference": _full_url("Patient", patient["id"]),
                "display": patient["name"][0]["text"],
            },
            "status": "accepted",
        }
    ]
    if row.with_whom:
        participants.append({"actor": {"display": row.with_whom}, "status": "accepted"})
    if row.place:
        where = f"{row.place}, {row.address}" if row.address else row.place
        participants.append({"actor": {"type": "Location", "display": where}, "status": "accepted"})
    resource = {
        "resourceType": "Appointment",
        "id": f"agreed-time-{row.id}",
        "identifier": [_identifier(row, SYSTEM_AGREED_TIME)],
        "status": "cancelled" if row.status == AgreedTimeStatus.CANCELLED else "booked",
        "start": _instant(row.starts_at),
        "end": _instant(row.ends_at),
        "participant": participants,
    }
    if row.purpose:
        resource["description"] = row.purpose
    if row.prepare:
        resource["patientInstruction"] = row.prepare
    if row.meeting_url:
        resource["comment"] = row.meeting_url  # R4 has no field for a video link
    return resource


def _goal(goal: CarePlanGoal, *, patient: dict) -> dict[str, Any]:
    resource = {
        "resourceType": "Goal",
        "id": f"goal-{goal.id}",
        "identifier": [{"system": SYSTEM_GOAL, "value": str(goal.id)}],
        "lifecycleStatus": _GOAL_LIFECYCLE[GoalStatus(goal.status)],
        "description": {"text": goal.text},
        "subject": {"reference": _full_url("Patient", patient["id"])},
    }
    if goal.status == GoalStatus.ACHIEVED:
        resource["achievementStatus"] = {
            "coding": [{"system": _GOAL_ACHIEVEMENT, "code": "achieved"}]
        }
    if goal.created_by_id == goal.resident_id:
        resource["expressedBy"] = {"reference": _full_url("Patient", patient["id"])}
    return resource


def _care_plan(
    goals: list[CarePlanGoal],
    activities: list[CarePlanActivity],
    *,
    patient: dict,
    locale: str,
) -> dict[str, Any]:
    patient_ref = {"reference": _full_url("Patient", patient["id"])}

    def performer(activity: CarePlanActivity) -> dict[str, str]:
        if activity.responsible == Responsible.RESIDENT:
            return {
                **patient_ref,
                "display": activity.responsible_name or patient["name"][0]["text"],
            }
        label = gettext(locale, _RESPONSIBLE[Responsible(activity.responsible)])
        name = activity.responsible_name
        return {"display": f"{label} – {name}" if name else label}

    plan_activities = []
    for activity in activities:
        detail: dict[str, Any] = {
            "status": _ACTIVITY_STATUS[ActivityStatus(activity.status)],
            "description": activity.description,
            "performer": [performer(activity)],
        }
        if activity.goal_id:
            detail["goal"] = [{"reference": _full_url("Goal", activity.goal_id)}]
        if activity.follow_up_on:
            detail["scheduledString"] = gettext(locale, "Follow-up {date}").format(
                date=activity.follow_up_on.isoformat()
            )
        plan_activities.append({"detail": detail})
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": "care-plan",
        "identifier": [{"system": SYSTEM_CARE_PLAN, "value": patient["identifier"][0]["value"]}],
        "status": "active",
        "intent": "plan",
        "title": gettext(locale, "My plan"),
        "subject": patient_ref,
    }
    if goals:
        resource["goal"] = [{"reference": _full_url("Goal", goal.id)} for goal in goals]
    if plan_activities:
        resource["activity"] = plan_activities
    return resource


# "Vad är viktigt för dig?": one item per section, in the order the profile asks them.
_CHANNELS = {
    "phone": N_("Phone"),
    "sms": N_("SMS"),
    "message_1177": N_("1177 message"),
    "letter": N_("Letter"),
}
_TIMES = {
    "morning": N_("Morning"),
    "midday": N_("Midday"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
}
_AIDS = {
    "hearing": N_("Hearing"),
    "sight": N_("Sight"),
    "memory": N_("Memory"),
    "mobility": N_("Mobility"),
}


def _codings(value: str, labels: dict[str, str], system: str, locale: str) -> list[dict]:
    return [
        {"valueCoding": {"system": system, "code": code, "display": gettext(locale, labels[code])}}
        for code in (part.strip() for part in value.split(","))
        if code in labels
    ]


def _text_answer(value: str) -> list[dict]:
    return [{"valueString": value}] if value.strip() else []


def _questionnaire_response(
    profile: WhatMattersProfile, *, patient: dict, locale: str
) -> dict[str, Any]:
    interpreter = []
    if profile.needs_interpreter:
        interpreter = [
            {
                "valueString": gettext(locale, "Needs an interpreter")
                + (f": {profile.interpreter_language}" if profile.interpreter_language else "")
            }
        ]
    sections = [
        ("important_to_me", N_("This is important to me"), _text_answer(profile.important_to_me)),
        ("gives_me_energy", N_("This gives me energy"), _text_answer(profile.gives_me_energy)),
        ("worries_me", N_("This worries me"), _text_answer(profile.worries_me)),
        ("my_goals", N_("My goals"), _text_answer(profile.my_goals)),
        (
            "contact",
            N_("How I want to be contacted"),
            _codings(profile.contact_channels, _CHANNELS, "urn:nara:contact-channel", locale)
            + _codings(profile.contact_times, _TIMES, "urn:nara:time-of-day", locale)
            + _text_answer(profile.contact_notes),
        ),
        (
            "language",
            N_("Language and interpreter"),
            _text_answer(profile.languages) + interpreter,
        ),
        (
            "aids",
            N_("Aids and needs"),
            _codings(profile.aids, _AIDS, "urn:nara:aid", locale)
            + _text_answer(profile.aids_notes),
        ),
        (
            "important_people",
            N_("Important people in my life"),
            _text_answer(profile.important_people),
        ),
    ]
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": "what-matters",
        "identifier": {"system": SYSTEM_WHAT_MATTERS, "value": str(profile.id)},
        "questionnaire": QUESTIONNAIRE_WHAT_MATTERS,
        "status": "completed",
        "subject": {"reference": _full_url("Patient", patient["id"])},
        "authored": _instant(profile.updated_at),
    }
    items = [
        {"linkId": link_id, "text": gettext(locale, text), "answer": answers}
        for link_id, text, answers in sections
        if answers
    ]
    if items:
        resource["item"] = items
    return resource


def export_bundle(*, session: Session, resident_id: int) -> dict[str, Any]:
    """The resident's whole record as a FHIR R4 Bundle (type collection), validated."""
    user = session.get(User, resident_id)
    if user is None:
        raise LookupError(resident_id)
    locale = user.locale
    patient = _patient(user)
    resources: list[tuple[str, dict]] = [("Patient", patient)]

    contacts = list(
        session.exec(
            select(CareContact)
            .where(CareContact.resident_id == resident_id)
            .order_by(col(CareContact.id))
        )
    )
    if contacts:
        resources.append(("CareTeam", _care_team(contacts, patient=patient, locale=locale)))
    for row in session.exec(
        select(AgreedTime)
        .where(AgreedTime.resident_id == resident_id)
        .order_by(col(AgreedTime.starts_at), col(AgreedTime.id))
    ):
        resources.append(("Appointment", _appointment(row, patient=patient)))
    goals = list(
        session.exec(
            select(CarePlanGoal)
            .where(CarePlanGoal.resident_id == resident_id)
            .order_by(col(CarePlanGoal.id))
        )
    )
    activities = list(
        session.exec(
            select(CarePlanActivity)
            .where(CarePlanActivity.resident_id == resident_id)
            .order_by(col(CarePlanActivity.id))
        )
    )
    for goal in goals:
        resources.append(("Goal", _goal(goal, patient=patient)))
    if goals or activities:
        resources.append(
            ("CarePlan", _care_plan(goals, activities, patient=patient, locale=locale))
        )
    profile = session.exec(
        select(WhatMattersProfile).where(WhatMattersProfile.resident_id == resident_id)
    ).first()
    if profile is not None:
        resources.append(
            (
                "QuestionnaireResponse",
                _questionnaire_response(profile, patient=patient, locale=locale),
            )
        )

    def full_url(kind: str, resource: dict) -> str:
        if kind == "Goal":
            return _full_url("Goal", resource["identifier"][0]["value"])
        return _full_url(kind, resource["id"])

    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _instant(clock.now()),
        "entry": [
            {"fullUrl": full_url(kind, resource), "resource": resource}
            for kind, resource in resources
        ],
    }
    return _checked(_fhir_strings(bundle))


# ---------------------------------------------------------------------------- import

NOT_A_BUNDLE = N_("The file is not a FHIR Bundle.")
BUNDLE_INVALID = N_("The bundle does not follow FHIR R4: {problem}")
TOO_MANY_ENTRIES = N_("The bundle has more than {limit} entries.")
ENTRY_WITHOUT_RESOURCE = N_("Entry {number}: there is no resource in it.")
UNKNOWN_TYPE = N_("Entry {number}: “{kind}” is not a FHIR resource type.")
RESOURCE_INVALID = N_("Entry {number}: the {kind} does not follow FHIR R4: {problem}")
NO_IDENTIFIER = N_(
    "Entry {number}: the {kind} has no identifier, so a later import could not find it again."
)
SAME_IDENTIFIER = N_(
    "Entry {number}: the identifier “{identifier}” is already used in entry {first}."
)
UNKNOWN_STATUS = N_("Entry {number}: “{status}” is not an appointment status.")
NO_TIME = N_("Entry {number}: the appointment has no start or end time.")
END_BEFORE_START = N_("Entry {number}: the appointment ends before it starts.")
NO_PURPOSE = N_("Entry {number}: the appointment does not say what it is for.")
NO_NAME = N_("Entry {number}: a member of the care team has no name.")
NO_ROLE = N_("Entry {number}: {name} in the care team has no role.")
TOO_LONG = N_("Entry {number}: “{field}” is longer than {limit} characters.")
UNSAVEABLE_TEXT = N_("Entry {number}: “{field}” has characters that cannot be saved.")


@dataclass(frozen=True)
class ImportProblem:
    message: str  # a message id, formatted with ``values``
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        return gettext(locale, self.message).format(**self.values)


class BundleRejected(ValueError):
    """Nothing was imported; ``problems`` says why, entry by entry."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(problem.text("en") for problem in problems))
        self.problems = problems

    def texts(self, locale: str) -> list[str]:
        return [problem.text(locale) for problem in self.problems]


@dataclass
class ImportSummary:
    times_added: int = 0
    times_updated: int = 0
    times_unchanged: int = 0
    contacts_added: int = 0
    contacts_updated: int = 0
    contacts_unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (entry number, type)


@dataclass
class _Time:
    key: tuple[str, str]
    starts_at: datetime
    ends_at: datetime
    purpose: str
    with_whom: str
    place: str
    prepare: str
    cancelled: bool


@dataclass
class _Contact:
    key: tuple[str, str]
    name: str
    role_title: str
    organisation: str
    phone: str
    opening_hours: str


def _problem_text(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        return "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '-'}: {item['msg']}"
            for item in errors()[:3]
        )
    return str(error)[:200] or type(error).__name__


def _key(identifiers: list | None) -> tuple[str, str] | None:
    for identifier in identifiers or []:
        if identifier.value:
            return (identifier.system or "", identifier.value)
    return None


def _concept_text(concept: Any) -> str:
    if concept is None:
        return ""
    if concept.text:
        return concept.text.strip()
    for coding in concept.coding or []:
        if coding.display:
            return coding.display.strip()
    return ""


class _Reader:
    """Turns validated resources into rows, collecting problems instead of stopping."""

    def __init__(self, patient_urls: set[str]) -> None:
        self.problems: list[ImportProblem] = []
        self.patient_urls = patient_urls

    def problem(self, message: str, **values: Any) -> None:
        self.problems.append(ImportProblem(message, values))

    def fits(self, number: int, value: str, name: str, limit: int) -> str:
        """``value`` if the column holds it; else a problem (never cut or changed silently)."""
        if len(value) > limit:
            self.problem(TOO_LONG, number=number, field=name, limit=limit)
        elif "\x00" in value:  # valid FHIR, but PostgreSQL keeps no NUL in text
            self.problem(UNSAVEABLE_TEXT, number=number, field=name)
        return value

    def fits_key(self, number: int, key: tuple[str, str] | None) -> tuple[str, str] | None:
        if key is not None:
            self.fits(number, key[0], "identifier.system", 200)
            self.fits(number, key[1], "identifier.value", 200)
        return key

    def appointment(self, number: int, resource: Any) -> _Time | None:
        problems_before = len(self.problems)
        key = self.fits_key(number, _key(resource.identifier))
        if key is None:
            self.problem(NO_IDENTIFIER, number=number, kind="Appointment")
        if resource.status not in APPOINTMENT_STATUSES:
            self.problem(UNKNOWN_STATUS, number=number, status=str(resource.status)[:40])
        if resource.start is None or resource.end is None:
            self.problem(NO_TIME, number=number)
        elif resource.end < resource.start:
            self.problem(END_BEFORE_START, number=number)
        purpose = (resource.description or "").strip()
        for concept in [*(resource.serviceType or []), resource.appointmentType]:
            purpose = purpose or _concept_text(concept)
        if not purpose:
            self.problem(NO_PURPOSE, number=number)
        people, places = [], []
        for participant in resource.participant or []:
            actor = participant.actor
            if actor is None or not actor.display:
                continue
            reference = actor.reference or ""
            if actor.type == "Patient" or reference.startswith("Patient/"):
                continue
            if reference in self.patient_urls:
                continue
            if actor.type == "Location" or reference.startswith("Location/"):
                places.append(actor.display.strip())
            else:
                people.append(actor.display.strip())
        row = _Time(
            key=key or ("", ""),
            starts_at=resource.start,
            ends_at=resource.end,
            purpose=self.fits(number, purpose, "description", 200),
            with_whom=self.fits(number, ", ".join(people), "participant", 160),
            place=self.fits(number, ", ".join(places), "Location", 200),
            prepare=self.fits(
                number, (resource.patientInstruction or "").strip(), "patientInstruction", 500
            ),
            cancelled=resource.status in _CANCELLED_APPOINTMENT,
        )
        return row if len(self.problems) == problems_before else None

    def care_team(self, number: int, resource: Any) -> list[_Contact]:
        team_key = self.fits_key(number, _key(resource.identifier))
        contained = {item.id: item for item in resource.contained or [] if item.id}
        organisation_default = next(
            (ref.display for ref in resource.managingOrganization or [] if ref.display), ""
        )
        contacts = []
        for participant in resource.participant or []:
            member = participant.member
            local = (
                contained.get(member.reference[1:])
                if member is not None and (member.reference or "").startswith("#")
                else None
            )
            role = (
                local
                if local is not None and local.get_resource_type() == "PractitionerRole"
                else None
            )
            name = (member.display or "").strip() if member is not None else ""
            if not name and role is not None and role.practitioner is not None:
                name = (role.practitioner.display or "").strip()
            role_title = next(
                (text for text in map(_concept_text, participant.role or []) if text), ""
            ) or next(
                (text for text in map(_concept_text, (role.code if role else None) or []) if text),
                "",
            )
            organisation = (
                (participant.onBehalfOf.display if participant.onBehalfOf else None)
                or (role.organization.display if role and role.organization else None)
                or organisation_default
            )
            phone = next(
                (
                    point.value
                    for point in ((local.telecom if local is not None else None) or [])
                    if point.system == "phone" and point.value
                ),
                "",
            )
            key = _key(getattr(local, "identifier", None)) if local is not None else None
            if key is None and team_key is not None and name:
                key = (team_key[0], f"{team_key[1]}/{name}")
            self.fits_key(number, key)
            if not name:
                self.problem(NO_NAME, number=number)
                continue
            if key is None:
                self.problem(NO_IDENTIFIER, number=number, kind="CareTeam")
                continue
            if not role_title:
                self.problem(NO_ROLE, number=number, name=name)
                continue
            contacts.append(
                _Contact(
                    key=key,
                    name=self.fits(number, name, "name", 120),
                    role_title=self.fits(number, role_title, "role", 120),
                    organisation=self.fits(
                        number, (organisation or "").strip(), "organisation", 160
                    ),
                    phone=self.fits(number, phone.strip(), "telecom", 40),
                    opening_hours=self.fits(
                        number,
                        (role.availabilityExceptions or "").strip() if role else "",
                        "availabilityExceptions",
                        200,
                    ),
                )
            )
        return contacts


def _read_bundle(
    bundle: object,
) -> tuple[list[tuple[int, _Time]], list[tuple[int, _Contact]], list[tuple[int, str]]]:
    """Check the whole bundle; raise ``BundleRejected`` listing every problem found."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BundleRejected([ImportProblem(NOT_A_BUNDLE)])
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise BundleRejected([ImportProblem(BUNDLE_INVALID, {"problem": "entry: not a list"})])
    if len(entries) > MAX_ENTRIES:
        raise BundleRejected([ImportProblem(TOO_MANY_ENTRIES, {"limit": MAX_ENTRIES})])
    problems: list[ImportProblem] = []
    # The bundle's own structure, entries without their resources (checked one by one below).
    shell = {
        **bundle,
        "entry": [
            {name: value for name, value in entry.items() if name != "resource"}
            if isinstance(entry, dict)
            else entry
            for entry in entries
        ],
    }
    try:
        get_fhir_model_class("Bundle").model_validate(shell)
    except Exception as error:  # noqa: BLE001 - any failure is the sender's invalid data
        problems.append(ImportProblem(BUNDLE_INVALID, {"problem": _problem_text(error)}))

    parsed: list[tuple[int, str, Any, str]] = []  # (number, type, model, fullUrl)
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            problems.append(ImportProblem(ENTRY_WITHOUT_RESOURCE, {"number": number}))
            continue
        kind = resource.get("resourceType")
        try:
            model_class = get_fhir_model_class(kind) if isinstance(kind, str) else None
        except (ValueError, KeyError):
            model_class = None
        if model_class is None:
            problems.append(ImportProblem(UNKNOWN_TYPE, {"number": number, "kind": str(kind)[:60]}))
            continue
        try:
            model = model_class.model_validate(resource)
        except Exception as error:  # noqa: BLE001 - any failure is the sender's invalid data
            problems.append(
                ImportProblem(
                    RESOURCE_INVALID,
                    {"number": number, "kind": kind, "problem": _problem_text(error)},
                )
            )
            continue
        full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else ""
        parsed.append((number, kind, model, full_url))

    reader = _Reader({url for _, kind, _, url in parsed if kind == "Patient" and url})
    times: list[tuple[int, _Time]] = []
    contacts: list[tuple[int, _Contact]] = []
    skipped: list[tuple[int, str]] = []
    for number, kind, model, _url in parsed:
        if kind == "Appointment":
            row = reader.appointment(number, model)
            if row is not None:
                times.append((number, row))
        elif kind == "CareTeam":
            contacts.extend((number, contact) for contact in reader.care_team(number, model))
        else:
            skipped.append((number, kind))
    problems.extend(reader.problems)
    for rows in (times, contacts):
        first_use: dict[tuple[str, str], int] = {}
        for number, row in rows:
            if row.key in first_use:
                problems.append(
                    ImportProblem(
                        SAME_IDENTIFIER,
                        {
                            "number": number,
                            "identifier": row.key[1][:80],
                            "first": first_use[row.key],
                        },
                    )
                )
            first_use.setdefault(row.key, number)
    if problems:
        raise BundleRejected(problems)
    return times, contacts, skipped


def _import_time(
    session: Session, *, resident_id: int, row: _Time, imported_by_id: int | None
) -> str:
    """Add or update one agreed time; "added", "updated" or "unchanged"."""
    system, value = row.key
    existing = session.exec(
        select(AgreedTime).where(
            AgreedTime.resident_id == resident_id,
            AgreedTime.external_system == system,
            AgreedTime.external_id == value,
        )
    ).first()
    incoming = {
        "starts_at": row.starts_at.astimezone(UTC),
        "ends_at": row.ends_at.astimezone(UTC),
        "purpose": row.purpose,
        "with_whom": row.with_whom,
        "place": row.place,
        "prepare": row.prepare,
    }
    if existing is None:
        status = AgreedTimeStatus.CANCELLED if row.cancelled else AgreedTimeStatus.PLANNED
        agreed = AgreedTime(
            resident_id=resident_id,
            status=status,
            added_by_id=imported_by_id,
            care_side=True,  # the region's system: read-only for the resident
            external_system=system,
            external_id=value,
            **incoming,
        )
        session.add(agreed)
        session.flush()
        session.add(
            AgreedTimeChange(
                agreed_time_id=agreed.id, changed_by_id=imported_by_id, status=status.value
            )
        )
        return "added"
    changes = {
        name: [_plain(getattr(existing, name)), _plain(new)]
        for name, new in incoming.items()
        if getattr(existing, name) != new
    }
    if row.cancelled:
        status = AgreedTimeStatus.CANCELLED
    elif existing.status == AgreedTimeStatus.CANCELLED or {"starts_at", "ends_at", "place"} & set(
        changes
    ):
        status = AgreedTimeStatus.CHANGED
    else:
        status = AgreedTimeStatus(existing.status)
    if status != existing.status:
        changes["status"] = [AgreedTimeStatus(existing.status).value, status.value]
    if not changes:
        return "unchanged"
    for name, new in incoming.items():
        setattr(existing, name, new)
    existing.status = status
    existing.version += 1
    existing.updated_at = clock.now()
    session.add(existing)
    session.add(
        AgreedTimeChange(
            agreed_time_id=existing.id,
            changed_by_id=imported_by_id,
            status=status.value,
            changes=json.dumps(changes, ensure_ascii=False),
        )
    )
    return "updated"


def _plain(value: object) -> object:
    return _instant(value) if isinstance(value, datetime) else value


def _import_contact(
    session: Session, *, resident_id: int, row: _Contact, imported_by_id: int | None
) -> str:
    system, value = row.key
    existing = session.exec(
        select(CareContact).where(
            CareContact.resident_id == resident_id,
            CareContact.external_system == system,
            CareContact.external_id == value,
        )
    ).first()
    incoming = {
        "name": row.name,
        "role_title": row.role_title,
        "organisation": row.organisation,
        "phone": row.phone,
        "opening_hours": row.opening_hours,
    }
    if existing is None:
        session.add(
            CareContact(
                resident_id=resident_id,
                added_by_id=imported_by_id,
                care_side=True,  # the region's system: read-only for the resident
                external_system=system,
                external_id=value,
                **incoming,
            )
        )
        return "added"
    if all(getattr(existing, name) == new for name, new in incoming.items()):
        return "unchanged"
    for name, new in incoming.items():
        setattr(existing, name, new)
    existing.version += 1  # an editor open on the old version must not overwrite this
    existing.updated_at = clock.now()
    session.add(existing)
    return "updated"


def import_bundle(
    *, session: Session, resident_id: int, bundle: object, imported_by_id: int | None
) -> ImportSummary:
    """Import a region's Appointments and CareTeams for the resident: all or nothing.

    Raises ``BundleRejected`` (and writes nothing) if any entry is invalid.
    """
    times, contacts, skipped = _read_bundle(bundle)
    summary = ImportSummary(skipped=skipped)
    for _, row in times:
        outcome = _import_time(
            session, resident_id=resident_id, row=row, imported_by_id=imported_by_id
        )
        setattr(summary, f"times_{outcome}", getattr(summary, f"times_{outcome}") + 1)
    for _, row in contacts:
        outcome = _import_contact(
            session, resident_id=resident_id, row=row, imported_by_id=imported_by_id
        )
        setattr(summary, f"contacts_{outcome}", getattr(summary, f"contacts_{outcome}") + 1)
    session.flush()
    audit.record(
        session=session,
        kind=AuditKind.RECORD_IMPORTED,
        actor_id=imported_by_id,
        subject_id=resident_id,
        detail=(
            f"fhir times+{summary.times_added}~{summary.times_updated} "
            f"contacts+{summary.contacts_added}~{summary.contacts_updated} "
            f"skipped={len(summary.skipped)}"
        ),
    )
    return summary
