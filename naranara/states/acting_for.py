"""The relative's side: whom they help (/jag-hjalper) and the "acting for" banner.

The list links only to what each person has granted; every page behind a link asks
the policy again, at every event, so a grant ended a moment ago shows nothing.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from naranara import routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.models import ProxyScope, User
from naranara.policy import Action, Viewer, is_allowed, require
from naranara.services import access
from naranara.states.arguments import record_id
from naranara.states.focus import RESIDENT_PARAM
from naranara.states.session import current_viewer

# Where each scope leads for the person helped, in the order the list shows them.
_LINKS: tuple[tuple[ProxyScope, str, str], ...] = (
    (ProxyScope.CARE_PLAN, N_("Times"), routes.AGREED_TIMES),
    (ProxyScope.CARE_PLAN, N_("Contacts"), routes.CONTACTS),
    (ProxyScope.CARE_PLAN, N_("Plan"), routes.CARE_PLAN),
    (ProxyScope.SELF_CARE, N_("Self-care"), routes.SELF_CARE_PLAN),
    (ProxyScope.MEASUREMENTS, N_("Measurements"), routes.MEASUREMENTS),
    (ProxyScope.PROFILE, N_("What matters to them"), routes.WHAT_MATTERS),
)
# Scopes that are about being told, not a page to open.
_NOTICES = {
    ProxyScope.REMINDERS: N_("You get their reminders."),
    ProxyScope.MISSED_TASK_ALERTS: N_("You get an alert if they miss a task."),
}


@dataclasses.dataclass
class LinkView:
    label: str
    href: str


@dataclasses.dataclass
class HelpedPersonView:
    id: int
    name: str
    links: list[LinkView]
    notices: list[str]


class ActingForState(rx.State):
    loaded: bool = False
    people: list[HelpedPersonView] = []
    just_accepted: bool = False
    message: str = ""

    def _refresh(self, viewer: Viewer) -> None:
        with session_scope() as db:
            helped = access.helped_by(session=db, relative_id=viewer.user_id)
        people = []
        for resident, scopes in helped:
            # The list names them; each page behind a link asks the policy again.
            query = f"?{RESIDENT_PARAM}={resident.id}"
            people.append(
                HelpedPersonView(
                    id=resident.id,
                    name=resident.display_name,
                    links=[
                        LinkView(label=gettext(viewer.locale, label), href=path + query)
                        for scope, label, path in _LINKS
                        if scope in scopes
                    ],
                    notices=[
                        gettext(viewer.locale, text)
                        for scope, text in _NOTICES.items()
                        if scope in scopes
                    ],
                )
            )
        self.people = people

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded = True
        self.message = ""
        self.just_accepted = self.router.url.query_parameters.get("ny") == "1"
        self._refresh(viewer)

    @rx.event
    def step_back(self, resident_id: int) -> None:
        """The relative stops helping someone: every grant from that person ends."""
        viewer = current_viewer(self)
        resident_id = record_id(resident_id)
        if viewer is None or resident_id is None:
            return
        shown = next((p for p in self.people if p.id == resident_id), None)
        # Their own access is theirs to give up, like any setting of their account.
        require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
        if shown is not None:
            with session_scope() as db:
                access.revoke_all(session=db, resident_id=resident_id, relative_id=viewer.user_id)
        self._refresh(viewer)
        self.just_accepted = False
        self.message = (
            gettext(viewer.locale, "You no longer help {name}.").format(name=shown.name)
            if shown
            else ""
        )


class FocusBannerState(rx.State):
    """Whose data a page shows when it is not the viewer's own (``?invanare=ID``)."""

    helping: str = ""  # a relative (ombud): "Du hjälper: Anna Lindqvist"
    viewing: str = ""  # staff with a care relationship: "Du ser: Anna Lindqvist"
    helps_anyone: bool = False  # the header's switcher to /jag-hjalper

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        self.helping, self.viewing = "", ""
        self.helps_anyone = bool(viewer and viewer.grants)
        if viewer is None:
            return
        resident_id = record_id(self.router.url.query_parameters.get(RESIDENT_PARAM))
        if resident_id is None or resident_id == viewer.user_id:
            return
        helps = resident_id in viewer.grants
        cares = is_allowed(viewer, Action.VIEW_CARE_PLAN, resident_id) and not helps
        if not (helps or cares):
            return
        with session_scope() as db:
            resident = db.get(User, resident_id)
        name = resident.display_name if resident else ""
        if helps:
            self.helping = name
        else:
            self.viewing = name
