"""The resident's own self-care plan: adopting tasks, their schedules, streaks and history.

Schedules are chosen from plain choices (every day, chosen weekdays, every few
days, once a week; a time of day) and stored as RFC 5545 RRULEs that
``services/self_care`` evaluates in Europe/Stockholm wall-clock time.

An occurrence is *open* until its local day is over: a resident may mark the
morning's weighing in the evening. After that, one without a mark is *missed*.

The streak counts the occurrences done in a row, back from the latest one that
has fallen due. A missed occurrence ends it. A skipped one neither counts nor
ends it: saying honestly "not today" (when ill, on the advice of the care unit)
must never cost more than ticking a box one did not do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from babel.dates import get_day_names
from babel.lists import format_list
from dateutil.rrule import DAILY, WEEKLY, rrulestr
from sqlmodel import Session, col, select

from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_time
from naranara.inputs import InputInvalid, checked_text, column_length
from naranara.models import MeasurementKind, SelfCareCheck, SelfCareTask, User
from naranara.services.self_care import local_day_bounds, occurrences_between
from naranara.settings import DISPLAY_TIMEZONE

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_INTERVAL = 14
HISTORY_DAYS = 30
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ScheduleKind(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"  # on the weekdays chosen
    EVERY_N_DAYS = "every_n_days"
    WEEKLY = "weekly"  # once a week, on the weekday of the start date


class ThresholdRule(StrEnum):
    ABOVE = "above"  # the latest value is above the line
    BELOW = "below"
    RISE = "rise"  # the latest value minus the lowest of the last ``days`` days


@dataclass(frozen=True)
class Schedule:
    kind: ScheduleKind
    time_of_day: str  # HH:MM, Europe/Stockholm
    weekdays: tuple[int, ...] = ()  # 0 = Monday, for WEEKDAYS
    interval: int = 1  # days, for EVERY_N_DAYS


class NotInPlan(LookupError):
    """No such task in this resident's plan (or it is someone else's)."""


class TemplateThreshold(Protocol):
    rule: str
    value: float
    days: int | None
    advice: str


class TaskTemplate(Protocol):
    """A task an article suggests (``guidance_content.TaskTemplateSource``)."""

    key: str
    title: str
    rrule: str
    time_of_day: str
    measurement: str | None
    threshold: TemplateThreshold | None


def template(slug: str, key: str, variant: str = "sv") -> TaskTemplate | None:
    """The template ``key`` of the article ``slug``, as the guidance content defines it, in
    the words of the article's version ``variant`` (the Swedish original's otherwise)."""
    # Imported on use: the article content is its own module, loaded with its texts.
    from naranara.services.guidance_content import task_template

    return task_template(slug, key, variant)


# ---------------------------------------------------------------------------- schedules


def to_rrule(schedule: Schedule) -> str:
    """The RRULE for a schedule; the time of day and start date are kept beside it."""
    if schedule.kind is ScheduleKind.DAILY:
        return "RRULE:FREQ=DAILY"
    if schedule.kind is ScheduleKind.EVERY_N_DAYS:
        return f"RRULE:FREQ=DAILY;INTERVAL={schedule.interval}"
    if schedule.kind is ScheduleKind.WEEKLY:
        return "RRULE:FREQ=WEEKLY"
    days = ",".join(WEEKDAY_CODES[day] for day in sorted(set(schedule.weekdays)))
    return f"RRULE:FREQ=WEEKLY;BYDAY={days}"


def from_rrule(recurrence: str, time_of_day: str) -> Schedule:
    """The plain choice behind a stored rule (a template's rule too), for the form."""
    rule = rrulestr(recurrence, dtstart=datetime(2026, 1, 5))  # any Monday: only the parts count
    frequency, interval = rule._freq, rule._interval  # noqa: SLF001 - dateutil keeps no public view
    weekdays = tuple(sorted(rule._byweekday or ()))  # noqa: SLF001
    if frequency == DAILY and interval == 1:
        return Schedule(ScheduleKind.DAILY, time_of_day)
    if frequency == DAILY:
        return Schedule(ScheduleKind.EVERY_N_DAYS, time_of_day, interval=interval)
    if frequency == WEEKLY and "BYDAY" in recurrence.upper() and len(weekdays) == 7:  # noqa: PLR2004
        return Schedule(ScheduleKind.DAILY, time_of_day)
    if frequency == WEEKLY and "BYDAY" in recurrence.upper():
        return Schedule(ScheduleKind.WEEKDAYS, time_of_day, weekdays=weekdays)
    return Schedule(ScheduleKind.WEEKLY, time_of_day)


def describe(task: SelfCareTask, locale: str) -> str:
    """The schedule in words: "Varje dag kl. 08.00", "Måndag, onsdag och fredag kl. 10.00"."""
    schedule = from_rrule(task.recurrence, task.time_of_day)
    hour, minute = (int(part) for part in task.time_of_day.split(":"))
    at = format_time(
        datetime.combine(task.starts_on, datetime.min.time(), tzinfo=DISPLAY_TIMEZONE).replace(
            hour=hour, minute=minute
        ),
        locale,
    )
    names = get_day_names("wide", locale=locale)
    if schedule.kind is ScheduleKind.DAILY:
        text = gettext(locale, "Every day at {time}").format(time=at)
    elif schedule.kind is ScheduleKind.EVERY_N_DAYS and schedule.interval == 2:  # noqa: PLR2004
        text = gettext(locale, "Every other day at {time}").format(time=at)
    elif schedule.kind is ScheduleKind.EVERY_N_DAYS:
        text = gettext(locale, "Every {n} days at {time}").format(n=schedule.interval, time=at)
    elif schedule.kind is ScheduleKind.WEEKLY:
        day = names[task.starts_on.weekday()]
        text = gettext(locale, "Every week on {day} at {time}").format(day=day, time=at)
    else:
        days = format_list([names[day] for day in schedule.weekdays], locale=locale)
        text = gettext(locale, "{days} at {time}").format(days=days, time=at)
    return text[:1].upper() + text[1:]


def parse_schedule(form: dict[str, str]) -> Schedule:
    """A schedule from the form's plain choices; ``InputInvalid`` says what is wrong."""
    errors: dict[str, str] = {}
    time_of_day = form.get("time_of_day", "").strip().replace(".", ":")
    if not _TIME.fullmatch(time_of_day):
        errors["time_of_day"] = N_("Write a time like 08:00.")
    try:
        kind = ScheduleKind(form.get("schedule", ""))
    except ValueError:
        errors["schedule"] = N_("Choose how often.")
        raise InputInvalid(errors) from None
    weekdays = tuple(day for day, code in enumerate(WEEKDAY_CODES) if form.get(f"day_{code}"))
    interval = 1
    if kind is ScheduleKind.WEEKDAYS and not weekdays:
        errors["weekdays"] = N_("Choose at least one day.")
    if kind is ScheduleKind.EVERY_N_DAYS:
        text = form.get("interval", "").strip()
        interval = int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else 0  # noqa: PLR2004
        if not 2 <= interval <= MAX_INTERVAL:  # noqa: PLR2004
            errors["interval"] = N_("Choose a number of days from 2 to 14.")
    if errors:
        raise InputInvalid(errors)
    return Schedule(kind, time_of_day, weekdays=weekdays, interval=interval)


def parse_start(text: str, *, today: date) -> date:
    if not _ISO_DATE.fullmatch(text.strip()):
        raise InputInvalid({"starts_on": N_("Choose a start date.")})
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InputInvalid({"starts_on": N_("Choose a start date.")}) from None
    if day < today - timedelta(days=1) or day > today + timedelta(days=365):
        raise InputInvalid({"starts_on": N_("Choose a start date within the coming year.")})
    return day


# ---------------------------------------------------------------------------- the plan


def plan_tasks(*, session: Session, resident_id: int) -> list[SelfCareTask]:
    """Every task the resident has not stopped, paused ones too, in time-of-day order."""
    return list(
        session.exec(
            select(SelfCareTask)
            .where(SelfCareTask.resident_id == resident_id, SelfCareTask.active)
            .order_by(col(SelfCareTask.time_of_day), col(SelfCareTask.id))
        ).all()
    )


def first_names(*, session: Session, user_ids: set[int | None]) -> dict[int, str]:
    """user id -> first name, as a task's history names who marked it."""
    return {
        user.id: user.display_name.split(" ")[0]
        for user in (session.get(User, user_id) for user_id in user_ids if user_id)
        if user is not None
    }


def task_of(*, session: Session, resident_id: int, task_id: int | None) -> SelfCareTask:
    """One of this resident's tasks (stopped ones too, for their history) or ``NotInPlan``."""
    task = session.get(SelfCareTask, task_id) if task_id else None
    if task is None or task.resident_id != resident_id:
        raise NotInPlan(task_id)
    return task


def adopt(
    *,
    session: Session,
    resident_id: int,
    title: str,
    schedule: Schedule,
    starts_on: date,
    source: TaskTemplate | None = None,
    template_slug: str = "",
    article_id: int | None = None,
) -> SelfCareTask:
    """A new task in the plan: the resident's own, or from an article's template."""
    title = checked_text(
        title,
        field="title",
        max_length=column_length(SelfCareTask, "title"),
        required=N_("Write what you want to do."),
    )
    task = SelfCareTask(
        resident_id=resident_id,
        title=title,
        recurrence=to_rrule(schedule),
        time_of_day=schedule.time_of_day,
        starts_on=starts_on,
        article_id=article_id,
    )
    if source is not None:
        follow_template(task, source, template_slug)
    session.add(task)
    session.flush()
    return task


def follow_template(task: SelfCareTask, source: TaskTemplate, slug: str) -> None:
    """Keep where a task came from, what it measures and the article's threshold."""
    task.template_slug, task.template_key = slug, source.key
    if source.measurement in set(MeasurementKind):
        task.measurement_kind = source.measurement
    threshold = source.threshold
    if threshold is not None and threshold.rule in set(ThresholdRule):
        task.threshold_rule = threshold.rule
        task.threshold_value = float(threshold.value)
        task.threshold_days = threshold.days
        task.threshold_advice = threshold.advice


def change_schedule(
    *, session: Session, task: SelfCareTask, schedule: Schedule, today: date
) -> None:
    """A new schedule from today on. What was marked before stays in the history."""
    task.recurrence = to_rrule(schedule)
    task.time_of_day = schedule.time_of_day
    # A task that has not started yet keeps its start; a running one restarts today,
    # so earlier days are not judged by a schedule the resident did not have then.
    task.starts_on = max(task.starts_on, today)
    session.add(task)


def set_paused(*, session: Session, task: SelfCareTask, paused: bool, today: date) -> None:
    """Pause or resume. Resuming starts the schedule again today: the paused days are
    no missed days."""
    if task.paused and not paused:
        task.starts_on = max(task.starts_on, today)
    task.paused = paused
    session.add(task)


def stop(*, session: Session, task: SelfCareTask) -> None:
    """Stop for good: off the plan and off "today"; its history is kept."""
    task.active = False
    session.add(task)


# ---------------------------------------------------------------------------- history


class EntryState(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    MISSED = "missed"
    OPEN = "open"  # due today (or later), not marked yet


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime  # aware UTC
    state: EntryState
    recorded_by_id: int | None


def history(
    *,
    session: Session,
    task: SelfCareTask,
    now: datetime,
    days: int = HISTORY_DAYS,
) -> list[HistoryEntry]:
    """The task's occurrences of the last ``days`` local days up to today, newest first.

    Marks made under an earlier schedule are in it too, at the time they were due.
    """
    today = now.astimezone(DISPLAY_TIMEZONE).date()
    start, _ = local_day_bounds(today - timedelta(days=days - 1))
    today_start, end = local_day_bounds(today)
    checks = {
        check.occurrence_at: check
        for check in session.exec(
            select(SelfCareCheck).where(
                SelfCareCheck.task_id == task.id,
                SelfCareCheck.occurrence_at >= start,
                SelfCareCheck.occurrence_at < end,
            )
        ).all()
    }
    due = set() if task.paused else set(occurrences_between(task, start, end))
    entries = []
    for moment in due | set(checks):
        check = checks.get(moment)
        if check is not None:
            state = EntryState(check.status)
        elif moment >= today_start.astimezone(UTC):
            state = EntryState.OPEN
        else:
            state = EntryState.MISSED
        entries.append(HistoryEntry(moment, state, check.recorded_by_id if check else None))
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def streak(entries: list[HistoryEntry]) -> int:
    """Occurrences done in a row, back from the latest that has fallen due (see above).

    One done ahead of its time counts already: weighing at 06.10 for a 07.30 task is
    done, whatever the hour at which the person looks at the streak.
    """
    count = 0
    for entry in entries:  # newest first
        if entry.state in (EntryState.OPEN, EntryState.SKIPPED):
            continue
        if entry.state is EntryState.MISSED:
            break
        count += 1
    return count


def streak_of(*, session: Session, task: SelfCareTask, now: datetime) -> int:
    """The streak over the last year: long enough for anyone to see it grow."""
    return streak(history(session=session, task=task, now=now, days=366))


def today_occurrences(*, task: SelfCareTask, now: datetime) -> list[datetime]:
    """Today's occurrences of the task (to mark done or skipped)."""
    if task.paused or not task.active:
        return []
    start, end = local_day_bounds(now.astimezone(DISPLAY_TIMEZONE).date())
    return occurrences_between(task, start, end)
