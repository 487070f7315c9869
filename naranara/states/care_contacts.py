"""Kontakter: the resident's fixed care contacts."""

from __future__ import annotations

import reflex as rx

from naranara.db import session_scope
from naranara.policy import Action, is_allowed
from naranara.services import patient_contract
from naranara.states.session import current_viewer
from naranara.states.views import CareContactView, care_contact_view


class CareContactsState(rx.State):
    loaded: bool = False
    allowed: bool = False
    contacts: list[CareContactView] = []

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded = True
        # Until relatives and staff get grants, only residents have a care plan to show.
        self.allowed = is_allowed(viewer, Action.VIEW_CARE_PLAN, viewer.user_id)
        if not self.allowed:
            return
        with session_scope() as db:
            contacts = patient_contract.care_contacts(session=db, resident_id=viewer.user_id)
        self.contacts = [care_contact_view(contact) for contact in contacts]
