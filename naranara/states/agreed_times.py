"""Tider: agreed times, upcoming and past; adding, changing, cancelling; the calendar feed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import reflex as rx

from naranara import clock, routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_day_and_time
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.models import (
    AgreedTime,
    AgreedTimeChange,
    AgreedTimeReminderChoice,
    AgreedTimeStatus,
    AnswerKind,
    User,
)
from naranara.policy import (
    Action,
    Forbidden,
    SignInAgain,
    Viewer,
    is_allowed,
    is_care_side,
    may_change_entry,
    require,
)
from naranara.reminders import schedule
from naranara.routes import sign_in_again_path
from naranara.services import audit, calendar, patient_contract, time_answers
from naranara.services.patient_contract import NotFound, VersionConflict
from naranara.services.time_answers import EventKind
from naranara.settings import get_settings
from naranara.states.focus import (
    error_texts,
    heading_for,
    other_sides_entry,
    resident_in_focus,
    resident_query,
    source_text,
    who_did,
)
from naranara.states.session import current_viewer
from naranara.states.views import AgreedTimeView, TimeEventView, agreed_time_view

TIME_ID_PARAM = "tid"
_FORM_FIELDS = {"date": 10, "start": 5, "end": 5, **patient_contract.TIME_LIMITS}
# Longer than any field allows, so over-long text gets a message instead of being cut.
_TYPED_MAX = 2000
# "Påminnelser": which reminders this time gets (naranara/reminders/schedule.py).
REMINDERS_FIELD = "reminders"
_DEFAULT_REMINDERS = schedule.choice_value(schedule.DEFAULT_AGREED_TIME_OFFSETS)
_EXTRA_ERRORS = ("form", REMINDERS_FIELD)


def _change_note(changes: list[AgreedTimeChange], locale: str) -> str:
    """What the latest change of time or place was, in words."""
    for change in reversed(changes):
        fields = json.loads(change.changes or "{}")
        if "starts_at" in fields:
            before, after = (datetime.fromisoformat(v) for v in fields["starts_at"])
            return gettext(locale, "Changed: the time was moved from {before} to {after}.").format(
                before=format_day_and_time(before, locale), after=format_day_and_time(after, locale)
            )
        if {"place", "address", "meeting_url"} & fields.keys():
            return gettext(locale, "Changed: the place or meeting link is new.")
    return ""


def _feed_address(state: rx.State, token: str) -> str:
    # The browser's own origin (from the socket handshake) unless a public URL is set.
    base = get_settings().public_url or state.router.headers.origin or state.router.url.origin
    if not base.startswith(("https://", "http://")):
        base = ""
    return base.rstrip("/") + routes.calendar_feed(token)


_EVENT_TEXTS = {
    EventKind.RECORDED: N_("{who} recorded the time."),
    EventKind.MOVED: N_("{who} moved the time from {before} to {after}."),
    EventKind.CHANGED: N_("{who} changed the place or the details."),
    EventKind.CANCELLED: N_("{who} cancelled the time."),
    EventKind.COMING: N_("{who} answered: coming."),
    EventKind.OTHER_TIME: N_("{who} asked for another time."),
    EventKind.REPLY: N_("{who} replied."),
}
ANSWER_TEXT_FIELD = "text"


def _history_views(
    events: list[time_answers.TimeEvent], locale: str, who: Callable[[int | None], str]
) -> list[TimeEventView]:
    views = []
    for event in events:
        what = gettext(locale, _EVENT_TEXTS[event.kind]).format(
            who=who(event.actor_id),
            before=format_day_and_time(event.moved_from, locale) if event.moved_from else "",
            after=format_day_and_time(event.moved_to, locale) if event.moved_to else "",
        )
        if event.kind is EventKind.OTHER_TIME and event.answered:
            answered = gettext(locale, "The care unit has answered.")
            what = f"{what} {answered}"
        views.append(TimeEventView(what, format_day_and_time(event.at, locale), event.text))
    return views


class AgreedTimesState(rx.State):
    loaded: bool = False
    allowed: bool = False
    can_edit: bool = False
    upcoming: list[AgreedTimeView] = []
    heading: str = ""  # own, or with the name of the resident a relative or staff helps
    past: list[AgreedTimeView] = []
    new_href: str = routes.AGREED_TIME_NEW
    confirming: int = 0  # the time whose "cancel?" question is open
    message: str = ""
    # The calendar subscription; the link itself is shown only right after it is made.
    can_manage_feed: bool = False
    feed_active: bool = False
    feed_link: str = ""
    # Answers to the care side's times: the time whose "another time" form is open (the
    # resident's, or a relative's for her), and the time whose reply form is open (staff).
    answering: int = 0
    replying: int = 0
    answer_error: str = ""
    # The answer buttons in the reader's words: "Jag kommer", or "Anna kommer" for a relative.
    coming_label: str = ""
    other_time_label: str = ""

    def _refresh(self, viewer: Viewer, resident_id: int) -> None:
        now = clock.now()
        locale = viewer.locale
        with session_scope() as db:
            upcoming = patient_contract.upcoming_agreed_times(
                session=db, resident_id=resident_id, now=now
            )
            past = patient_contract.past_agreed_times(session=db, resident_id=resident_id, now=now)
            items = [*upcoming, *past]
            time_ids = [i.id for i in items]
            history = patient_contract.changes_of(session=db, time_ids=time_ids)
            answers = time_answers.answers_of(session=db, time_ids=time_ids)
            actors = {i.added_by_id for i in items}
            actors |= {c.changed_by_id for rows in history.values() for c in rows}
            actors |= {a.author_id for rows in answers.values() for a in rows}
            authors = patient_contract.authors(session=db, resident_id=resident_id, user_ids=actors)
            resident = db.get(User, resident_id)
            resident_name = resident.display_name if resident else ""
            self.feed_active = self.can_manage_feed and (
                calendar.active_feed(session=db, resident_id=resident_id) is not None
            )
            audit.record_access(
                session=db, actor_id=viewer.user_id, resident_id=resident_id, detail="agreed_times"
            )
        query = resident_query(resident_id, viewer, first=False)
        may_answer = is_allowed(viewer, Action.ANSWER_AGREED_TIME, resident_id)
        may_reply = is_allowed(viewer, Action.REPLY_TO_RESIDENT, resident_id)

        def who(actor_id: int | None) -> str:
            return who_did(
                locale,
                viewer,
                actor_id,
                authors,
                resident_id=resident_id,
                resident_name=resident_name,
            )

        def view(item: AgreedTime) -> AgreedTimeView:
            given = answers.get(item.id, [])
            open_now = item.status is not AgreedTimeStatus.CANCELLED and item.ends_at >= now
            waiting = [a for a in given if a.kind == AnswerKind.OTHER_TIME and not a.answered_at]
            shown = agreed_time_view(
                item,
                now=now,
                locale=locale,
                source=source_text(locale, viewer, item.added_by_id, authors, item.external_system),
                change_note=_change_note(history.get(item.id, []), locale),
                edit_href=f"{routes.AGREED_TIME_EDIT}?{TIME_ID_PARAM}={item.id}{query}",
            )
            shown.editable = open_now and may_change_entry(
                viewer, resident_id, care_side=item.care_side
            )
            shown.answerable = open_now and item.care_side and may_answer
            shown.answer = time_answers.current_answer(item, given)
            if waiting and may_reply and open_now:
                shown.open_request = gettext(locale, "{who} asks for another time: {text}").format(
                    who=who(waiting[-1].author_id), text=waiting[-1].text
                )
            shown.history = _history_views(
                time_answers.history(history.get(item.id, []), given), locale, who
            )
            return shown

        self.upcoming = [view(item) for item in upcoming]
        self.past = [view(item) for item in past]
        self.new_href = routes.AGREED_TIME_NEW + resident_query(resident_id, viewer, first=True)
        if resident_id == viewer.user_id:
            self.coming_label = gettext(locale, "I am coming")
            self.other_time_label = gettext(locale, "I need another time")
        else:
            self.coming_label = gettext(locale, "{name} is coming").format(name=resident_name)
            self.other_time_label = gettext(locale, "{name} needs another time").format(
                name=resident_name
            )

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        resident_id = resident_in_focus(self, viewer)
        self.loaded = True
        self.confirming = 0
        self.message = ""
        self.feed_link = ""
        self.answering, self.replying, self.answer_error = 0, 0, ""
        self.allowed = is_allowed(viewer, Action.VIEW_CARE_PLAN, resident_id)
        if not self.allowed:
            self.upcoming, self.past = [], []
            return
        self.can_edit = is_allowed(viewer, Action.EDIT_CARE_PLAN, resident_id)
        self.heading = heading_for(
            viewer, resident_id, N_("Your agreed times"), N_("Agreed times for {name}")
        )
        self.can_manage_feed = is_allowed(viewer, Action.MANAGE_CALENDAR_FEED, resident_id)
        self._refresh(viewer, resident_id)

    @rx.event
    def confirm_cancel(self, time_id: int) -> None:
        """Open (an id) or close (anything else) the question before cancelling."""
        time_id = record_id(time_id)
        shown = {item.id for item in self.upcoming if item.editable}
        self.confirming = time_id if time_id in shown else 0

    @rx.event
    def cancel_time(self, time_id: int) -> None:
        viewer = current_viewer(self)
        time_id = record_id(time_id)
        # The version the resident was looking at: a newer one is not cancelled unseen.
        seen = next((item for item in self.upcoming if item.id == time_id), None)
        locale = viewer.locale if viewer else "sv"
        self.confirming = 0
        try:
            if viewer is None or seen is None:
                raise Forbidden(Action.EDIT_CARE_PLAN, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.EDIT_CARE_PLAN, resident_id)
            with session_scope() as db:
                item = patient_contract.agreed_time_of(
                    session=db, resident_id=resident_id, time_id=seen.id
                )
                # What the other side recorded is theirs to cancel, not this viewer's.
                if not may_change_entry(viewer, resident_id, care_side=item.care_side):
                    raise Forbidden(Action.EDIT_CARE_PLAN, resident_id)
                patient_contract.cancel_agreed_time(
                    session=db,
                    resident_id=resident_id,
                    time_id=seen.id,
                    actor_id=viewer.user_id,
                    expected_version=seen.version,
                )
        except VersionConflict:
            self.load()
            self.message = gettext(
                locale,
                "Someone changed this time a moment ago. Look at it again before you cancel.",
            )
            return
        except (Forbidden, NotFound):
            self.message = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return
        self.load()
        self.message = gettext(locale, "The time is cancelled. It stays in the list, crossed out.")

    # ---------------------------------------------------------------- answers

    def _answerable(self, time_id: object) -> AgreedTimeView | None:
        wanted = record_id(time_id)
        return next((i for i in self.upcoming if i.id == wanted and i.answerable), None)

    def _answer(self, viewer: Viewer | None, time_id: int, kind: AnswerKind, text: str) -> bool:
        """Save the resident's answer; False (with a message shown) if it was refused."""
        locale = viewer.locale if viewer else "sv"
        try:
            if viewer is None:
                raise Forbidden(Action.ANSWER_AGREED_TIME, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.ANSWER_AGREED_TIME, resident_id)
            with session_scope() as db:
                time_answers.answer(
                    session=db,
                    resident_id=resident_id,
                    time_id=time_id,
                    author_id=viewer.user_id,
                    kind=kind,
                    text=text,
                )
        except InputInvalid as refused:
            texts = refused.texts(locale)
            self.answer_error = texts.get(ANSWER_TEXT_FIELD, "") or (texts.get("form", ""))
            return False
        except (Forbidden, time_answers.NotAnswerable):
            self.message = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return False
        self.answering, self.answer_error = 0, ""
        self._refresh(viewer, resident_id)
        return True

    @rx.event
    def say_coming(self, time_id: int) -> None:
        """*Jag kommer* to a time the care side recorded."""
        viewer = current_viewer(self)
        shown = self._answerable(time_id)
        if shown is None:
            self.message = gettext(viewer.locale if viewer else "sv", "You cannot do that here.")
            return
        if self._answer(viewer, shown.id, AnswerKind.COMING, ""):
            self.message = gettext(viewer.locale, "Thank you. The care unit sees your answer.")

    @rx.event
    def ask_other_time(self, time_id: int) -> None:
        """Open the form for *Jag behöver en annan tid* under the time (nothing is saved)."""
        shown = self._answerable(time_id)
        self.answering = shown.id if shown else 0
        self.answer_error, self.replying = "", 0

    @rx.event
    def close_answer(self) -> None:
        self.answering, self.replying, self.answer_error = 0, 0, ""

    @rx.event
    def send_other_time(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        text = form_text(form_data, ANSWER_TEXT_FIELD, max_length=_TYPED_MAX)
        shown = self._answerable(self.answering)
        if shown is None:
            self.message = gettext(viewer.locale if viewer else "sv", "You cannot do that here.")
            return
        if self._answer(viewer, shown.id, AnswerKind.OTHER_TIME, text):
            self.message = gettext(
                viewer.locale, "Sent. The care unit will answer you here, under the time."
            )

    @rx.event
    def open_reply(self, time_id: int) -> None:
        """Staff: open the reply form under a time someone asked to move (nothing saved)."""
        wanted = record_id(time_id)
        shown = next((i for i in self.upcoming if i.id == wanted and i.open_request), None)
        self.replying = shown.id if shown else 0
        self.answer_error, self.answering = "", 0

    @rx.event
    def send_reply(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        locale = viewer.locale if viewer else "sv"
        text = form_text(form_data, ANSWER_TEXT_FIELD, max_length=_TYPED_MAX)
        shown = next((i for i in self.upcoming if i.id == self.replying), None)
        try:
            if viewer is None or shown is None:
                raise Forbidden(Action.REPLY_TO_RESIDENT, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.REPLY_TO_RESIDENT, resident_id)
            with session_scope() as db:
                time_answers.reply(
                    session=db,
                    resident_id=resident_id,
                    time_id=shown.id,
                    author_id=viewer.user_id,
                    text=text,
                )
        except InputInvalid as refused:
            self.answer_error = next(iter(refused.texts(locale).values()))
            return
        except (Forbidden, time_answers.NotAnswerable):
            self.message = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return
        self.replying, self.answer_error = 0, ""
        self._refresh(viewer, resident_id)
        self.message = gettext(locale, "Your reply is sent. It shows in the time's history.")

    @rx.event
    def create_feed(self):  # noqa: ANN201 - a redirect when signing in again is needed
        viewer = current_viewer(self)
        if viewer is None:
            return None
        resident_id = resident_in_focus(self, viewer)
        try:
            require(viewer, Action.MANAGE_CALENDAR_FEED, resident_id)
        except SignInAgain:
            # A phone signed in for weeks is not enough to share the times outside Nära.
            return rx.redirect(sign_in_again_path(self.router.url.path))
        except Forbidden:
            self.message = gettext(viewer.locale, "You cannot do that here.")
            return None
        with session_scope() as db:
            token = calendar.create_feed(session=db, resident_id=resident_id)
        self.feed_link = _feed_address(self, token)
        self.feed_active = True

    @rx.event
    def revoke_feed(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        resident_id = resident_in_focus(self, viewer)
        if not is_allowed(viewer, Action.MANAGE_CALENDAR_FEED, resident_id):
            self.message = gettext(viewer.locale, "You cannot do that here.")
            return
        with session_scope() as db:
            calendar.revoke_feed(session=db, resident_id=resident_id)
        self.feed_link = ""
        self.feed_active = False
        self.message = gettext(viewer.locale, "The link no longer works. Nothing more is shared.")

    @rx.var
    def feed_webcal(self) -> str:
        scheme, _, rest = self.feed_link.partition("://")
        return f"webcal://{rest}" if scheme in ("http", "https") else ""


def _typed(form_data: object, fields: dict[str, int]) -> dict[str, str]:
    return {name: form_text(form_data, name, max_length=_TYPED_MAX) for name in fields}


class AgreedTimeFormState(rx.State):
    """Lägg till tid (/tider/ny) and Ändra tid (/tider/andra?tid=ID)."""

    loaded: bool = False
    allowed: bool = False
    time_id: int = 0  # 0: a new time
    version: int = 0
    values: dict[str, str] = {name: "" for name in _FORM_FIELDS}
    reminders: str = _DEFAULT_REMINDERS  # a value of schedule.REMINDER_CHOICES
    errors: dict[str, str] = {name: "" for name in (*_FORM_FIELDS, *_EXTRA_ERRORS)}
    form_error: str = ""
    other_side: str = ""  # set when the entry is the other side's to change
    # Changes whenever the form must show other values than typed (a load): React
    # keeps uncontrolled inputs as they are, so a new key mounts them afresh.
    form_key: str = "new"
    back_href: str = routes.AGREED_TIMES

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        resident_id = resident_in_focus(self, viewer)
        self.loaded = True
        self.other_side = ""
        self.allowed = is_allowed(viewer, Action.EDIT_CARE_PLAN, resident_id)
        self.errors = error_texts(viewer.locale, {}, _FORM_FIELDS, _EXTRA_ERRORS)
        self.form_error = ""
        self.back_href = routes.AGREED_TIMES + resident_query(resident_id, viewer, first=True)
        self.time_id, self.version = 0, 0
        self.values = {name: "" for name in _FORM_FIELDS}
        self.reminders = _DEFAULT_REMINDERS
        if not self.allowed:
            return
        wanted = record_id(self.router.url.query_parameters.get(TIME_ID_PARAM))
        if wanted is not None:
            with session_scope() as db:
                try:
                    item = patient_contract.agreed_time_of(
                        session=db, resident_id=resident_id, time_id=wanted
                    )
                except NotFound:
                    self.allowed = False
                    return
                if not may_change_entry(viewer, resident_id, care_side=item.care_side):
                    # Recorded by the other side: theirs to change (the resident answers).
                    self.allowed = False
                    self.other_side = other_sides_entry(viewer)
                    return
                audit.record_access(
                    session=db,
                    actor_id=viewer.user_id,
                    resident_id=resident_id,
                    detail=f"agreed_time={item.id}",
                )
                self.time_id, self.version = item.id, item.version
                offsets = schedule.offsets_of(db.get(AgreedTimeReminderChoice, item.id))
                self.values = patient_contract.time_form_values(item)
                self.reminders = schedule.choice_value(offsets)
        self.form_key = f"{self.time_id}-{self.version}-{clock.now().timestamp()}"

    @rx.event
    def submit(self, form_data: dict):  # noqa: ANN201 - a redirect or nothing
        viewer = current_viewer(self)
        typed = _typed(form_data, _FORM_FIELDS)
        reminders = form_text(form_data, REMINDERS_FIELD, max_length=_TYPED_MAX)
        # Whatever happens next, what was typed stays in the form.
        self.values = typed
        self.reminders = reminders or self.reminders
        locale = viewer.locale if viewer else "sv"
        try:
            if viewer is None:
                raise Forbidden(Action.EDIT_CARE_PLAN, None)
            # The form of a row this viewer may not change was never filled: it adds nothing.
            wanted = record_id(self.router.url.query_parameters.get(TIME_ID_PARAM))
            if wanted is not None and wanted != self.time_id:
                raise Forbidden(Action.EDIT_CARE_PLAN, None)
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.EDIT_CARE_PLAN, resident_id)
            # Absent (a form from before the choice existed): the time keeps what it had.
            if reminders and reminders not in schedule.REMINDER_CHOICES:
                raise InputInvalid({REMINDERS_FIELD: N_("Choose when you want to be reminded.")})
            with session_scope() as db:
                if self.time_id:
                    current = patient_contract.agreed_time_of(
                        session=db, resident_id=resident_id, time_id=self.time_id
                    )
                    if not may_change_entry(viewer, resident_id, care_side=current.care_side):
                        raise Forbidden(Action.EDIT_CARE_PLAN, resident_id)
                    saved = patient_contract.update_agreed_time(
                        session=db,
                        resident_id=resident_id,
                        time_id=self.time_id,
                        actor_id=viewer.user_id,
                        expected_version=self.version,
                        data=typed,
                        now=clock.now(),
                    )
                else:
                    saved = patient_contract.add_agreed_time(
                        session=db,
                        resident_id=resident_id,
                        actor_id=viewer.user_id,
                        data=typed,
                        now=clock.now(),
                        care_side=is_care_side(viewer),
                    )
                if reminders:
                    schedule.set_agreed_time_choice(
                        session=db, agreed_time_id=saved.id, choice=reminders
                    )
        except InputInvalid as refused:
            self.errors = error_texts(locale, refused.errors, _FORM_FIELDS, _EXTRA_ERRORS)
            self.form_error = self.errors["form"] or gettext(
                locale, "Some answers need another look. See the messages below."
            )
            return None
        except VersionConflict as conflict:
            saved = conflict  # what is saved now, copied before the rollback
            self.errors = error_texts(locale, {}, _FORM_FIELDS, _EXTRA_ERRORS)
            self.form_error = gettext(
                locale,
                "Someone else changed this time while you were editing. Saved now: {purpose}, "
                "{when}. Your text is still here: save again to replace it, or go back.",
            ).format(purpose=saved.purpose, when=format_day_and_time(saved.starts_at, locale))
            # Saving again means: "I have seen theirs, mine wins".
            self.version = saved.version
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
