"""Tider: the resident's agreed times, upcoming and past."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from naranara.db import session_scope
from naranara.policy import Action, is_allowed
from naranara.services import patient_contract
from naranara.states.session import current_viewer
from naranara.states.views import AgreedTimeView, agreed_time_view


class AgreedTimesState(rx.State):
    loaded: bool = False
    allowed: bool = False
    upcoming: list[AgreedTimeView] = []
    past: list[AgreedTimeView] = []

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
        now = datetime.now(UTC)
        with session_scope() as db:
            upcoming = patient_contract.upcoming_agreed_times(
                session=db, resident_id=viewer.user_id, now=now
            )
            past = patient_contract.past_agreed_times(
                session=db, resident_id=viewer.user_id, now=now
            )
        self.upcoming = [agreed_time_view(item, now=now, locale=viewer.locale) for item in upcoming]
        self.past = [agreed_time_view(item, now=now, locale=viewer.locale) for item in past]
