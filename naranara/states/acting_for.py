"""The relative's side: whom they help (/jag-hjalper) and the "acting for" banner.

The list links only to what each person has granted; every page behind a link asks
the policy again, at every event, so a grant ended a moment ago shows nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from naranara import routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.inputs import record_id
from naranara.models import ProxyScope, User
from naranara.policy import Action, Viewer, is_allowed, require
from naranara.services import access, audit
from naranara.services.access_log import HELPING_ENDED_DETAIL
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
    async def step_back(self, resident_id: int) -> None:
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
                ended = access.revoke_all(
                    session=db, resident_id=resident_id, relative_id=viewer.user_id
                )
                if ended:
                    # The resident sees in her access log that they stepped back.
                    audit.record_access(
                        session=db,
                        actor_id=viewer.user_id,
                        resident_id=resident_id,
                        detail=HELPING_ENDED_DETAIL,
                        changed=True,
                    )
        self._refresh(viewer)
        # Their own choice: this tab is not told "Anna no longer shares" at its next click.
        after = current_viewer(self)
        if after is not None:
            (await self.get_state(FocusBannerState))._remember_access(after)
        self.just_accepted = False
        self.message = (
            gettext(viewer.locale, "You no longer help {name}.").format(name=shown.name)
            if shown
            else ""
        )


# What each scope's ending is called, to the person who helped: the resident's name and
# a reflexive "sin/sina" (never "hen" about a named person).
_ENDED = {
    ProxyScope.CARE_PLAN: N_("{name} has stopped sharing their times, contacts and plan with you."),
    ProxyScope.SELF_CARE: N_("{name} has stopped sharing their self-care with you."),
    ProxyScope.MEASUREMENTS: N_("{name} has stopped sharing their measurements with you."),
    ProxyScope.PROFILE: N_("{name} has stopped sharing what matters to them with you."),
    ProxyScope.REMINDERS: N_("{name} has stopped sending you their reminders."),
    ProxyScope.MISSED_TASK_ALERTS: N_("{name} has stopped sending you alerts about missed tasks."),
}
_ENDED_ALL = N_("{name} no longer shares anything with you.")
_CARE_ENDED = N_("Your care relationship with {name} has ended.")

# The scope each page of someone else's data needs (``?invanare=ID``): a page stays
# closed, with the reason, once that scope has ended.
_PAGE_SCOPES = {
    **{path: scope for scope, _label, path in _LINKS},
    routes.SELF_CARE_TASK: ProxyScope.SELF_CARE,
    routes.WHAT_MATTERS_HISTORY: ProxyScope.PROFILE,
    routes.WHAT_MATTERS_SUMMARY: ProxyScope.PROFILE,
}


def ended_text(
    locale: str, name: str, *, ended: frozenset[ProxyScope], still: frozenset[ProxyScope]
) -> str:
    """What the helper is told when ``ended`` scopes of ``name``'s have ended."""
    if not still:
        return gettext(locale, _ENDED_ALL).format(name=name)
    return " ".join(
        gettext(locale, _ENDED[scope]).format(name=name) for scope in ProxyScope if scope in ended
    )


def care_ended_text(locale: str, name: str) -> str:
    return gettext(locale, _CARE_ENDED).format(name=name)


def _recently_ended_text(viewer: Viewer) -> str:
    """On Hem: who stopped sharing what with the viewer lately. A tab that was open is
    told at its next event (access_change.py); this tells a tab that reconnected with a
    fresh state, or a page opened later, the same."""
    with session_scope() as db:
        ended = access.recently_ended(session=db, relative_id=viewer.user_id)
        if not ended:
            return ""
        names = {
            user.id: user.display_name for user in (db.get(User, rid) for rid in ended) if user
        }
    return " ".join(
        ended_text(viewer.locale, names.get(resident_id, ""), ended=gone, still=still)
        for resident_id, (gone, still) in sorted(ended.items())
        if resident_id in names
    )


def _name_and_ended(
    resident_id: int, viewer_id: int, *, read_ended: bool
) -> tuple[str, frozenset[ProxyScope]]:
    """The resident's name and what she no longer shares with the viewer (blocking)."""
    with session_scope() as db:
        resident = db.get(User, resident_id)
        ended = (
            access.ended_scopes(session=db, resident_id=resident_id, relative_id=viewer_id)
            if read_ended
            else frozenset()
        )
    return (resident.display_name if resident else ""), ended


class FocusBannerState(rx.State):
    """Whose data a page shows when it is not the viewer's own (``?invanare=ID``), and
    what access the tab's data was loaded under (states/access_change.py)."""

    helping: str = ""  # a relative (ombud), on a page of what the resident shares
    viewing: str = ""  # staff with a care relationship: "Du ser: Anna Lindqvist"
    helps_anyone: bool = False  # the header's way to /jag-hjalper
    # "Anna Lindqvist har slutat dela sin egenvård med dig." after access ended
    notice: str = ""
    # This page is someone else's and what it shows is no longer shared: the shell
    # shows the notice in its place.
    page_closed: bool = False
    # The access this tab's data was loaded under: the viewer's access version, and the
    # grants and care relationships of that version (access_change.py compares them).
    _version: int = -1
    _grants: dict[int, list[str]] = {}
    _cares_for: list[int] = []
    # Said once on the page that access_change.py reloads after access ended.
    _pending_notice: str = ""

    def _remember_access(self, viewer: Viewer) -> None:
        self._version = viewer.access_version
        self._grants = {
            resident: sorted(scope.value for scope in scopes)
            for resident, scopes in viewer.grants.items()
        }
        self._cares_for = sorted(viewer.cares_for)

    async def _show(self, viewer: Viewer | None) -> None:
        """Whose data the page being opened shows (states/page_open.py)."""
        self.helping, self.viewing, self.page_closed = "", "", False
        self.notice, self._pending_notice = self._pending_notice, ""
        self.helps_anyone = bool(viewer and viewer.grants)
        if viewer is None:
            return
        resident_id = record_id(self.router.url.query_parameters.get(RESIDENT_PARAM))
        if resident_id is None or resident_id == viewer.user_id:
            # The address the browser shows: the matched route of Hem is "/index".
            if not self.notice and (self.router.url.path.rstrip("/") or "/") == routes.HOME:
                self.notice = await asyncio.to_thread(_recently_ended_text, viewer)
            return
        granted = viewer.grants.get(resident_id, frozenset())
        needed = _PAGE_SCOPES.get(self.router.page.path.rstrip("/") or "/")
        helps = bool(granted) and (needed is None or needed in granted)
        cares = is_allowed(viewer, Action.VIEW_CARE_PLAN, resident_id) and not granted
        name, ended = await asyncio.to_thread(
            _name_and_ended, resident_id, viewer.user_id, read_ended=not (helps or cares)
        )
        if helps:
            self.helping = name
        elif cares:
            self.viewing = name
        elif ended and (needed is None or needed in ended):
            # Only to someone the resident once shared this with: they are told why the
            # page is empty. Anyone else learns nothing here, not even the name.
            self.page_closed = True
            self.notice = self.notice or ended_text(
                viewer.locale, name, ended=frozenset({needed}) if needed else ended, still=granted
            )
