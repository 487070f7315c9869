"""Mina invånare: the residents a staff member has a recorded care relationship with."""

from __future__ import annotations

import dataclasses

import reflex as rx

from naranara import routes
from naranara.db import session_scope
from naranara.models import Role
from naranara.policy import Action, is_allowed
from naranara.services import access
from naranara.states.focus import RESIDENT_PARAM
from naranara.states.session import current_viewer


@dataclasses.dataclass
class ResidentLinkView:
    name: str
    unit: str
    plan_href: str
    times_href: str
    contacts_href: str
    profile_href: str


class MyResidentsState(rx.State):
    loaded: bool = False
    is_staff: bool = False
    residents: list[ResidentLinkView] = []

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded = True
        self.is_staff = viewer.role is Role.STAFF
        if not self.is_staff:
            self.residents = []
            return
        with session_scope() as db:
            recipients = access.care_recipients(session=db, staff_id=viewer.user_id)
        views = []
        for resident, unit in recipients:
            # The list only names them; each page asks the policy again for what it shows.
            if not is_allowed(viewer, Action.VIEW_CARE_PLAN, resident.id):
                continue
            query = f"?{RESIDENT_PARAM}={resident.id}"
            views.append(
                ResidentLinkView(
                    name=resident.display_name,
                    unit=unit,
                    plan_href=routes.CARE_PLAN + query,
                    times_href=routes.AGREED_TIMES + query,
                    contacts_href=routes.CONTACTS + query,
                    profile_href=routes.WHAT_MATTERS + query,
                )
            )
        self.residents = views
