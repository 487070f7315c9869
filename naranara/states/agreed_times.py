"""Tider: agreed times, upcoming and past; adding, changing, cancelling; the calendar feed."""

from __future__ import annotations

import json
from datetime import datetime

import reflex as rx

from naranara import clock, routes
from naranara.db import session_scope
from naranara.http.auth_routes import sign_in_again_path
from naranara.http.calendar_routes import feed_url
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_day_and_time
from naranara.models import AgreedTime, AgreedTimeChange, AgreedTimeReminderChoice
from naranara.policy import Action, Forbidden, SignInAgain, Viewer, is_allowed, require
from naranara.reminders import schedule
from naranara.services import audit, calendar, patient_contract
from naranara.services.patient_contract import InvalidInput, NotFound, VersionConflict
from naranara.settings import get_settings
from naranara.states.arguments import form_text, record_id
from naranara.states.focus import (
    error_texts,
    heading_for,
    resident_in_focus,
    resident_query,
    source_text,
)
from naranara.states.session import current_viewer
from naranara.states.views import AgreedTimeView, agreed_time_view

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
    return base.rstrip("/") + feed_url(token)


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

    def _refresh(self, viewer: Viewer, resident_id: int) -> None:
        now = clock.now()
        locale = viewer.locale
        with session_scope() as db:
            upcoming = patient_contract.upcoming_agreed_times(
                session=db, resident_id=resident_id, now=now
            )
            past = patient_contract.past_agreed_times(session=db, resident_id=resident_id, now=now)
            items = [*upcoming, *past]
            history = patient_contract.changes_of(session=db, time_ids=[i.id for i in items])
            authors = patient_contract.authors(
                session=db, resident_id=resident_id, user_ids={i.added_by_id for i in items}
            )
            self.feed_active = self.can_manage_feed and (
                calendar.active_feed(session=db, resident_id=resident_id) is not None
            )
            audit.record_access(
                session=db, actor_id=viewer.user_id, resident_id=resident_id, detail="agreed_times"
            )
        query = resident_query(resident_id, viewer, first=False)

        def view(item: AgreedTime) -> AgreedTimeView:
            return agreed_time_view(
                item,
                now=now,
                locale=locale,
                source=source_text(locale, viewer, item.added_by_id, authors, item.external_system),
                change_note=_change_note(history.get(item.id, []), locale),
                edit_href=f"{routes.AGREED_TIME_EDIT}?{TIME_ID_PARAM}={item.id}{query}",
            )

        self.upcoming = [view(item) for item in upcoming]
        self.past = [view(item) for item in past]
        self.new_href = routes.AGREED_TIME_NEW + resident_query(resident_id, viewer, first=True)

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
        shown = {item.id for item in self.upcoming}
        self.confirming = time_id if time_id in shown and self.can_edit else 0

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
            resident_id = resident_in_focus(self, viewer)
            require(viewer, Action.EDIT_CARE_PLAN, resident_id)
            # Absent (a form from before the choice existed): the time keeps what it had.
            if reminders and reminders not in schedule.REMINDER_CHOICES:
                raise InvalidInput({REMINDERS_FIELD: N_("Choose when you want to be reminded.")})
            with session_scope() as db:
                if self.time_id:
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
                    )
                if reminders:
                    schedule.set_agreed_time_choice(
                        session=db, agreed_time_id=saved.id, choice=reminders
                    )
        except InvalidInput as refused:
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
        return rx.redirect(self.back_href)
