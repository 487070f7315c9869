"""Mina invånare: the residents in the care of the units a staff member works in.

Each with the unit, the fixed contact, the next agreed time and open requests for
another time; above them, newest first, what to follow up of the self-monitoring the
residents share with the unit (only with their consent: the viewer's ``care_shared``).
The list names them; every page behind a link asks the policy again and is audited.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from naranara import clock, routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext, ngettext
from naranara.i18n.formatting import format_day_and_time, format_relative
from naranara.models import Role
from naranara.policy import Action, is_allowed
from naranara.services import (
    access,
    care_units,
    enrolment,
    monitoring,
    patient_contract,
    time_answers,
)
from naranara.states.focus import RESIDENT_PARAM
from naranara.states.session import current_viewer

FOLLOW_UP_REASONS = {
    monitoring.FlagKind.THRESHOLD: N_("A measurement past the line in \u201c{task}\u201d"),
    monitoring.FlagKind.NOT_DONE: N_("Nothing done for several days: \u201c{task}\u201d"),
}


@dataclasses.dataclass
class ResidentLinkView:
    id: int
    name: str
    unit: str
    fixed_contact: str  # "Fast vårdkontakt: Sara Holm"
    next_time: str  # "Nästa tid: tisdag 8 december kl. 10.00, Uppföljning" or ""
    requests: str  # "1 önskemål om en annan tid" or ""
    not_activated: bool
    overview_href: str
    plan_href: str
    times_href: str
    contacts_href: str


@dataclasses.dataclass
class FollowUpView:
    name: str
    reason: str
    when: str
    href: str


class MyResidentsState(rx.State):
    loaded: bool = False
    is_staff: bool = False
    can_enrol: bool = False
    units: str = ""  # the viewer's units, by name
    residents: list[ResidentLinkView] = []
    follow_up: list[FollowUpView] = []

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded = True
        self.is_staff = viewer.role is Role.STAFF
        self.can_enrol = is_allowed(viewer, Action.ENROL_RESIDENT)
        if not self.is_staff:
            self.residents, self.follow_up, self.units = [], [], ""
            return
        now, locale = clock.now(), viewer.locale
        with session_scope() as db:
            units = care_units.units_by_id(session=db, unit_ids=set(viewer.units))
            # The list only names them; each page asks the policy again for what it shows.
            recipients = [
                c
                for c in access.care_recipients(session=db, staff_id=viewer.user_id)
                if is_allowed(viewer, Action.VIEW_CARE_PLAN, c.resident.id)
            ]
            ids = {c.resident.id for c in recipients}
            requests = time_answers.open_requests(session=db, resident_ids=ids)
            next_times = {
                resident_id: patient_contract.next_agreed_time(
                    session=db, resident_id=resident_id, now=now
                )
                for resident_id in ids
            }
            waiting = {
                resident_id
                for resident_id in ids
                if not enrolment.is_activated(session=db, resident_id=resident_id)
            }
            # Egenmonitorering: only what each resident lets the unit follow.
            shared = {
                resident_id: scopes
                for resident_id, scopes in viewer.care_shared.items()
                if resident_id in ids
                and (
                    is_allowed(viewer, Action.VIEW_MEASUREMENTS, resident_id)
                    or is_allowed(viewer, Action.VIEW_SELF_CARE, resident_id)
                )
            }
            flags = monitoring.flags(session=db, shared=shared, now=now)
        self.units = ", ".join(unit.name for unit in sorted(units.values(), key=lambda u: u.name))
        names = {c.resident.id: c.resident.display_name for c in recipients}
        views = []
        for c in recipients:
            query = f"?{RESIDENT_PARAM}={c.resident.id}"
            upcoming = next_times.get(c.resident.id)
            count = len(requests.get(c.resident.id, []))
            views.append(
                ResidentLinkView(
                    id=c.resident.id,
                    name=c.resident.display_name,
                    unit=c.unit.name,
                    fixed_contact=gettext(locale, "Fixed care contact: {name}").format(
                        name=c.fixed_contact.display_name if c.fixed_contact else "–"
                    ),
                    next_time=gettext(locale, "Next time: {when}, {purpose}").format(
                        when=format_day_and_time(upcoming.starts_at, locale),
                        purpose=upcoming.purpose,
                    )
                    if upcoming
                    else gettext(locale, "No agreed time coming up."),
                    requests=ngettext(
                        locale,
                        "{count} request for another time",
                        "{count} requests for another time",
                        count,
                    ).format(count=count)
                    if count
                    else "",
                    not_activated=c.resident.id in waiting,
                    overview_href=routes.RESIDENT_OVERVIEW + query,
                    plan_href=routes.CARE_PLAN + query,
                    times_href=routes.AGREED_TIMES + query,
                    contacts_href=routes.CONTACTS + query,
                )
            )
        self.residents = views
        self.follow_up = [
            FollowUpView(
                name=names[flag.resident_id],
                reason=gettext(locale, FOLLOW_UP_REASONS[flag.kind]).format(task=flag.task_title),
                when=format_relative(flag.at, now, locale),
                href=f"{routes.RESIDENT_OVERVIEW}?{RESIDENT_PARAM}={flag.resident_id}",
            )
            for flag in flags
        ]
