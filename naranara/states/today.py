"""Hem ("Idag"): the next agreed time and today's self-care (advice: states/guidance.py)."""

from __future__ import annotations

import reflex as rx

from naranara import clock
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.i18n.formatting import format_day
from naranara.models import CheckStatus, Role, SelfCareTask
from naranara.policy import Action, Forbidden, is_allowed, require
from naranara.services import patient_contract, self_care
from naranara.settings import DISPLAY_TIMEZONE
from naranara.states.arguments import moment, record_id
from naranara.states.session import current_viewer
from naranara.states.views import (
    AgreedTimeView,
    OccurrenceView,
    agreed_time_view,
    occurrence_view,
)


class TodayState(rx.State):
    loaded: bool = False
    greeting: str = ""
    today_label: str = ""
    next_time: list[AgreedTimeView] = []  # zero or one: keeps the page free of null checks
    tasks: list[OccurrenceView] = []
    message: str = ""
    has_own_care: bool = False
    role_notice: str = ""  # for people without care of their own: what they will find here

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        now = clock.now()
        locale = viewer.locale
        # Relatives and staff have no care of their own here; their views come with grants.
        self.has_own_care = is_allowed(viewer, Action.VIEW_CARE_PLAN, viewer.user_id)
        # Self-care is its own action: a grant may cover the care plan and not self-care.
        sees_self_care = is_allowed(viewer, Action.VIEW_SELF_CARE, viewer.user_id)
        self.role_notice = (
            gettext(locale, "When someone gives you access to help them, it shows here.")
            if viewer.role is Role.RELATIVE
            else gettext(locale, "Keep the care units and the staff accounts under Administration.")
            if viewer.role is Role.ADMIN
            else gettext(
                locale,
                "Open the residents you have a care relationship with. "
                "Tools for editing self-care advice will also be here.",
            )
        )
        upcoming, occurrences = None, []
        with session_scope() as db:
            if self.has_own_care:
                upcoming = patient_contract.next_agreed_time(
                    session=db, resident_id=viewer.user_id, now=now
                )
            if sees_self_care:
                occurrences = self_care.occurrences_on(
                    session=db,
                    resident_id=viewer.user_id,
                    day=now.astimezone(DISPLAY_TIMEZONE).date(),
                )
        first_name = viewer.display_name.split(" ")[0]
        self.greeting = gettext(locale, "Hello {name}").format(name=first_name)
        self.today_label = format_day(now, locale)
        self.next_time = [agreed_time_view(upcoming, now=now, locale=locale)] if upcoming else []
        self.tasks = [occurrence_view(occurrence, locale=locale) for occurrence in occurrences]
        self.message = ""
        self.loaded = True

    @rx.event
    def toggle_done(self, task_id: int, occurrence_at: str) -> None:
        viewer = current_viewer(self)
        task_id, at = record_id(task_id), moment(occurrence_at)
        try:
            with session_scope() as db:
                task = db.get(SelfCareTask, task_id) if task_id and at else None
                if task is None:
                    raise Forbidden(Action.RECORD_SELF_CARE, None)
                require(viewer, Action.RECORD_SELF_CARE, task.resident_id)
                done = next(
                    (
                        view.done
                        for view in self.tasks
                        if view.task_id == task.id and view.occurrence_at == occurrence_at
                    ),
                    False,
                )
                self_care.record(
                    session=db,
                    task=task,
                    occurrence_at=at,
                    status=None if done else CheckStatus.DONE,
                    recorded_by_id=viewer.user_id,
                )
        except (Forbidden, ValueError, TypeError):
            locale = viewer.locale if viewer else "sv"
            self.message = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return
        self.load()
