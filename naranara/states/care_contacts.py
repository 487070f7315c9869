"""Kontakter: the resident's fixed care contacts; adding, changing and removing them."""

from __future__ import annotations

import reflex as rx

from naranara import clock, routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.models import OrganisationKind, ReachBy
from naranara.policy import (
    Action,
    Forbidden,
    Viewer,
    is_allowed,
    is_care_side,
    may_change_entry,
    require,
)
from naranara.services import audit, patient_contract
from naranara.services.patient_contract import NotFound, VersionConflict
from naranara.states.focus import (
    error_texts,
    heading_for,
    other_sides_entry,
    resident_in_focus,
    resident_query,
    source_text,
)
from naranara.states.session import current_viewer
from naranara.states.views import CareContactView, care_contact_view

CONTACT_ID_PARAM = "kontakt"
_TEXT_FIELDS = {**patient_contract.CONTACT_LIMITS, "organisation_kind": 16}
_TYPED_MAX = 2000
# Checkboxes have a name each: a form sends only one value per name.
REACH_FIELD = {item.value: f"reach_{item.value}" for item in ReachBy}


class CareContactsState(rx.State):
    loaded: bool = False
    allowed: bool = False
    can_edit: bool = False
    contacts: list[CareContactView] = []
    heading: str = ""  # own, or with the name of the resident a relative or staff helps
    new_href: str = routes.CONTACT_NEW
    confirming: int = 0  # the contact whose "remove?" question is open
    message: str = ""

    def _refresh(self, viewer: Viewer, resident_id: int) -> None:
        with session_scope() as db:
            contacts = patient_contract.care_contacts(session=db, resident_id=resident_id)
            authors = patient_contract.authors(
                session=db, resident_id=resident_id, user_ids={c.added_by_id for c in contacts}
            )
            audit.record_access(
                session=db, actor_id=viewer.user_id, resident_id=resident_id, detail="care_contacts"
            )
        query = resident_query(resident_id, viewer, first=False)
        views = []
        for contact in contacts:
            shown = care_contact_view(
                contact,
                locale=viewer.locale,
                source=source_text(
                    viewer.locale, viewer, contact.added_by_id, authors, contact.external_system
                ),
                edit_href=f"{routes.CONTACT_EDIT}?{CONTACT_ID_PARAM}={contact.id}{query}",
            )
            shown.editable = may_change_entry(viewer, resident_id, care_side=contact.care_side)
            views.append(shown)
        self.contacts = views
        self.new_href = routes.CONTACT_NEW + resident_query(resident_id, viewer, first=True)

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        resident_id = resident_in_focus(self, viewer)
        self.loaded = True
        self.confirming = 0
        self.message = ""
        self.allowed = is_allowed(viewer, Action.VIEW_CARE_PLAN, resident_id)
        if not self.allowed:
            self.contacts = []
            return
        self.can_edit = is_allowed(viewer, Action.EDIT_CARE_PLAN, resident_id)
        self.heading = heading_for(
            viewer, resident_id, N_("Your care contacts"), N_("Care contacts for {name}")
        )
        self._refresh(viewer, resident_id)

    @rx.event
    def confirm_remove(self, contact_id: int) -> None:
        """Open (an id) or close (anything else) the question before removing."""
        contact_id = record_id(contact_id)
        shown = {contact.id for contact in self.contacts if contact.editable}
        self.confirming = contact_id if contact_id in shown else 0

    @rx.event
    def remove_contact(self, contact_id: int) -> None:
        viewer = current_viewer(self)
        contact_id = record_id(contact_id)
        # The version the reader was looking at: a newer one is not removed unseen.
        seen = next((contact for contact in self.contacts if contact.id == contact_id), None)
        locale = viewer.locale if viewer else "sv"
        self.confirming = 0
        try:
            if viewer is None or contact_id is None or seen is None:
                raise Forbidden(Action.EDIT_CARE_PLAN, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.EDIT_CARE_PLAN, resident_id)
            with session_scope() as db:
                contact = patient_contract.care_contact_of(
                    session=db, resident_id=resident_id, contact_id=contact_id
                )
                if not may_change_entry(viewer, resident_id, care_side=contact.care_side):
                    raise Forbidden(Action.EDIT_CARE_PLAN, resident_id)
                patient_contract.remove_care_contact(
                    session=db,
                    resident_id=resident_id,
                    contact_id=contact_id,
                    actor_id=viewer.user_id,
                    expected_version=seen.version,
                )
        except VersionConflict:
            self._refresh(viewer, resident_id)
            self.message = gettext(
                locale,
                "Someone changed this contact a moment ago. Look at it again before you remove it.",
            )
            return
        except (Forbidden, NotFound):
            self.message = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return
        self._refresh(viewer, resident_id)
        self.message = gettext(locale, "The contact is removed.")


