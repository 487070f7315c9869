"""Staff enrol a resident (/mina-invanare/ny) and look after one (/mina-invanare/invanare).

Enrolling gives the resident a one-time activation, shown once as a printable sheet:
the link, the code and a QR code. Only the code's hash is kept, so a lost sheet is
replaced by a new one (the old code stops working), never shown again.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import reflex as rx
from sqlmodel import col, select

from naranara import clock, routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_date_with_year, format_day_and_time, to_local
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.models import CareRelationship, CareUnit, User
from naranara.policy import Action, Forbidden, Viewer, is_allowed, may_enrol_at, require
from naranara.services import (
    access,
    audit,
    care_units,
    enrolment,
    invitations,
    monitoring,
)
from naranara.services.patient_contract import display_phone
from naranara.settings import DISPLAY_TIMEZONE, get_settings
from naranara.states.focus import RESIDENT_PARAM, error_texts, resident_in_focus
from naranara.states.my_residents import FOLLOW_UP_REASONS
from naranara.states.session import current_viewer

ENROL_FIELDS = {
    "display_name": 120,
    "phone": 40,
    "how_to_reach": 300,
    "personnummer": 20,
    "starts_on": 10,
    "unit": 12,
    "fixed_contact": 12,
}
_TYPED_MAX = 2000


@dataclasses.dataclass
class OptionView:
    value: str
    label: str


@dataclasses.dataclass
class ActivationSheetView:
    """The printed sheet, in the resident's words (Swedish, as the unit hands it over)."""

    name: str = ""
    username: str = ""
    unit: str = ""
    unit_phone: str = ""
    fixed_contact: str = ""
    link: str = ""  # with the code: what the QR code holds
    address: str = ""  # to type, without the code
    code: str = ""  # "K7QM-2XWD-9HFN"
    qr: str = ""
    valid_until: str = ""


def _address(state: rx.State, path: str) -> str:
    # The browser's own origin (from the socket handshake) unless a public URL is set,
    # as for a relative's invitation (states/relatives.invitation_address).
    base = get_settings().public_url or state.router.headers.origin or state.router.url.origin
    if not base.startswith(("https://", "http://")):
        base = ""
    return f"{base.rstrip('/')}{path}"


def activation_sheet(
    state: rx.State,
    *,
    resident: User,
    unit: CareUnit | None,
    fixed_contact: User | None,
    made: enrolment.NewActivation,
    locale: str,
) -> ActivationSheetView:
    link = _address(state, f"{routes.ACTIVATION}?kod={made.code}")
    # In words a person reads off paper: the last whole day it works.
    last_day = to_local(made.activation.expires_at).date() - timedelta(days=1)
    return ActivationSheetView(
        name=resident.display_name,
        username=resident.username,
        unit=unit.name if unit else "",
        unit_phone=display_phone(unit.phone) if unit else "",
        fixed_contact=fixed_contact.display_name if fixed_contact else "",
        link=link,
        address=_address(state, routes.ACTIVATION),
        code=enrolment.format_code(made.code),
        qr=invitations.qr_data_uri(link),
        valid_until=format_date_with_year(last_day, locale),
    )


