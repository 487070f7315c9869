"""Profil → Vem har sett mina uppgifter: the resident's own access log, filtered and paged."""

from __future__ import annotations

import dataclasses

import reflex as rx

from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.inputs import form_text, record_id
from naranara.policy import Action, is_allowed
from naranara.services import access_log
from naranara.services.access_log import Doing, LogFilter
from naranara.states.session import current_viewer


@dataclasses.dataclass
class LogEntryView:
    id: int
    who: str
    role: str
    what: str
    when: str
    doing: str  # read / changed / refused: the row's look


@dataclasses.dataclass
class OptionView:
    value: str
    label: str


class AccessLogState(rx.State):
    loaded: bool = False
    allowed: bool = False
    entries: list[LogEntryView] = []
    people: list[OptionView] = []
    # The filter as chosen: "" is "all" for each.
    person: str = ""
    doing: str = ""
    period: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    page_text: str = ""

    def _read(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded = True
        self.allowed = is_allowed(viewer, Action.VIEW_ACCESS_LOG, viewer.user_id)
        if not self.allowed:
            self.entries, self.people = [], []
            return
        chosen = LogFilter(
            actor_id=record_id(self.person),
            doing=next((d for d in Doing if d.value == self.doing), None),
            days=int(self.period) if self.period.isdigit() else 0,
        )
        with session_scope() as db:
            found = access_log.read_page(
                session=db,
                resident_id=viewer.user_id,
                locale=viewer.locale,
                chosen=chosen,
                page=self.page,
            )
            people = access_log.people_in_log(session=db, resident_id=viewer.user_id)
        self.entries = [
            LogEntryView(
                id=entry.id,
                who=entry.who,
                role=entry.role,
                what=entry.what,
                when=entry.when,
                doing=entry.doing.value,
            )
            for entry in found.entries
        ]
        self.people = [OptionView(value=str(user_id), label=name) for user_id, name in people]
        self.page, self.pages, self.total = found.page, found.pages, found.total
        self.page_text = gettext(viewer.locale, "Page {page} of {pages}").format(
            page=found.page, pages=found.pages
        )

    @rx.event
    def load(self) -> None:
        self.person, self.doing, self.period, self.page = "", "", "", 1
        self._read()

    @rx.event
    def apply_filter(self, form_data: dict) -> None:
        person = form_text(form_data, "person", max_length=12)
        doing = form_text(form_data, "doing", max_length=12)
        period = form_text(form_data, "period", max_length=4)
        # Only values the form offers; anything else is "all".
        self.person = str(record_id(person) or "")
        self.doing = doing if doing in {d.value for d in Doing} else ""
        self.period = period if period in {str(p) for p in access_log.PERIODS if p} else ""
        self.page = 1
        self._read()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = record_id(page) or 1
        self._read()
