"""/admin: an administrator keeps the care units and the staff accounts.

Care units are created and renamed; staff accounts are created with a first password or
linked to the region's identity provider for staff, given units, a role, or closed.
Administrators see no resident's data here: only units and colleagues.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from naranara import routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.models import OrganisationKind, Role, User
from naranara.policy import Action, Forbidden, Viewer, is_allowed, require
from naranara.services import accounts, care_units, staff_accounts
from naranara.services.patient_contract import display_phone
from naranara.settings import get_settings
from naranara.states.focus import error_texts
from naranara.states.session import current_viewer

STAFF_PARAM = "konto"
UNIT_FIELDS = {"name": 160, "organisation": 160, "kind": 16, "phone": 40}
STAFF_FIELDS = {
    "display_name": 120,
    "username": 64,
    "role": 8,
    "sign_in": 10,
    "password": accounts.MAX_PASSWORD_LENGTH,
    "provider": 40,
    "subject": 255,
    "unit": 12,
}
KIND_LABELS = {
    OrganisationKind.REGION: N_("Region"),
    OrganisationKind.MUNICIPALITY: N_("Municipality"),
    OrganisationKind.OTHER: N_("Other"),
}
ROLE_LABELS = {Role.STAFF: N_("Staff"), Role.ADMIN: N_("Administrator")}
_TYPED_MAX = 2000


@dataclasses.dataclass
class ChoiceView:
    value: str
    label: str


@dataclasses.dataclass
class UnitRowView:
    id: int
    name: str
    details: str  # "Region Västernorrland · 060-123 45 00 · 2 i personalen"


@dataclasses.dataclass
class StaffRowView:
    id: int
    name: str
    details: str  # "sara · personal · Hälsocentralen Nacksta"
    closed: bool
    href: str


def _choices(locale: str, labels: dict) -> list[ChoiceView]:
    return [ChoiceView(key.value, gettext(locale, label)) for key, label in labels.items()]


class AdminState(rx.State):
    loaded: bool = False
    allowed: bool = False
    units: list[UnitRowView] = []
    staff: list[StaffRowView] = []
    kinds: list[ChoiceView] = []
    roles: list[ChoiceView] = []
    unit_choices: list[ChoiceView] = []
    providers: list[ChoiceView] = []  # identity providers for staff
    # The one open unit form: 0 for a new unit, a unit's id to change it, -1 for none.
    unit_form: int = -1
    unit_values: dict[str, str] = {name: "" for name in UNIT_FIELDS}
    unit_errors: dict[str, str] = {name: "" for name in UNIT_FIELDS}
    staff_values: dict[str, str] = {name: "" for name in STAFF_FIELDS}
    staff_errors: dict[str, str] = {name: "" for name in STAFF_FIELDS}
    form_key: str = "admin"
    message: str = ""
    busy: bool = False

    def _refresh(self, viewer: Viewer) -> None:
        locale = viewer.locale
        with session_scope() as db:
            units = care_units.all_units(session=db)
            counts = care_units.member_counts(session=db)
            people = accounts.staff_accounts(session=db)
            memberships = {
                person.id: [
                    u.name for _, u in care_units.memberships_of(session=db, staff_id=person.id)
                ]
                for person in people
            }
        kinds = {k.value: gettext(locale, label) for k, label in KIND_LABELS.items()}
        self.units = [
            UnitRowView(
                id=unit.id,
                name=unit.name,
                details=" · ".join(
                    part
                    for part in (
                        unit.organisation,
                        kinds.get(unit.kind, ""),
                        display_phone(unit.phone),
                        gettext(locale, "{count} staff").format(count=counts.get(unit.id, 0)),
                    )
                    if part
                ),
            )
            for unit in units
        ]
        self.staff = [
            StaffRowView(
                id=person.id,
                name=person.display_name,
                details=" · ".join(
                    [
                        person.username,
                        gettext(locale, ROLE_LABELS[Role(person.role)]),
                        *memberships[person.id],
                    ]
                ),
                closed=person.deactivated_at is not None,
                href=f"{routes.ADMIN_STAFF}?{STAFF_PARAM}={person.id}",
            )
            for person in sorted(people, key=lambda p: (p.display_name, p.id))
        ]
        self.unit_choices = [ChoiceView("", gettext(locale, "No unit yet"))] + [
            ChoiceView(str(unit.id), unit.name) for unit in units
        ]

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded, self.message, self.busy = True, "", False
        self.allowed = is_allowed(viewer, Action.ADMINISTER)
        self.unit_form = -1
        if not self.allowed:
            self.units, self.staff = [], []
            return
        locale = viewer.locale
        self.kinds = _choices(locale, KIND_LABELS)
        self.roles = _choices(locale, ROLE_LABELS)
        self.providers = [
            ChoiceView(p.name, p.label)
            for p in get_settings().oidc_providers
            if p.audience == "staff"
        ]
        self.staff_values = {name: "" for name in STAFF_FIELDS} | {
            "role": Role.STAFF.value,
            "sign_in": "password",
        }
        self.staff_errors = error_texts(locale, {}, STAFF_FIELDS)
        self._refresh(viewer)

    @rx.event
    def open_unit(self, unit_id: int) -> None:
        """Open the form for a new unit (0) or to change one (its id)."""
        viewer = current_viewer(self)
        if not is_allowed(viewer, Action.ADMINISTER):
            return
        wanted = record_id(unit_id)
        locale = viewer.locale
        self.unit_errors = error_texts(locale, {}, UNIT_FIELDS)
        self.message = ""
        if wanted is None:
            self.unit_form = 0
            self.unit_values = {name: "" for name in UNIT_FIELDS} | {"kind": "region"}
            return
        with session_scope() as db:
            unit = care_units.units_by_id(session=db, unit_ids={wanted}).get(wanted)
        if unit is None:
            return
        self.unit_form = unit.id
        self.unit_values = {
            "name": unit.name,
            "organisation": unit.organisation,
            "kind": unit.kind,
            "phone": display_phone(unit.phone),
        }

    @rx.event
    def close_unit(self) -> None:
        self.unit_form = -1

    @rx.event
    def save_unit(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        typed = {name: form_text(form_data, name, max_length=_TYPED_MAX) for name in UNIT_FIELDS}
        self.unit_values = typed
        locale = viewer.locale if viewer else "sv"
        try:
            require(viewer, Action.ADMINISTER)
            with session_scope() as db:
                if self.unit_form > 0:
                    unit = care_units.change_unit(
                        session=db, unit_id=self.unit_form, data=typed, actor_id=viewer.user_id
                    )
                else:
                    unit = care_units.create_unit(session=db, data=typed, actor_id=viewer.user_id)
                name = unit.name
        except InputInvalid as refused:
            self.unit_errors = error_texts(locale, refused.errors, UNIT_FIELDS)
            return
        except (Forbidden, care_units.NotFound):
            self.message = gettext(locale, "You cannot do that here.")
            return
        self.unit_form = -1
        self._refresh(viewer)
        self.message = gettext(locale, "Saved: {name}.").format(name=name)

    @rx.event
    async def create_staff(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        typed = {name: form_text(form_data, name, max_length=_TYPED_MAX) for name in STAFF_FIELDS}
        password = typed.pop("password")
        self.staff_values = typed | {"password": ""}  # a password is never sent back
        locale = viewer.locale if viewer else "sv"
        with_identity = typed["sign_in"] == "provider"
        provider = get_settings().oidc_provider(typed["provider"]) if with_identity else None
        try:
            require(viewer, Action.ADMINISTER)
            errors: dict[str, str] = {}
            if with_identity and (provider is None or provider.audience != "staff"):
                errors["provider"] = N_("Please choose one of the alternatives.")
            unit_id = record_id(typed["unit"])
            with session_scope() as db:
                try:
                    new = staff_accounts.validate_new_staff(
                        session=db, data=typed, with_identity=with_identity
                    )
                except InputInvalid as refused:
                    errors = refused.errors | errors
                    new = None
            if new is not None and not with_identity:
                problem = accounts.password_problem(password, username=new.username)
                if problem:
                    errors["password"] = problem
            if errors:
                raise InputInvalid(errors)
            self.busy = True
            # Argon2 takes a tenth of a second: not on the event loop every tab shares.
            hashed = (
                None if with_identity else await asyncio.to_thread(accounts.hash_password, password)
            )
            with session_scope() as db:
                user = staff_accounts.create_staff(
                    session=db,
                    new=new,
                    password_hash=hashed,
                    issuer=provider.issuer if provider else None,
                    unit_id=unit_id,
                    actor_id=viewer.user_id,
                )
                name = user.display_name
        except InputInvalid as refused:
            self.busy = False
            self.staff_errors = error_texts(locale, refused.errors, STAFF_FIELDS)
            return
        except (Forbidden, care_units.NotFound):
            self.busy = False
            self.message = gettext(locale, "You cannot do that here.")
            return
        self.busy = False
        self.staff_values = {name: "" for name in STAFF_FIELDS} | {
            "role": Role.STAFF.value,
            "sign_in": "password",
        }
        self.staff_errors = error_texts(locale, {}, STAFF_FIELDS)
        self.form_key = f"admin-{len(self.staff) + 1}"
        self._refresh(viewer)
        self.message = gettext(locale, "The account for {name} is ready.").format(name=name)


@dataclasses.dataclass
class MembershipView:
    id: int
    unit: str


class AdminStaffState(rx.State):
    """/admin/personal?konto=ID: one staff account's role, units and whether it is open."""

    loaded: bool = False
    allowed: bool = False
    name: str = ""
    username: str = ""
    role: str = ""
    closed: bool = False
    own: bool = False  # an administrator does not close or demote their own account
    memberships: list[MembershipView] = []
    other_units: list[ChoiceView] = []
    roles: list[ChoiceView] = []
    message: str = ""
    _staff_id: int = 0

    def _account(self, db) -> User | None:  # noqa: ANN001 - a session
        user = db.get(User, self._staff_id) if self._staff_id else None
        return user if user is not None and Role(user.role) in accounts.STAFF_ROLES else None

    def _refresh(self, viewer: Viewer) -> None:
        with session_scope() as db:
            user = self._account(db)
            if user is None:
                self.allowed = False
                return
            current = care_units.memberships_of(session=db, staff_id=user.id)
            units = care_units.all_units(session=db)
        self.name, self.username, self.role = user.display_name, user.username, user.role.value
        self.closed = user.deactivated_at is not None
        self.own = user.id == viewer.user_id
        self.memberships = [MembershipView(m.id, unit.name) for m, unit in current]
        mine = {unit.id for _, unit in current}
        self.other_units = [ChoiceView(str(u.id), u.name) for u in units if u.id not in mine]
        self.roles = _choices(viewer.locale, ROLE_LABELS)

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded, self.message = True, ""
        self.allowed = is_allowed(viewer, Action.ADMINISTER)
        self._staff_id = record_id(self.router.url.query_parameters.get(STAFF_PARAM)) or 0
        if not self.allowed:
            self.memberships, self.name = [], ""
            return
        self._refresh(viewer)

    def _change(self, viewer: Viewer | None, change) -> None:  # noqa: ANN001 - a callable
        locale = viewer.locale if viewer else "sv"
        try:
            require(viewer, Action.ADMINISTER)
            with session_scope() as db:
                user = self._account(db)
                if user is None:
                    raise Forbidden(Action.ADMINISTER, None)
                self.message = change(db, user)
        except (Forbidden, care_units.NotFound, ValueError):
            self.message = gettext(locale, "You cannot do that here.")
            return
        self._refresh(viewer)

    @rx.event
    def set_role(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        chosen = form_text(form_data, "role", max_length=8)

        def change(db, user: User) -> str:  # noqa: ANN001
            if user.id == viewer.user_id or chosen not in {r.value for r in accounts.STAFF_ROLES}:
                raise Forbidden(Action.ADMINISTER, None)
            staff_accounts.change_role(
                session=db, user=user, role=Role(chosen), actor_id=viewer.user_id
            )
            return gettext(viewer.locale, "Saved.")

        self._change(viewer, change)

    @rx.event
    def add_membership(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        unit_id = record_id(form_text(form_data, "unit", max_length=12))

        def change(db, user: User) -> str:  # noqa: ANN001
            if unit_id is None:
                raise Forbidden(Action.ADMINISTER, None)
            care_units.add_member(
                session=db, unit_id=unit_id, staff_id=user.id, actor_id=viewer.user_id
            )
            return gettext(viewer.locale, "{name} now works in the unit.").format(
                name=user.display_name
            )

        self._change(viewer, change)

    @rx.event
    def end_membership(self, membership_id: int) -> None:
        viewer = current_viewer(self)
        wanted = record_id(membership_id)
        shown = next((m for m in self.memberships if m.id == wanted), None)

        def change(db, user: User) -> str:  # noqa: ANN001
            if shown is None:
                raise Forbidden(Action.ADMINISTER, None)
            care_units.end_membership(session=db, membership_id=shown.id, actor_id=viewer.user_id)
            return gettext(
                viewer.locale, "{name} no longer works in {unit}, from their next click."
            ).format(name=user.display_name, unit=shown.unit)

        self._change(viewer, change)

    @rx.event
    def set_active(self, active: bool) -> None:
        viewer = current_viewer(self)

        def change(db, user: User) -> str:  # noqa: ANN001
            if user.id == viewer.user_id or not isinstance(active, bool):
                raise Forbidden(Action.ADMINISTER, None)
            accounts.set_active(session=db, user=user, active=active, actor_id=viewer.user_id)
            return (
                gettext(viewer.locale, "The account is open again.")
                if active
                else gettext(viewer.locale, "The account is closed. Every sign-in of it has ended.")
            )

        self._change(viewer, change)