class EnrolState(rx.State):
    """Skriv in en invånare: the form, then the activation sheet to print."""

    loaded: bool = False
    allowed: bool = False
    values: dict[str, str] = {name: "" for name in ENROL_FIELDS}
    errors: dict[str, str] = {name: "" for name in (*ENROL_FIELDS, "form")}
    form_error: str = ""
    form_key: str = "new"
    units: list[OptionView] = []
    contacts: list[OptionView] = []
    sheet: ActivationSheetView = ActivationSheetView()
    has_sheet: bool = False
    back_href: str = routes.MY_RESIDENTS
    times_href: str = ""

    def _options(self, viewer: Viewer) -> None:
        with session_scope() as db:
            units = sorted(
                care_units.units_by_id(session=db, unit_ids=set(viewer.units)).values(),
                key=lambda unit: unit.name,
            )
            staff = {unit.id: care_units.staff_of(session=db, unit_id=unit.id) for unit in units}
        self.units = [OptionView(str(unit.id), unit.name) for unit in units]
        several = len(units) > 1
        self.contacts = [
            OptionView(
                f"{unit.id}:{person.id}",
                f"{person.display_name} ({unit.name})" if several else person.display_name,
            )
            for unit in units
            for person in staff[unit.id]
        ]

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded = True
        self.allowed = is_allowed(viewer, Action.ENROL_RESIDENT)
        self.has_sheet, self.sheet, self.form_error = False, ActivationSheetView(), ""
        self.errors = error_texts(viewer.locale, {}, ENROL_FIELDS, ("form",))
        if not self.allowed:
            self.units, self.contacts = [], []
            return
        self._options(viewer)
        today = clock.local_now().date().isoformat()
        self.values = {name: "" for name in ENROL_FIELDS} | {
            "starts_on": today,
            "unit": self.units[0].value if self.units else "",
            # The nurse who enrols is the fixed contact unless she chooses a colleague.
            "fixed_contact": next(
                (c.value for c in self.contacts if c.value.endswith(f":{viewer.user_id}")), ""
            ),
        }
        self.form_key = f"enrol-{clock.now().timestamp()}"

    @rx.event
    def submit(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        typed = {name: form_text(form_data, name, max_length=_TYPED_MAX) for name in ENROL_FIELDS}
        self.values = typed  # a refused form keeps what was typed
        locale = viewer.locale if viewer else "sv"
        unit_id = record_id(typed["unit"]) or (
            record_id(self.units[0].value) if len(self.units) == 1 else None
        )
        contact_unit, _, contact_id = typed["fixed_contact"].partition(":")
        try:
            if viewer is None:
                raise Forbidden(Action.ENROL_RESIDENT, None)
            require(viewer, Action.ENROL_RESIDENT)
            if not may_enrol_at(viewer, unit_id):
                raise InputInvalid({"unit": N_("Please choose one of the alternatives.")})
            with session_scope() as db:
                unit = db.get(CareUnit, unit_id)
                members = {p.id: p for p in care_units.staff_of(session=db, unit_id=unit_id)}
                contact = members.get(record_id(contact_id) or 0)
                if contact is None or record_id(contact_unit) != unit_id:
                    raise InputInvalid(
                        {"fixed_contact": N_("Choose a fixed care contact who works in the unit.")}
                    )
                made = enrolment.enrol(
                    session=db,
                    data=typed,
                    unit=unit,
                    fixed_contact=contact,
                    actor_id=viewer.user_id,
                )
                self.sheet = activation_sheet(
                    self,
                    resident=made.resident,
                    unit=unit,
                    fixed_contact=contact,
                    made=made.activation,
                    locale=locale,
                )
                resident_id = made.resident.id
        except InputInvalid as refused:
            self.errors = error_texts(locale, refused.errors, ENROL_FIELDS, ("form",))
            self.form_error = gettext(
                locale, "Some answers need another look. See the messages below."
            )
            return
        except Forbidden:
            self.form_error = gettext(locale, "You cannot do that here.")
            return
        # Nothing typed stays in the tab once the resident is enrolled (the personnummer
        # least of all); the sheet is all that is left, shown once.
        self.values = {name: "" for name in ENROL_FIELDS}
        self.errors = error_texts(locale, {}, ENROL_FIELDS, ("form",))
        self.form_error = ""
        self.has_sheet = True
        self.times_href = f"{routes.AGREED_TIMES}?{RESIDENT_PARAM}={resident_id}"


# ---------------------------------------------------------------------------- one resident


@dataclasses.dataclass
class CareRowView:
    id: int
    unit: str
    fixed_contact: str
    since: str
    mine: bool  # at one of the viewer's units: the viewer may end it


@dataclasses.dataclass
class FlagView:
    reason: str
    when: str


class ResidentOverviewState(rx.State):
    """One resident for the care team: how to reach her, her care, her activation."""

    loaded: bool = False
    allowed: bool = False
    name: str = ""
    personnummer: str = ""  # masked: "19481224-••••"
    phone: str = ""
    phone_href: str = ""
    how_to_reach: str = ""
    activated: bool = True
    care: list[CareRowView] = []
    flags: list[FlagView] = []
    links: list[OptionView] = []  # label in .label, address in .value
    sheet: ActivationSheetView = ActivationSheetView()
    has_sheet: bool = False
    confirming_end: bool = False
    message: str = ""
    ended: bool = False

    def _refresh(self, viewer: Viewer, resident_id: int) -> None:
        locale, now = viewer.locale, clock.now()
        with session_scope() as db:
            resident = db.get(User, resident_id)
            enrolled = enrolment.enrolment_of(session=db, resident_id=resident_id)
            rows = db.exec(
                select(CareRelationship).where(
                    CareRelationship.resident_id == resident_id,
                    col(CareRelationship.ended_at).is_(None),
                )
            ).all()
            units = care_units.units_by_id(session=db, unit_ids={r.unit_id for r in rows})
            people = {
                p.id: p.display_name
                for p in (db.get(User, r.staff_id) for r in rows)
                if p is not None
            }
            self.activated = enrolment.is_activated(session=db, resident_id=resident_id)
            # What she shares with the viewer's units, and only that, is followed up here.
            shared = {resident_id: viewer.care_shared.get(resident_id, frozenset())}
            flags = monitoring.flags(session=db, shared=shared, now=now)
            # Opening one resident is a read of her data: she sees who in her access log.
            audit.record_access(
                session=db, actor_id=viewer.user_id, resident_id=resident_id, detail="overview"
            )
        self.name = resident.display_name if resident else ""
        self.personnummer = enrolled.personnummer_masked if enrolled else ""
        self.phone = display_phone(enrolled.phone) if enrolled else ""
        self.phone_href = f"tel:{enrolled.phone}" if enrolled and enrolled.phone else ""
        self.how_to_reach = enrolled.how_to_reach if enrolled else ""
        self.care = [
            CareRowView(
                id=row.id,
                unit=units[row.unit_id].name if row.unit_id in units else "",
                fixed_contact=people.get(row.staff_id, ""),
                since=format_date_with_year(
                    row.started_at.astimezone(DISPLAY_TIMEZONE).date(), locale
                ),
                mine=row.unit_id in viewer.units,
            )
            for row in rows
        ]
        self.flags = [
            FlagView(
                gettext(locale, FOLLOW_UP_REASONS[flag.kind]).format(task=flag.task_title),
                format_day_and_time(flag.at, locale),
            )
            for flag in flags
        ]
        query = f"?{RESIDENT_PARAM}={resident_id}"
        links = [
            (N_("Times"), routes.AGREED_TIMES, Action.VIEW_CARE_PLAN),
            (N_("Contacts"), routes.CONTACTS, Action.VIEW_CARE_PLAN),
            (N_("Plan"), routes.CARE_PLAN, Action.VIEW_CARE_PLAN),
            (N_("Self-care"), routes.SELF_CARE_PLAN, Action.VIEW_SELF_CARE),
            (N_("Measurements"), routes.MEASUREMENTS, Action.VIEW_MEASUREMENTS),
            (N_("What matters to them"), routes.WHAT_MATTERS, Action.VIEW_SHARED_PROFILE),
        ]
        self.links = [
            OptionView(path + query, gettext(locale, label))
            for label, path, action in links
            if is_allowed(viewer, action, resident_id)
        ]

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        resident_id = resident_in_focus(self, viewer)
        self.loaded = True
        self.has_sheet, self.sheet, self.confirming_end = False, ActivationSheetView(), False
        self.message, self.ended = "", False
        self.allowed = resident_id != viewer.user_id and is_allowed(
            viewer, Action.MANAGE_CARE_RELATIONSHIP, resident_id
        )
        if not self.allowed:
            self.care, self.flags, self.links, self.name = [], [], [], ""
            return
        self._refresh(viewer, resident_id)

    @rx.event
    def new_activation(self) -> None:
        """A new sheet for a resident who has not activated her account (the old code
        stops working)."""
        viewer = current_viewer(self)
        locale = viewer.locale if viewer else "sv"
        try:
            if viewer is None:
                raise Forbidden(Action.MANAGE_CARE_RELATIONSHIP, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.MANAGE_CARE_RELATIONSHIP, resident_id)
            with session_scope() as db:
                if enrolment.is_activated(session=db, resident_id=resident_id):
                    raise Forbidden(Action.MANAGE_CARE_RELATIONSHIP, resident_id)
                resident = db.get(User, resident_id)
                mine = [
                    c
                    for c in access.care_recipients(session=db, staff_id=viewer.user_id)
                    if c.resident.id == resident_id
                ]
                made = enrolment.new_activation(
                    session=db, resident_id=resident_id, actor_id=viewer.user_id
                )
                self.sheet = activation_sheet(
                    self,
                    resident=resident,
                    unit=mine[0].unit if mine else None,
                    fixed_contact=mine[0].fixed_contact if mine else None,
                    made=made,
                    locale=locale,
                )
                audit.record_access(
                    session=db,
                    actor_id=viewer.user_id,
                    resident_id=resident_id,
                    changed=True,
                    detail="care_relationship activation renewed",
                )
        except Forbidden:
            self.message = gettext(locale, "You cannot do that here.")
            return
        self.has_sheet = True

    @rx.event
    def confirm_end(self, asking: bool) -> None:
        """Open (True) or close (anything else) the question before ending the care."""
        self.confirming_end = asking is True and self.allowed

    @rx.event
    def end_care(self) -> None:
        """End the resident's care relationship with the viewer's units: from the next
        event, nobody there reaches her data."""
        viewer = current_viewer(self)
        locale = viewer.locale if viewer else "sv"
        self.confirming_end = False
        try:
            if viewer is None:
                raise Forbidden(Action.MANAGE_CARE_RELATIONSHIP, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.MANAGE_CARE_RELATIONSHIP, resident_id)
            with session_scope() as db:
                for unit_id in sorted(viewer.units):
                    access.end_care_relationship(
                        session=db, resident_id=resident_id, unit_id=unit_id
                    )
                audit.record_access(
                    session=db,
                    actor_id=viewer.user_id,
                    resident_id=resident_id,
                    changed=True,
                    detail="care_relationship ended",
                )
        except Forbidden:
            self.message = gettext(locale, "You cannot do that here.")
            return
        name = self.name
        self.care, self.flags, self.links, self.has_sheet = [], [], [], False
        self.ended = True
        self.message = gettext(
            locale,
            "The care relationship with {name} has ended. Your unit no longer sees their information.",
        ).format(name=name)
