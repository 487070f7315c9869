"""Hem ("Idag"): the next agreed time and today's self-care (advice: states/guidance.py).

A resident sees her own; whoever helps someone (a relative, or a resident helping a
partner) sees the same for each person they help, within what that person shares:
the next time only with ``care_plan``, today's tasks only with ``self_care``. What a
scope does not cover is never read, so it never reaches the browser.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime

import reflex as rx
from sqlmodel import Session

from naranara import clock, routes
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.i18n.formatting import format_day
from naranara.inputs import moment, record_id
from naranara.models import CheckStatus, Role, SelfCareTask
from naranara.policy import Action, Forbidden, Viewer, is_allowed, require
from naranara.services import access, audit, patient_contract, self_care
from naranara.settings import DISPLAY_TIMEZONE
from naranara.states.focus import RESIDENT_PARAM
from naranara.states.session import current_viewer_off_loop
from naranara.states.views import (
    AgreedTimeView,
    OccurrenceView,
    agreed_time_view,
    occurrence_view,
)


@dataclasses.dataclass
class HelpedTodayView:
    """One person the viewer helps, on the viewer's Hem."""

    id: int
    name: str
    shows_times: bool
    next_time: list[AgreedTimeView]  # zero or one
    times_href: str
    shows_tasks: bool
    tasks: list[OccurrenceView]
    self_care_href: str


def _helped_today(db: Session, viewer: Viewer, now: datetime) -> list[HelpedTodayView]:
    """What each person the viewer helps shares, for today; every read is in their log."""
    views = []
    for resident, _scopes in access.helped_by(session=db, relative_id=viewer.user_id, now=now):
        shows_times = is_allowed(viewer, Action.VIEW_CARE_PLAN, resident.id)
        shows_tasks = is_allowed(viewer, Action.VIEW_SELF_CARE, resident.id)
        if not (shows_times or shows_tasks):
            continue  # only reminders or measurements: nothing of theirs belongs on Hem
        upcoming = (
            patient_contract.next_agreed_time(session=db, resident_id=resident.id, now=now)
            if shows_times
            else None
        )
        occurrences = (
            self_care.occurrences_on(
                session=db, resident_id=resident.id, day=now.astimezone(DISPLAY_TIMEZONE).date()
            )
            if shows_tasks
            else []
        )
        for shown, area in ((shows_times, "agreed_time"), (shows_tasks, "self_care")):
            if shown:
                audit.record_access(
                    session=db,
                    actor_id=viewer.user_id,
                    resident_id=resident.id,
                    detail=f"home {area}",
                )
        query = f"?{RESIDENT_PARAM}={resident.id}"
        views.append(
            HelpedTodayView(
                id=resident.id,
                name=resident.display_name,
                shows_times=shows_times,
                next_time=[agreed_time_view(upcoming, now=now, locale=viewer.locale)]
                if upcoming
                else [],
                times_href=routes.AGREED_TIMES + query,
                shows_tasks=shows_tasks,
                tasks=[occurrence_view(item, locale=viewer.locale) for item in occurrences],
                self_care_href=routes.SELF_CARE_PLAN + query,
            )
        )
    return views


def _today(viewer: Viewer) -> dict[str, object]:
    """What Hem shows ``viewer`` now: the values of ``TodayState`` (blocking: database)."""
    now = clock.now()
    locale = viewer.locale
    # Relatives and staff have no care of their own here; their views come with grants.
    has_own_care = is_allowed(viewer, Action.VIEW_CARE_PLAN, viewer.user_id)
    # Self-care is its own action: a grant may cover the care plan and not self-care.
    sees_self_care = is_allowed(viewer, Action.VIEW_SELF_CARE, viewer.user_id)
    if viewer.grants:
        role_notice = ""  # the people they help are the page
    elif viewer.role is Role.RELATIVE:
        role_notice = gettext(locale, "When someone gives you access to help them, it shows here.")
    elif viewer.role is Role.ADMIN:
        role_notice = gettext(
            locale, "Keep the care units and the staff accounts under Administration."
        )
    else:
        role_notice = gettext(
            locale,
            "Open the residents in your unit's care, or edit the self-care advice.",
        )
    upcoming, occurrences = None, []
    with session_scope() as db:
        if has_own_care:
            upcoming = patient_contract.next_agreed_time(
                session=db, resident_id=viewer.user_id, now=now
            )
        if sees_self_care:
            occurrences = self_care.occurrences_on(
                session=db,
                resident_id=viewer.user_id,
                day=now.astimezone(DISPLAY_TIMEZONE).date(),
            )
        helped = _helped_today(db, viewer, now) if viewer.grants else []
    first_name = viewer.display_name.split(" ")[0]
    return {
        "has_own_care": has_own_care,
        "role_notice": role_notice,
        "greeting": gettext(locale, "Hello {name}").format(name=first_name),
        "today_label": format_day(now, locale),
        "next_time": [agreed_time_view(upcoming, now=now, locale=locale)] if upcoming else [],
        "tasks": [occurrence_view(occurrence, locale=locale) for occurrence in occurrences],
        "helped": helped,
        "message": "",
        "loaded": True,
    }


class TodayState(rx.State):
    loaded: bool = False
    greeting: str = ""
    today_label: str = ""
    next_time: list[AgreedTimeView] = []  # zero or one: keeps the page free of null checks
    tasks: list[OccurrenceView] = []
    message: str = ""
    has_own_care: bool = False
    role_notice: str = ""  # for people without care of their own: what they will find here
    helped: list[HelpedTodayView] = []  # the people the viewer helps, within their grants

    @rx.event
    async def load(self) -> None:
        viewer = await current_viewer_off_loop(self)
        if viewer is None:
            return
        # Everything read from the database, in a worker thread: the loop serves others.
        self._show(await asyncio.to_thread(_today, viewer))

    def _show(self, today: dict[str, object]) -> None:
        for name, value in today.items():
            setattr(self, name, value)

    @rx.event
    async def toggle_done(self, task_id: int, occurrence_at: str) -> None:
        viewer = await current_viewer_off_loop(self)
        task_id, at = record_id(task_id), moment(occurrence_at)
        # What this tab shows as done, read here: state belongs to the event loop.
        shown = {
            (view.task_id, view.occurrence_at): view.done
            for view in [*self.tasks, *(view for person in self.helped for view in person.tasks)]
        }
        try:
            today = await asyncio.to_thread(_toggle, viewer, task_id, at, occurrence_at, shown)
        except (Forbidden, ValueError, TypeError):
            locale = viewer.locale if viewer else "sv"
            self.message = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return
        self._show(today)


def _toggle(
    viewer: Viewer | None,
    task_id: int | None,
    at: datetime | None,
    occurrence_at: str,
    shown: dict[tuple[int, str], bool],
) -> dict[str, object]:
    """Mark a shown occurrence done, or undo it, and read Hem's list again for the same
    viewer (blocking: database; one trip to a worker thread for both)."""
    with session_scope() as db:
        task = db.get(SelfCareTask, task_id) if task_id and at else None
        if task is None:
            raise Forbidden(Action.RECORD_SELF_CARE, None)
        require(viewer, Action.RECORD_SELF_CARE, task.resident_id)
        done = shown.get((task.id, occurrence_at), False)
        self_care.record(
            session=db,
            task=task,
            occurrence_at=at,
            status=None if done else CheckStatus.DONE,
            recorded_by_id=viewer.user_id,
        )
        audit.record_access(
            session=db,
            actor_id=viewer.user_id,
            resident_id=task.resident_id,
            detail="self-care task marked on home",
            changed=True,
        )
    return _today(viewer)
