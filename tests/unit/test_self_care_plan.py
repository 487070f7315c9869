"""The resident's own plan: schedules in plain words, DST, streaks, history, adopting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from naranara.inputs import InputInvalid
from naranara.models import CheckStatus, SelfCareTask, User
from naranara.services import self_care, self_care_plan
from naranara.services.self_care_plan import (
    EntryState,
    HistoryEntry,
    Schedule,
    ScheduleKind,
)
from naranara.settings import DISPLAY_TIMEZONE
from tests.utils.factories import make_task, make_user

pytestmark = pytest.mark.time_sensitive


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=DISPLAY_TIMEZONE)


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


# ---------------------------------------------------------------------------- schedules


@pytest.mark.parametrize(
    ("schedule", "rrule"),
    [
        (Schedule(ScheduleKind.DAILY, "08:00"), "RRULE:FREQ=DAILY"),
        (
            Schedule(ScheduleKind.WEEKDAYS, "10:00", weekdays=(4, 0, 2)),
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR",
        ),
        (Schedule(ScheduleKind.EVERY_N_DAYS, "09:00", interval=2), "RRULE:FREQ=DAILY;INTERVAL=2"),
        (Schedule(ScheduleKind.WEEKLY, "18:30"), "RRULE:FREQ=WEEKLY"),
    ],
)
def test_plain_choices_become_rrules_and_back(schedule: Schedule, rrule: str) -> None:
    assert self_care_plan.to_rrule(schedule) == rrule
    expected = Schedule(
        schedule.kind, schedule.time_of_day, tuple(sorted(schedule.weekdays)), schedule.interval
    )
    assert self_care_plan.from_rrule(rrule, schedule.time_of_day) == expected


@pytest.mark.parametrize(
    ("recurrence", "time_of_day", "sv", "en"),
    [
        ("RRULE:FREQ=DAILY", "08:00", "Varje dag kl. 08.00", "Every day at 08:00"),
        (
            "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "10:00",
            "Måndag, onsdag och fredag kl. 10.00",
            "Monday, Wednesday, and Friday at 10:00",
        ),
        (
            "RRULE:FREQ=DAILY;INTERVAL=2",
            "09:00",
            "Varannan dag kl. 09.00",
            "Every other day at 09:00",
        ),
        ("RRULE:FREQ=DAILY;INTERVAL=3", "09:00", "Var 3:e dag kl. 09.00", "Every 3 days at 09:00"),
        # 2 March 2026 is a Monday: a weekly task falls on the start date's weekday.
        (
            "RRULE:FREQ=WEEKLY",
            "19:00",
            "Varje vecka på måndag kl. 19.00",
            "Every week on Monday at 19:00",
        ),
    ],
)
def test_a_schedule_in_words(recurrence: str, time_of_day: str, sv: str, en: str) -> None:
    task = SelfCareTask(
        resident_id=1,
        title="x",
        recurrence=recurrence,
        time_of_day=time_of_day,
        starts_on=date(2026, 3, 2),
    )
    assert self_care_plan.describe(task, "sv") == sv
    assert self_care_plan.describe(task, "en") == en


def test_the_form_choices_are_checked() -> None:
    good = self_care_plan.parse_schedule(
        {"schedule": "weekdays", "time_of_day": "07.30", "day_MO": "on", "day_TH": "on"}
    )
    assert good == Schedule(ScheduleKind.WEEKDAYS, "07:30", weekdays=(0, 3))
    assert self_care_plan.parse_schedule(
        {"schedule": "every_n_days", "time_of_day": "09:00", "interval": "3"}
    ) == Schedule(ScheduleKind.EVERY_N_DAYS, "09:00", interval=3)
    for form, field in [
        ({"schedule": "weekdays", "time_of_day": "08:00"}, "weekdays"),
        ({"schedule": "every_n_days", "time_of_day": "08:00", "interval": "1"}, "interval"),
        ({"schedule": "every_n_days", "time_of_day": "08:00", "interval": "15"}, "interval"),
        ({"schedule": "every_n_days", "time_of_day": "08:00", "interval": "٣"}, "interval"),
        ({"schedule": "daily", "time_of_day": "24:00"}, "time_of_day"),
        ({"schedule": "daily", "time_of_day": "8"}, "time_of_day"),
        ({"schedule": "hourly", "time_of_day": "08:00"}, "schedule"),
    ]:
        with pytest.raises(InputInvalid) as refused:
            self_care_plan.parse_schedule(form)
        assert field in refused.value.errors


def test_a_start_date_is_today_or_later_within_a_year() -> None:
    today = date(2026, 3, 2)
    assert self_care_plan.parse_start("2026-03-05", today=today) == date(2026, 3, 5)
    for text in ("", "2026-02-01", "2027-03-05", "2026-02-30", "5 mars"):
        with pytest.raises(InputInvalid):
            self_care_plan.parse_start(text, today=today)


# ---------------------------------------------------------------------------- daylight saving


def test_a_half_past_two_task_on_the_spring_forward_day_is_at_half_past_three(
    db: Session, anna: User
) -> None:
    task = make_task(db, anna, time_of_day="02:30", starts_on=date(2026, 3, 1))
    # 29 March 2026: clocks go from 02:00 to 03:00; 02:30 does not exist that night.
    found = self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 3, 29))
    assert [o.at for o in found] == [utc(2026, 3, 29, 1, 30)]
    assert found[0].at.astimezone(DISPLAY_TIMEZONE).strftime("%H:%M") == "03:30"
    # The day before and after it is 02:30 as usual.
    assert [
        o.at
        for o in self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 3, 28))
    ] == [utc(2026, 3, 28, 1, 30)]
    assert [
        o.at
        for o in self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 3, 30))
    ] == [utc(2026, 3, 30, 0, 30)]
    # And it can be marked done.
    self_care.record(
        session=db,
        task=task,
        occurrence_at=utc(2026, 3, 29, 1, 30),
        status=CheckStatus.DONE,
        recorded_by_id=anna.id,
    )
    db.commit()
    assert [
        o.status
        for o in self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 3, 29))
    ] == [CheckStatus.DONE]


def test_a_half_past_two_task_on_the_fall_back_day_falls_due_once(db: Session, anna: User) -> None:
    make_task(db, anna, time_of_day="02:30", starts_on=date(2026, 10, 1))
    # 25 October 2026: 02:00-03:00 happens twice; the task is due the first time only.
    found = self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 10, 25))
    assert [o.at for o in found] == [utc(2026, 10, 25, 0, 30)]
    week = [
        o.at
        for day in range(20, 31)
        for o in self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 10, day))
    ]
    assert len(week) == len(set(week)) == 11


def test_the_adopted_schedule_follows_the_wall_clock_across_the_change(
    db: Session, anna: User
) -> None:
    task = self_care_plan.adopt(
        session=db,
        resident_id=anna.id,
        title="Mät blodtrycket",
        schedule=Schedule(ScheduleKind.WEEKDAYS, "10:00", weekdays=(0, 2, 4)),
        starts_on=date(2026, 3, 23),
    )
    db.commit()
    moments = self_care.occurrences_between(task, local(2026, 3, 23), local(2026, 4, 4))
    assert [m.astimezone(DISPLAY_TIMEZONE).strftime("%a %d %H:%M") for m in moments] == [
        "Mon 23 10:00",
        "Wed 25 10:00",
        "Fri 27 10:00",
        "Mon 30 10:00",
        "Wed 01 10:00",
        "Fri 03 10:00",
    ]
    assert moments[2] - moments[1] == timedelta(days=2)
    assert moments[3] - moments[2] == timedelta(days=3, hours=-1)  # a 71-hour weekend


# ---------------------------------------------------------------------------- streaks


def entry(day: int, state: EntryState, hour: int = 7) -> HistoryEntry:
    return HistoryEntry(utc(2026, 3, day, hour), state, None)


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([EntryState.DONE] * 5, 5),
        ([EntryState.DONE, EntryState.DONE, EntryState.MISSED, EntryState.DONE], 2),
        ([EntryState.MISSED, EntryState.DONE, EntryState.DONE], 0),
        # Skipping neither counts nor breaks it.
        ([EntryState.DONE, EntryState.SKIPPED, EntryState.DONE, EntryState.MISSED], 2),
        # Today's open occurrence does not break it: there is still time.
        ([EntryState.OPEN, EntryState.DONE, EntryState.DONE], 2),
        ([], 0),
    ],
)
def test_the_streak_counts_done_back_from_the_latest(
    states: list[EntryState], expected: int
) -> None:
    entries = [entry(10 - offset, state) for offset, state in enumerate(states)]
    assert self_care_plan.streak(entries) == expected


def test_an_occurrence_done_ahead_of_its_time_counts_at_any_hour() -> None:
    # The evening walk marked done at noon: the streak must not depend on the hour.
    entries = [entry(10, EntryState.DONE, hour=19), entry(10, EntryState.DONE, hour=7)]
    assert self_care_plan.streak(entries) == 2


# ---------------------------------------------------------------------------- history


def mark(db: Session, task: SelfCareTask, at: datetime, status: CheckStatus, by: User) -> None:
    self_care.record(session=db, task=task, occurrence_at=at, status=status, recorded_by_id=by.id)


def test_history_says_done_skipped_missed_open_and_who_marked(db: Session, anna: User) -> None:
    erik = make_user(db, username="erik")
    task = make_task(db, anna, time_of_day="08:00", starts_on=date(2026, 3, 6))
    mark(db, task, utc(2026, 3, 6, 7), CheckStatus.DONE, anna)
    mark(db, task, utc(2026, 3, 7, 7), CheckStatus.DONE, erik)
    mark(db, task, utc(2026, 3, 8, 7), CheckStatus.SKIPPED, anna)
    mark(db, task, utc(2026, 3, 10, 7), CheckStatus.DONE, anna)
    db.commit()
    found = self_care_plan.history(session=db, task=task, now=utc(2026, 3, 11, 12))
    assert [(e.at.day, e.state, e.recorded_by_id) for e in found] == [
        (11, EntryState.OPEN, None),
        (10, EntryState.DONE, anna.id),
        (9, EntryState.MISSED, None),
        (8, EntryState.SKIPPED, anna.id),
        (7, EntryState.DONE, erik.id),
        (6, EntryState.DONE, anna.id),
    ]
    assert self_care_plan.streak_of(session=db, task=task, now=utc(2026, 3, 11, 12)) == 1


def test_history_reaches_back_thirty_days(db: Session, anna: User) -> None:
    task = make_task(db, anna, starts_on=date(2026, 1, 1))
    found = self_care_plan.history(session=db, task=task, now=utc(2026, 3, 31, 12))
    assert len(found) == 30
    assert found[-1].at == utc(2026, 3, 2, 7)


def test_a_new_schedule_starts_today_and_keeps_what_was_marked(db: Session, anna: User) -> None:
    task = make_task(db, anna, time_of_day="08:00", starts_on=date(2026, 3, 1))
    mark(db, task, utc(2026, 3, 9, 7), CheckStatus.DONE, anna)
    self_care_plan.change_schedule(
        session=db,
        task=task,
        schedule=Schedule(ScheduleKind.DAILY, "10:00"),
        today=date(2026, 3, 10),
    )
    db.commit()
    found = self_care_plan.history(session=db, task=task, now=utc(2026, 3, 10, 12))
    assert [(e.at, e.state) for e in found[:2]] == [
        (utc(2026, 3, 10, 9), EntryState.OPEN),
        (utc(2026, 3, 9, 7), EntryState.DONE),
    ]
    assert all(e.state is not EntryState.MISSED for e in found)


def test_paused_tasks_fall_due_nowhere_and_resume_without_missed_days(
    db: Session, anna: User
) -> None:
    task = make_task(db, anna, starts_on=date(2026, 3, 1))
    self_care_plan.set_paused(session=db, task=task, paused=True, today=date(2026, 3, 5))
    db.commit()
    assert self_care.tasks_of(session=db, resident_id=anna.id) == []
    assert [t.id for t in self_care_plan.plan_tasks(session=db, resident_id=anna.id)] == [task.id]
    assert self_care_plan.today_occurrences(task=task, now=utc(2026, 3, 5, 12)) == []
    self_care_plan.set_paused(session=db, task=task, paused=False, today=date(2026, 3, 9))
    db.commit()
    found = self_care_plan.history(session=db, task=task, now=utc(2026, 3, 9, 12))
    assert [e.state for e in found] == [EntryState.OPEN]
    assert [t.id for t in self_care.tasks_of(session=db, resident_id=anna.id)] == [task.id]


def test_a_stopped_task_leaves_the_plan_and_today(db: Session, anna: User) -> None:
    task = make_task(db, anna)
    self_care_plan.stop(session=db, task=task)
    db.commit()
    assert self_care_plan.plan_tasks(session=db, resident_id=anna.id) == []
    assert self_care.tasks_of(session=db, resident_id=anna.id) == []
    assert self_care_plan.task_of(session=db, resident_id=anna.id, task_id=task.id) is task


def test_someone_elses_task_is_not_in_the_plan(db: Session, anna: User) -> None:
    bo = make_user(db, username="bo")
    task = make_task(db, bo)
    for task_id in (task.id, None, 0, 10_000):
        with pytest.raises(self_care_plan.NotInPlan):
            self_care_plan.task_of(session=db, resident_id=anna.id, task_id=task_id)


# ---------------------------------------------------------------------------- adopting


@dataclass(frozen=True)
class Threshold:
    rule: str
    value: float
    days: int | None
    advice: str


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    rrule: str
    time_of_day: str
    measurement: str | None
    threshold: Threshold | None


def test_adopting_a_template_keeps_its_measurement_and_threshold(db: Session, anna: User) -> None:
    source = Template(
        "vag-dig",
        "Väg dig",
        "RRULE:FREQ=DAILY",
        "08:00",
        "weight",
        Threshold("rise", 2, 3, "Kontakta din vårdcentral om du ökat mer än 2 kg på 3 dagar."),
    )
    task = self_care_plan.adopt(
        session=db,
        resident_id=anna.id,
        title=" Väg dig ",
        schedule=Schedule(ScheduleKind.DAILY, "07:30"),
        starts_on=date(2026, 3, 2),
        source=source,
        template_slug="vag-dig-vid-hjartsvikt",
    )
    db.commit()
    db.refresh(task)
    assert (task.title, task.recurrence, task.time_of_day) == (
        "Väg dig",
        "RRULE:FREQ=DAILY",
        "07:30",
    )
    assert (task.template_slug, task.template_key, task.measurement_kind) == (
        "vag-dig-vid-hjartsvikt",
        "vag-dig",
        "weight",
    )
    assert (task.threshold_rule, task.threshold_value, task.threshold_days) == ("rise", 2.0, 3)
    assert task.threshold_advice.startswith("Kontakta")


def test_an_own_task_needs_a_title(db: Session, anna: User) -> None:
    for title, message in (
        ("  ", "Write what you want to do."),
        ("x" * 161, "Please keep it to at most {max} characters."),
    ):
        with pytest.raises(InputInvalid) as refused:
            self_care_plan.adopt(
                session=db,
                resident_id=anna.id,
                title=title,
                schedule=Schedule(ScheduleKind.DAILY, "08:00"),
                starts_on=date(2026, 3, 2),
            )
        assert refused.value.errors == {"title": message}
