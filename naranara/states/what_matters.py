"""Vad är viktigt för dig?: the resident's profile, its guided fill, history and summary.

Text fields are uncontrolled in the browser and saved on blur and after a pause in
typing. What the person typed stays in ``drafts`` whatever happens to the save
(refused, conflicting, signed out), so the page can always show it back. Each
field remembers the saved version its text started from (``bases``): a save names
that version, so a change made on another device is never silently overwritten.
"""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from naranara import clock, routes
from naranara.components.browser import focus
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_date_with_year, format_day_and_time, format_time
from naranara.inputs import InputInvalid, record_id
from naranara.models import User, WhatMattersProfile
from naranara.policy import Action, Viewer, is_allowed, may_read_profile, require
from naranara.services import audit, profile
from naranara.services.profile import ProfileConflict
from naranara.states.session import current_viewer
from naranara.states.views import (
    ProfileConflictView,
    ProfileHistoryView,
    ProfileItemView,
    ProfileSectionView,
)

QUESTIONS = len(profile.SECTIONS)
# Far more than any field holds, so an over-long text is still there to shorten,
# but a browser cannot park megabytes in the server's state.
_DRAFT_LIMIT = 4 * max(profile.max_length(field) for field in profile.TEXT_FIELDS)

STATUS_SIGNED_OUT = N_(
    "You are signed out, so this was not saved. Your text is still on the page: "
    "copy it before you sign in again."
)
STATUS_REFUSED = N_("Only you can change your own profile.")
STATUS_OPEN_AGAIN = N_("Please open your profile again to change it.")
STATUS_INVALID = N_("Not saved yet. Your text is still here: see the message by the field.")
STATUS_CONFLICT = N_("This was changed on another device. Choose which text to keep.")
STATUS_CHOICE_CONFLICT = N_(
    "This was changed on another device. We show what is saved now: please choose again."
)


def _empty_texts() -> dict[str, str]:
    return dict.fromkeys(profile.TEXT_FIELDS, "")


