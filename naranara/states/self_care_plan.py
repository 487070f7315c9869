"""Min egenvård: the resident's tasks, today's marks, a task's history, adopting a task.

The resident opens their own plan; a relative the resident lets help with
self-care, and staff caring for them, open it with ``?invanare=<id>``. Whose
plan a tab shows is kept on the server (a backend var); every handler asks the
policy again. Marking done or skipped is RECORD_SELF_CARE (a relative with the
self-care scope may help); changing the plan itself — adopting, the schedule,
pausing, stopping — is the resident's own.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import reflex as rx

from naranara import clock, routes
from naranara.db import session_scope
from naranara.i18n import DEFAULT_LOCALE, N_, gettext
from naranara.i18n.formatting import format_day_and_time, format_time
from naranara.inputs import InputInvalid, form_text, moment, record_id
from naranara.models import CheckStatus, SelfCareTask
from naranara.policy import Action, Viewer, is_allowed
from naranara.services import audit, guidance, self_care, self_care_plan
from naranara.services.guidance_content import VARIANTS
from naranara.services.self_care_plan import EntryState, ScheduleKind
from naranara.settings import DISPLAY_TIMEZONE
from naranara.states.focus import heading_for, resident_in_focus, resident_query
from naranara.states.session import current_viewer

_KEEP = 5_000  # typed text kept past the limits, so "too long" keeps what was written
_SCHEDULE_FIELDS = (
    "schedule",
    "time_of_day",
    "interval",
    *(f"day_{code}" for code in self_care_plan.WEEKDAY_CODES),
)
_STATE_LABELS = {
    EntryState.DONE: N_("Did it"),
    EntryState.SKIPPED: N_("Skipped"),
    EntryState.MISSED: N_("Not done"),
    EntryState.OPEN: N_("Not marked yet"),
}
_MARKS = {"done": CheckStatus.DONE, "skipped": CheckStatus.SKIPPED, "": None}


@dataclasses.dataclass
class TodayMarkView:
    task_id: int
    occurrence_at: str  # ISO 8601 UTC: identifies the occurrence in events
    time: str
    status: str  # "done" | "skipped" | ""
    status_label: str


@dataclasses.dataclass
class PlanTaskView:
    id: int
    title: str
    schedule: str
    paused: bool
    streak: str  # "5 gånger i rad" or ""
    href: str
    today: list[TodayMarkView]


@dataclasses.dataclass
class HistoryView:
    when: str
    state: str
    label: str
    who: str  # "Gjort av Erik för Anna", or ""


def _streak_text(count: int, locale: str) -> str:
    if count < 2:  # noqa: PLR2004 - one time is no streak yet
        return ""
    return gettext(locale, "{n} times in a row").format(n=count)


def _mark_views(task: SelfCareTask, marks: dict, now: datetime, locale: str) -> list[TodayMarkView]:
    views = []
    for at in self_care_plan.today_occurrences(task=task, now=now):
        status = marks.get((task.id, at))
        views.append(
            TodayMarkView(
                task_id=task.id,
                occurrence_at=at.isoformat(),
                time=format_time(at, locale),
                status=status.value if status else "",
                status_label=gettext(locale, _STATE_LABELS[EntryState(status)])
                if status
                else gettext(locale, _STATE_LABELS[EntryState.OPEN]),
            )
        )
    return views


class SelfCarePlanState(rx.State):
    loaded: bool = False
    allowed: bool = False
    own: bool = True
    may_mark: bool = False
    heading: str = ""
    tasks: list[PlanTaskView] = []
    measurements_href: str = routes.MEASUREMENTS
    message: str = ""
    _resident_id: int = 0

    def _refresh(self, viewer: Viewer) -> None:
        now = clock.now()
        locale = viewer.locale
        with session_scope() as db:
            tasks = self_care_plan.plan_tasks(session=db, resident_id=self._resident_id)
            marks = self_care.marks_on_day(
                session=db, tasks=tasks, day=now.astimezone(DISPLAY_TIMEZONE).date()
            )
            streaks = {
                task.id: self_care_plan.streak_of(session=db, task=task, now=now) for task in tasks
            }
            audit.record_access(
                session=db,
                actor_id=viewer.user_id,
                resident_id=self._resident_id,
                detail="self-care plan",
            )
        query = resident_query(self._resident_id, viewer, first=False)
        self.tasks = [
            PlanTaskView(
                id=task.id,
                title=task.title,
                schedule=self_care_plan.describe(task, locale),
                paused=task.paused,
                streak=_streak_text(streaks[task.id], locale),
                href=f"{routes.SELF_CARE_TASK}?uppgift={task.id}{query}",
                today=_mark_views(task, marks, now, locale),
            )
            for task in tasks
        ]
        self.measurements_href = routes.MEASUREMENTS + resident_query(
            self._resident_id, viewer, first=True
        )

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        self.message = ""
        if viewer is None:
            return
        self.loaded = True
        resident_id = resident_in_focus(self, viewer)
        self.allowed = is_allowed(viewer, Action.VIEW_SELF_CARE, resident_id)
        if not self.allowed:
            self._resident_id, self.tasks, self.heading, self.may_mark = 0, [], "", False
            return
        self._resident_id = resident_id
        self.own = resident_id == viewer.user_id
        self.may_mark = is_allowed(viewer, Action.RECORD_SELF_CARE, resident_id)
        self.heading = heading_for(
            viewer, resident_id, N_("My self-care"), N_("Self-care for {name}")
        )
        self._refresh(viewer)

    @rx.event
    def mark(self, task_id: int, occurrence_at: str, status: str) -> None:
        """Done, skipped, or "" to take the mark back."""
        viewer = current_viewer(self)
        task_id, at = record_id(task_id), moment(occurrence_at)
        chosen = _MARKS.get(status) if isinstance(status, str) else None
        resident_id = self._resident_id
        if (
            viewer is None
            or not task_id
            or at is None
            or not isinstance(status, str)
            or status not in _MARKS
            or not is_allowed(viewer, Action.RECORD_SELF_CARE, resident_id or None)
        ):
            self._refuse(viewer)
            return
        try:
            with session_scope() as db:
                task = self_care_plan.task_of(session=db, resident_id=resident_id, task_id=task_id)
                self_care.record(
                    session=db,
                    task=task,
                    occurrence_at=at,
                    status=chosen,
                    recorded_by_id=viewer.user_id,
                )
                audit.record_access(
                    session=db,
                    actor_id=viewer.user_id,
                    resident_id=resident_id,
                    detail="self-care task marked",
                    changed=True,
                )
        except (self_care_plan.NotInPlan, self_care.NotAnOccurrence):
            self._refuse(viewer)
            return
        self.message = ""
        self._refresh(viewer)

    def _refuse(self, viewer: Viewer | None) -> None:
        locale = viewer.locale if viewer else DEFAULT_LOCALE
        self.message = gettext(locale, "That could not be saved. Reload the page and try again.")


class SelfCareTaskState(rx.State):
    """One task: its history, streak, and (for the resident) its schedule, pause and stop."""

    loaded: bool = False
    allowed: bool = False
    may_manage: bool = False
    plan_href: str = routes.SELF_CARE_PLAN
    title: str = ""
    schedule: str = ""
    paused: bool = False
    stopped: bool = False
    streak: str = ""
    entries: list[HistoryView] = []
    editing: bool = False
    confirming_stop: bool = False
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""
    notice: str = ""
    _resident_id: int = 0
    _task_id: int = 0

    def _refresh(self, viewer: Viewer) -> None:
        now = clock.now()
        locale = viewer.locale
        with session_scope() as db:
            task = self_care_plan.task_of(
                session=db, resident_id=self._resident_id, task_id=self._task_id
            )
            entries = self_care_plan.history(session=db, task=task, now=now)
            people = self_care_plan.first_names(
                session=db, user_ids={e.recorded_by_id for e in entries} | {self._resident_id}
            )
            audit.record_access(
                session=db,
                actor_id=viewer.user_id,
                resident_id=self._resident_id,
                detail="self-care task history",
            )
            self.title, self.paused, self.stopped = task.title, task.paused, not task.active
            self.schedule = self_care_plan.describe(task, locale)
            self.values = _schedule_values(task)
        resident = people.get(self._resident_id, "")
        self.streak = _streak_text(self_care_plan.streak(entries), locale)
        self.entries = [
            HistoryView(
                when=format_day_and_time(entry.at, locale),
                state=entry.state.value,
                label=gettext(locale, _STATE_LABELS[entry.state]),
                who=_who(entry, self._resident_id, viewer, people, resident),
            )
            for entry in entries
        ]

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        self.editing, self.confirming_stop, self.errors, self.form_error = False, False, {}, ""
        self.notice = ""
        if viewer is None:
            return
        self.loaded = True
        resident_id = resident_in_focus(self, viewer)
        task_id = record_id(self.router.url.query_parameters.get("uppgift"))
        self.allowed = bool(task_id) and is_allowed(viewer, Action.VIEW_SELF_CARE, resident_id)
        if self.allowed:
            self._resident_id, self._task_id = resident_id, task_id or 0
            try:
                self._refresh(viewer)
            except self_care_plan.NotInPlan:
                self.allowed = False
        if not self.allowed:
            self._resident_id, self._task_id, self.entries, self.title = 0, 0, [], ""
            self.may_manage = False
            return
        self.may_manage = is_allowed(viewer, Action.CHANGE_SELF_CARE_PLAN, resident_id)
        self.plan_href = routes.SELF_CARE_PLAN + resident_query(resident_id, viewer, first=True)

    @rx.event
    def open_schedule(self) -> None:
        viewer = current_viewer(self)
        if is_allowed(viewer, Action.CHANGE_SELF_CARE_PLAN, self._resident_id or None):
            self.editing, self.errors, self.form_error, self.notice = True, {}, "", ""

    @rx.event
    def close_schedule(self) -> None:
        self.editing, self.errors, self.form_error = False, {}, ""

    @rx.event
    def save_schedule(self, form_data: dict) -> None:
        viewer = current_viewer(self)
        self.values = {
            name: form_text(form_data, name, max_length=_KEEP) for name in _SCHEDULE_FIELDS
        }
        if viewer is None or not is_allowed(
            viewer, Action.CHANGE_SELF_CARE_PLAN, self._resident_id
        ):
            self._refuse(viewer)
            return
        try:
            schedule = self_care_plan.parse_schedule(self.values)
            with session_scope() as db:
                task = self_care_plan.task_of(
                    session=db, resident_id=self._resident_id, task_id=self._task_id
                )
                self_care_plan.change_schedule(
                    session=db,
                    task=task,
                    schedule=schedule,
                    today=clock.today(),
                )
        except InputInvalid as refused:
            self.errors = refused.texts(viewer.locale)
            self.form_error = gettext(viewer.locale, "Some answers need a change. See below.")
            return
        except self_care_plan.NotInPlan:
            self._refuse(viewer)
            return
        self.editing, self.errors, self.form_error = False, {}, ""
        self.notice = gettext(viewer.locale, "Saved.")
        self._refresh(viewer)

    @rx.event
    def set_paused(self, paused: bool) -> None:
        viewer = current_viewer(self)
        if (
            viewer is None
            or not isinstance(paused, bool)
            or not is_allowed(viewer, Action.CHANGE_SELF_CARE_PLAN, self._resident_id)
        ):
            self._refuse(viewer)
            return
        try:
            with session_scope() as db:
                task = self_care_plan.task_of(
                    session=db, resident_id=self._resident_id, task_id=self._task_id
                )
                self_care_plan.set_paused(
                    session=db,
                    task=task,
                    paused=paused,
                    today=clock.today(),
                )
        except self_care_plan.NotInPlan:
            self._refuse(viewer)
            return
        message = N_("The task is paused.") if paused else N_("The task is running again.")
        self.notice = gettext(viewer.locale, message)
        self._refresh(viewer)

    @rx.event
    def ask_stop(self) -> None:
        viewer = current_viewer(self)
        if is_allowed(viewer, Action.CHANGE_SELF_CARE_PLAN, self._resident_id or None):
            self.confirming_stop = True

    @rx.event
    def keep_task(self) -> None:
        self.confirming_stop = False

    @rx.event
    def stop_task(self) -> None:
        viewer = current_viewer(self)
        if (
            viewer is None
            or not self.confirming_stop
            or not is_allowed(viewer, Action.CHANGE_SELF_CARE_PLAN, self._resident_id)
        ):
            self._refuse(viewer)
            return
        try:
            with session_scope() as db:
                task = self_care_plan.task_of(
                    session=db, resident_id=self._resident_id, task_id=self._task_id
                )
                self_care_plan.stop(session=db, task=task)
        except self_care_plan.NotInPlan:
            self._refuse(viewer)
            return
        self.confirming_stop = False
        self.notice = gettext(viewer.locale, "The task is stopped. Its history is kept.")
        self._refresh(viewer)

    def _refuse(self, viewer: Viewer | None) -> None:
        locale = viewer.locale if viewer else DEFAULT_LOCALE
        self.form_error = gettext(locale, "That could not be saved. Reload the page and try again.")


def _who(
    entry: self_care_plan.HistoryEntry,
    resident_id: int,
    viewer: Viewer,
    people: dict[int, str],
    resident: str,
) -> str:
    """Who marked an occurrence, when it was not the resident: "Gjort av Erik för Anna"."""
    if entry.recorded_by_id is None or entry.recorded_by_id == resident_id:
        return ""
    helper = people.get(entry.recorded_by_id, "")
    if not helper:
        return ""
    message = (
        N_("Done by {helper} for {resident}")
        if entry.state is EntryState.DONE
        else N_("Marked by {helper} for {resident}")
    )
    if entry.recorded_by_id == viewer.user_id:
        helper = gettext(viewer.locale, "you")
    return gettext(viewer.locale, message).format(helper=helper, resident=resident)


def _schedule_values(task: SelfCareTask) -> dict[str, str]:
    """The form's fields for a task's current schedule."""
    schedule = self_care_plan.from_rrule(task.recurrence, task.time_of_day)
    values = {
        "schedule": schedule.kind.value,
        "time_of_day": task.time_of_day,
        "interval": str(schedule.interval if schedule.kind is ScheduleKind.EVERY_N_DAYS else 2),
    }
    for day, code in enumerate(self_care_plan.WEEKDAY_CODES):
        values[f"day_{code}"] = "on" if day in schedule.weekdays else ""
    return values


class SelfCareTaskNewState(rx.State):
    """Adopt a task: from an article's template (?artikel=SLUG&mall=KEY) or one's own."""

    loaded: bool = False
    allowed: bool = False
    from_article: str = ""  # the article's title, when the task comes from one
    article_href: str = ""
    advice: str = ""  # the template's threshold advice, shown before adopting
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""
    form_key: int = 0
    back_href: str = routes.SELF_CARE_PLAN
    today: str = ""
    _slug: str = ""
    _key: str = ""
    _variant: str = "sv"  # the article version the template was read in
    _article_id: int = 0

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        self.errors, self.form_error = {}, ""
        if viewer is None:
            return
        self.loaded = True
        self.allowed = is_allowed(viewer, Action.CHANGE_SELF_CARE_PLAN, viewer.user_id)
        if not self.allowed:
            return
        today = clock.today()
        self.today = today.isoformat()
        params = self.router.url.query_parameters
        slug = params.get("artikel") if isinstance(params.get("artikel"), str) else ""
        key = params.get("mall") if isinstance(params.get("mall"), str) else ""
        variant = params.get("variant") if isinstance(params.get("variant"), str) else ""
        variant = variant if variant in VARIANTS else "sv"
        source = self_care_plan.template(slug[:120], key[:80], variant) if slug and key else None
        self._slug, self._key, self._variant, self._article_id = "", "", "sv", 0
        self.from_article, self.article_href, self.advice = "", "", ""
        values = {"title": "", "time_of_day": "08:00", "schedule": "daily", "interval": "2"}
        if source is not None:
            with session_scope() as db:
                article = guidance.article_by_slug(session=db, slug=slug, locale=viewer.locale)
            if article is not None:
                self._slug, self._key, self._article_id = slug, key, article.id or 0
                self._variant = variant
                self.from_article, self.article_href = article.title, routes.article(slug)
                self.back_href = routes.article(slug)
                self.advice = source.threshold.advice if source.threshold else ""
                schedule = self_care_plan.from_rrule(source.rrule, source.time_of_day)
                values = {
                    "title": source.title,
                    "time_of_day": source.time_of_day,
                    "schedule": schedule.kind.value,
                    "interval": str(schedule.interval if schedule.interval > 1 else 2),
                } | {
                    f"day_{code}": "on" if day in schedule.weekdays else ""
                    for day, code in enumerate(self_care_plan.WEEKDAY_CODES)
                }
        self.values = values | {"starts_on": today.isoformat()}
        self.form_key += 1

    @rx.event
    def submit(self, form_data: dict):  # noqa: ANN201 - an event
        viewer = current_viewer(self)
        names = ("title", "starts_on", *_SCHEDULE_FIELDS)
        self.values = {name: form_text(form_data, name, max_length=_KEEP) for name in names}
        if viewer is None or not is_allowed(viewer, Action.CHANGE_SELF_CARE_PLAN, viewer.user_id):
            locale = viewer.locale if viewer else DEFAULT_LOCALE
            self.form_error = gettext(
                locale, "That could not be saved. Reload the page and try again."
            )
            return None
        today = clock.today()
        errors: dict[str, str] = {}
        schedule = starts_on = None
        try:
            schedule = self_care_plan.parse_schedule(self.values)
        except InputInvalid as refused:
            errors |= refused.errors
        try:
            starts_on = self_care_plan.parse_start(self.values["starts_on"], today=today)
        except InputInvalid as refused:
            errors |= refused.errors
        source = (
            self_care_plan.template(self._slug, self._key, self._variant) if self._slug else None
        )
        if not errors and schedule is not None and starts_on is not None:
            try:
                with session_scope() as db:
                    task = self_care_plan.adopt(
                        session=db,
                        resident_id=viewer.user_id,
                        title=self.values["title"],
                        schedule=schedule,
                        starts_on=starts_on,
                        source=source,
                        template_slug=self._slug,
                        article_id=self._article_id or None,
                    )
                    task_id = task.id
            except InputInvalid as refused:
                errors |= refused.errors
        if errors:
            self.errors = InputInvalid(errors).texts(viewer.locale)
            self.form_error = gettext(viewer.locale, "Some answers need a change. See below.")
            return None
        return rx.redirect(f"{routes.SELF_CARE_TASK}?uppgift={task_id}")