class CareContactFormState(rx.State):
    """Lägg till kontakt (/kontakter/ny) and Ändra kontakt (/kontakter/andra?kontakt=ID)."""

    loaded: bool = False
    allowed: bool = False
    contact_id: int = 0  # 0: a new contact
    version: int = 0  # of the contact as the form was filled in from it
    values: dict[str, str] = {name: "" for name in _TEXT_FIELDS}
    reach_by: list[str] = []
    role_suggestions: list[str] = []
    errors: dict[str, str] = {name: "" for name in (*_TEXT_FIELDS, "reach_by")}
    form_error: str = ""
    other_side: str = ""  # set when the entry is the other side's to change
    form_key: str = "new"  # see AgreedTimeFormState.form_key
    back_href: str = routes.CONTACTS

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        resident_id = resident_in_focus(self, viewer)
        locale = viewer.locale
        self.loaded = True
        self.other_side = ""
        self.allowed = is_allowed(viewer, Action.EDIT_CARE_PLAN, resident_id)
        self.errors = error_texts(locale, {}, _TEXT_FIELDS, ("reach_by",))
        self.form_error = ""
        self.back_href = routes.CONTACTS + resident_query(resident_id, viewer, first=True)
        self.role_suggestions = [
            gettext(locale, role) for role in patient_contract.ROLE_SUGGESTIONS
        ]
        self.contact_id, self.version = 0, 0
        self.values = {name: "" for name in _TEXT_FIELDS}
        self.values["organisation_kind"] = OrganisationKind.REGION.value
        self.reach_by = []
        if not self.allowed:
            return
        wanted = record_id(self.router.url.query_parameters.get(CONTACT_ID_PARAM))
        if wanted is not None:
            with session_scope() as db:
                try:
                    contact = patient_contract.care_contact_of(
                        session=db, resident_id=resident_id, contact_id=wanted
                    )
                except NotFound:
                    self.allowed = False
                    return
                if not may_change_entry(viewer, resident_id, care_side=contact.care_side):
                    self.allowed = False  # recorded by the other side: theirs to change
                    self.other_side = other_sides_entry(viewer)
                    return
                audit.record_access(
                    session=db,
                    actor_id=viewer.user_id,
                    resident_id=resident_id,
                    detail=f"care_contact={contact.id}",
                )
                self.contact_id, self.version = contact.id, contact.version
                self.values = {name: str(getattr(contact, name)) for name in _TEXT_FIELDS}
                self.values["phone"] = patient_contract.display_phone(contact.phone)
                self.reach_by = [v for v in contact.reach_by.split(",") if v]
        self.form_key = f"{self.contact_id}-{self.version}-{clock.now().timestamp()}"

    @rx.event
    def submit(self, form_data: dict):  # noqa: ANN201 - a redirect or nothing
        viewer = current_viewer(self)
        typed = {name: form_text(form_data, name, max_length=_TYPED_MAX) for name in _TEXT_FIELDS}
        chosen = [
            value
            for value, name in REACH_FIELD.items()
            if form_text(form_data, name, max_length=10)
        ]
        # Whatever happens next, what was typed stays in the form.
        self.values, self.reach_by = typed, chosen
        locale = viewer.locale if viewer else "sv"
        try:
            if viewer is None:
                raise Forbidden(Action.EDIT_CARE_PLAN, None)
            # The form of a row this viewer may not change was never filled: it adds nothing.
            wanted = record_id(self.router.url.query_parameters.get(CONTACT_ID_PARAM))
            if wanted is not None and wanted != self.contact_id:
                raise Forbidden(Action.EDIT_CARE_PLAN, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.EDIT_CARE_PLAN, resident_id)
            data = {**typed, "reach_by": chosen}
            with session_scope() as db:
                if self.contact_id:
                    current = patient_contract.care_contact_of(
                        session=db, resident_id=resident_id, contact_id=self.contact_id
                    )
                    if not may_change_entry(viewer, resident_id, care_side=current.care_side):
                        raise Forbidden(Action.EDIT_CARE_PLAN, resident_id)
                    patient_contract.update_care_contact(
                        session=db,
                        resident_id=resident_id,
                        contact_id=self.contact_id,
                        actor_id=viewer.user_id,
                        expected_version=self.version,
                        data=data,
                    )
                else:
                    patient_contract.add_care_contact(
                        session=db,
                        resident_id=resident_id,
                        actor_id=viewer.user_id,
                        data=data,
                        care_side=is_care_side(viewer),
                    )
        except InputInvalid as refused:
            self.errors = error_texts(locale, refused.errors, _TEXT_FIELDS, ("reach_by",))
            self.form_error = gettext(
                locale, "Some answers need another look. See the messages below."
            )
            return None
        except VersionConflict as conflict:
            self.errors = error_texts(locale, {}, _TEXT_FIELDS, ("reach_by",))
            self.form_error = gettext(
                locale,
                "Someone else changed this contact while you were editing. Saved now: {name}. "
                "Your text is still here: save again to replace it, or go back.",
            ).format(name=conflict.name)
            # Saving again means: "I have seen theirs, mine wins".
            self.version = conflict.version
            return None
        except (Forbidden, NotFound):
            self.form_error = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return None
        self.form_error = ""
        # The tab keeps this state: the next form opened shows "Laddar…" until its own
        # load, rather than this one, where typing would be lost when the load comes.
        self.loaded = False
        return rx.redirect(self.back_href)