class WhatMattersState(rx.State):
    loaded: bool = False
    allowed: bool = False  # may read this profile
    can_edit: bool = False  # it is the viewer's own
    subject_name: str = ""  # whose profile, when someone else reads it
    subject_id: int = 0  # for links to the summary and its PDF
    drafts: dict[str, str] = _empty_texts()  # what this tab has typed, saved or not
    saved: dict[str, str] = _empty_texts()  # what this tab knows is stored
    bases: dict[str, int] = {}  # field -> the saved version its text started from
    field_keys: dict[str, str] = {}  # a new key remounts a field with new text
    choices: dict[str, list[str]] = {field: [] for field in profile.CHOICE_FIELDS}
    needs_interpreter: bool = False
    shared: bool = False
    errors: dict[str, str] = dict.fromkeys(profile.SECTION_FIELDS, "")  # field -> message
    conflicts: list[ProfileConflictView] = []
    save_state: str = ""  # "", saving, saved, error
    save_message: str = ""
    sections: list[ProfileSectionView] = []
    question: int = 1
    question_label: str = ""  # "Fråga 2 av 8"
    heading: str = ""
    pdf_url: str = ""
    history: list[ProfileHistoryView] = []
    summary_updated: str = ""

    # ---------------------------------------------------------------- reading

    def _subject(self, viewer: Viewer) -> int:
        """Whose profile: another person's only by ``?invanare=`` (policy decides if allowed)."""
        asked = record_id(self.router.url.query_parameters.get("invanare"))
        return asked or viewer.user_id

    def _read(self, viewer: Viewer, resident_id: int) -> WhatMattersProfile | None:
        """The profile if the viewer may read it (reads by others are audited), else None."""
        with session_scope() as db:
            found = profile.get(session=db, resident_id=resident_id)
            if not may_read_profile(viewer, resident_id, shared=found.shared_with_care):
                return None
            audit.record_access(
                session=db,
                actor_id=viewer.user_id,
                resident_id=resident_id,
                detail="what_matters_profile",
            )
            if viewer.user_id != resident_id:
                self.subject_name = _display_name(db, resident_id)
            else:
                self.subject_name = ""
            return found

    def _show(self, found: WhatMattersProfile, viewer: Viewer) -> None:
        own = self.can_edit and found.resident_id == self.subject_id
        keep = {  # texts this tab typed but could not save stay as typed
            field: self.drafts[field]
            for field in profile.TEXT_FIELDS
            if own and self.loaded and self.drafts.get(field) != self.saved.get(field)
        }
        self.saved = {field: getattr(found, field) for field in profile.TEXT_FIELDS}
        self.drafts = {**self.saved, **keep}
        self.bases = {
            field: self.bases.get(field, found.version) if field in keep else found.version
            for field in profile.SECTION_FIELDS
        }
        self.field_keys = {field: f"{field}-{found.version}" for field in profile.TEXT_FIELDS}
        self.choices = {field: profile.choices_of(found, field) for field in profile.CHOICE_FIELDS}
        self.needs_interpreter = found.needs_interpreter
        self.shared = found.shared_with_care
        self.sections = _section_views(found, viewer.locale)

    def _open(self) -> tuple[Viewer, WhatMattersProfile] | None:
        viewer = current_viewer(self)
        if viewer is None:
            return None
        subject = self._subject(viewer)
        # The weaker of the two reads first: no database for someone who can never read it.
        found = (
            self._read(viewer, subject)
            if is_allowed(viewer, Action.VIEW_SHARED_PROFILE, subject)
            else None
        )
        self.allowed = found is not None
        self.can_edit = found is not None and is_allowed(viewer, Action.EDIT_PROFILE, subject)
        if found is None:
            self._forget()
        else:
            self._show(found, viewer)
            self.subject_id = subject
            own = subject == viewer.user_id
            self.heading = (
                gettext(viewer.locale, "What matters to you?")
                if own
                else gettext(viewer.locale, "What matters to {name}").format(name=self.subject_name)
            )
            pdf = routes.WHAT_MATTERS_SUMMARY_PDF
            self.pdf_url = pdf if own else f"{pdf}?invanare={subject}"
        self._label_question(viewer.locale)
        self.loaded = True
        return (viewer, found) if found is not None else None

    def _forget(self) -> None:
        self.drafts, self.saved = _empty_texts(), _empty_texts()
        self.choices = {field: [] for field in profile.CHOICE_FIELDS}
        self.sections, self.history, self.conflicts = [], [], []
        self.subject_name, self.subject_id, self.summary_updated = "", 0, ""
        self.heading, self.pdf_url = "", ""

    def _label_question(self, locale: str) -> None:
        self.question_label = gettext(locale, "Question {number} of {total}").format(
            number=self.question, total=QUESTIONS
        )

    @rx.event
    def load(self) -> None:
        """The overview and the guided fill (``?fraga=`` opens one question)."""
        self.question = _question_number(self.router.url.query_parameters.get("fraga"))
        self._open()

    @rx.event
    def load_history(self) -> None:
        viewer = current_viewer(self)
        self.loaded = True
        # The history is the resident's own; care contacts read only the shared profile.
        self.allowed = is_allowed(viewer, Action.VIEW_PROFILE, viewer.user_id if viewer else None)
        if viewer is None or not self.allowed:
            self.history = []
            return
        with session_scope() as db:
            entries = profile.history(session=db, resident_id=viewer.user_id)
        locale = viewer.locale
        self.history = [
            ProfileHistoryView(
                when=format_day_and_time(entry.changed_at, locale),
                who=gettext(locale, "You")
                if entry.changed_by_id == viewer.user_id
                else entry.changed_by_name or gettext(locale, "Someone no longer in Nära"),
                changes=[
                    ProfileItemView(
                        label=gettext(locale, profile.FIELD_LABELS[field]),
                        text=profile.display_value(field, entry.content.get(field), locale=locale)
                        or gettext(locale, "(emptied)"),
                    )
                    for field in entry.fields
                ],
            )
            for entry in entries
        ]

    @rx.event
    def load_summary(self) -> None:
        opened = self._open()
        if opened is None:
            return
        viewer, found = opened
        self.subject_name = self.subject_name or viewer.display_name  # printed on the page
        self.sections = [s for s in self.sections if s.lines]
        self.summary_updated = (
            gettext(viewer.locale, "Updated {date}").format(
                date=format_date_with_year(found.updated_at.date(), viewer.locale)
            )
            if found.version
            else ""
        )

    # ---------------------------------------------------------------- the guided fill

    @rx.event
    def show_question(self, number: int):  # noqa: ANN201 - an event spec
        """Which question of the guided fill is on screen; it holds no data."""
        if not isinstance(number, int) or isinstance(number, bool):
            return None
        self.question = min(max(number, 1), QUESTIONS)
        viewer = current_viewer(self)
        self._label_question(viewer.locale if viewer else "sv")
        # The new question is read out from its heading, as after a page change.
        return focus("question-title")

    # ---------------------------------------------------------------- saving

    def _editor(self) -> Viewer | None:
        """The signed-in resident editing their own profile, or None with a calm status."""
        viewer = current_viewer(self)
        if viewer is None:
            self._status("error", STATUS_SIGNED_OUT, None)
            return None
        if not is_allowed(viewer, Action.EDIT_PROFILE, viewer.user_id):
            self._status("error", STATUS_REFUSED, viewer)
            return None
        if not (self.can_edit and self.subject_id == viewer.user_id):
            # An edit starts from the own profile loaded in this tab, which gives its version.
            self._status("error", STATUS_OPEN_AGAIN, viewer)
            return None
        return viewer

    def _status(self, kind: str, message: str, viewer: Viewer | None) -> None:
        self.save_state = kind
        self.save_message = gettext(viewer.locale if viewer else "sv", message)

    def _save(self, viewer: Viewer, changes: dict, base: int) -> WhatMattersProfile | None:
        """Save; on refusal keep everything typed and say why. Returns the saved profile."""
        try:
            with session_scope() as db:
                saved = profile.save(
                    session=db,
                    resident_id=viewer.user_id,
                    changes=changes,
                    expected_version=base,
                    changed_by_id=viewer.user_id,
                )
        except InputInvalid as invalid:
            self.errors = {**self.errors, **invalid.texts(viewer.locale)}
            self._status("error", STATUS_INVALID, viewer)
            return None
        except ProfileConflict as conflict:
            self._conflicted(conflict, changes, viewer)
            return None
        self.errors = {
            field: "" if field in changes else text for field, text in self.errors.items()
        }
        self._absorb(saved, changes, viewer)
        self._status("saved", "", viewer)
        self.save_message = gettext(viewer.locale, "Saved at {time}").format(
            time=format_time(clock.now(), viewer.locale)
        )
        return saved

    def _absorb(self, saved: WhatMattersProfile, changes: dict, viewer: Viewer) -> None:
        """Take in a saved profile: the fields saved, and others this tab has no edits in."""
        for field in profile.TEXT_FIELDS:
            pending = self.drafts[field] != self.saved[field] and field not in changes
            if pending:
                continue  # their base stays, so a later save of it still checks
            new = getattr(saved, field)
            if field not in changes and new != self.saved[field]:
                self.drafts[field] = new
                self.field_keys[field] = f"{field}-{saved.version}"
            elif field in changes:
                self.drafts[field] = new
            self.saved[field] = new
            self.bases[field] = saved.version
        for field in (*profile.CHOICE_FIELDS, *profile.FLAG_FIELDS):
            self.bases[field] = saved.version
        self.choices = {field: profile.choices_of(saved, field) for field in profile.CHOICE_FIELDS}
        self.needs_interpreter = saved.needs_interpreter
        self.sections = _section_views(saved, viewer.locale)

    def _conflicted(self, conflict: ProfileConflict, changes: dict, viewer: Viewer) -> None:
        locale = viewer.locale
        texts = [field for field in conflict.fields if field in profile.TEXT_FIELDS]
        others = [field for field in conflict.fields if field not in profile.TEXT_FIELDS]
        kept = [c for c in self.conflicts if c.field not in texts]
        self.conflicts = kept + [
            ProfileConflictView(
                field=field,
                label=gettext(locale, profile.FIELD_LABELS[field]),
                saved_text=conflict.content[field],
                my_text=self.drafts[field],
                version=conflict.version,
            )
            for field in texts
        ]
        # A choice has no text to lose: show what is saved now and let them choose again.
        for field in others:
            if field in profile.CHOICE_FIELDS:
                self.choices[field] = [v for v in conflict.content[field].split(",") if v]
            else:
                self.needs_interpreter = bool(conflict.content[field])
            self.bases[field] = conflict.version
        self._status("error", STATUS_CONFLICT if texts else STATUS_CHOICE_CONFLICT, viewer)

    @rx.event
    def save_text(self, field: str, value: str):  # noqa: ANN201 - yields a status first
        """Blur or a pause in typing: keep the text, then save it if it changed."""
        if not isinstance(field, str) or field not in profile.TEXT_FIELDS:
            return
        if not isinstance(value, str):
            return
        self.drafts[field] = value[:_DRAFT_LIMIT]
        if self.drafts[field] == self.saved[field]:
            self.errors[field] = ""
            return
        if any(c.field == field for c in self.conflicts):
            # Waiting for the person's choice: what they see as "my text" follows their typing.
            for conflict in self.conflicts:
                if conflict.field == field:
                    conflict.my_text = self.drafts[field]
            self.conflicts = list(self.conflicts)
            return
        viewer = self._editor()
        if viewer is None:
            return
        self._status("saving", N_("Saving…"), viewer)
        yield
        self._save(viewer, {field: self.drafts[field]}, self.bases.get(field, 0))

    @rx.event
    def toggle_choice(self, field: str, value: str) -> None:
        if not isinstance(field, str) or not isinstance(value, str):
            return
        if field not in profile.CHOICE_FIELDS or value not in {
            option.value for option in profile.CHOICE_FIELDS[field]
        }:
            return
        viewer = self._editor()
        if viewer is None:
            return
        chosen = set(self.choices.get(field, []))
        chosen ^= {value}
        self._save(viewer, {field: sorted(chosen)}, self.bases.get(field, 0))

    @rx.event
    def set_interpreter(self, needed: bool) -> None:
        if not isinstance(needed, bool):
            return
        viewer = self._editor()
        if viewer is not None:
            self._save(
                viewer, {"needs_interpreter": needed}, self.bases.get("needs_interpreter", 0)
            )

    @rx.event
    def keep_mine(self, field: str) -> None:
        """In a conflict: save this tab's text over the one saved on another device."""
        conflict = next((c for c in self.conflicts if c.field == field), None)
        viewer = self._editor() if conflict is not None else None
        if viewer is None:
            return
        self.conflicts = [c for c in self.conflicts if c.field != field]
        if self._save(viewer, {field: self.drafts[field]}, conflict.version) is None:
            return
        self.field_keys[field] = f"{field}-mine-{conflict.version}"

    @rx.event
    def use_saved(self, field: str) -> None:
        """In a conflict: take the text saved on another device instead of this tab's."""
        conflict = next((c for c in self.conflicts if c.field == field), None)
        viewer = self._editor() if conflict is not None else None
        if viewer is None:
            return
        self.conflicts = [c for c in self.conflicts if c.field != field]
        self.drafts[field] = self.saved[field] = conflict.saved_text
        self.bases[field] = conflict.version
        self.field_keys[field] = f"{field}-saved-{conflict.version}"
        self.errors[field] = ""
        self._status("saved" if not self.conflicts else "error", "", viewer)
        if not self.conflicts:
            self.save_message = ""

    @rx.event
    def set_shared(self, shared: bool) -> None:
        if not isinstance(shared, bool):
            return
        viewer = self._editor()
        if viewer is None:
            return
        require(viewer, Action.EDIT_PROFILE, viewer.user_id)  # _editor asked; say it here too
        with session_scope() as db:
            saved = profile.set_shared(
                session=db, resident_id=viewer.user_id, shared=shared, changed_by_id=viewer.user_id
            )
        self.shared = saved.shared_with_care
        self._status("saved", "", viewer)
        self.save_message = (
            gettext(viewer.locale, "Your care contacts can now read your profile.")
            if self.shared
            else gettext(viewer.locale, "Your profile is now only for you.")
        )


def _question_number(value: object) -> int:
    number = record_id(value)
    return min(number, QUESTIONS) if number else 1


def _display_name(db: Session, resident_id: int) -> str:
    user = db.get(User, resident_id)
    return user.display_name if user else ""


def _section_views(found: WhatMattersProfile, locale: str) -> list[ProfileSectionView]:
    return [
        ProfileSectionView(
            key=section.key,
            number=number,
            title=section.title,
            lines=[ProfileItemView(label=item.label, text=item.text) for item in section.items],
        )
        for number, section in enumerate(profile.sections_of(found, locale=locale), start=1)
    ]
