"""Self-care tasks: when they fall due (in Stockholm wall-clock time) and what was recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from naranara.db import get_engine
from naranara.models import CheckStatus, SelfCareCheck, SelfCareTask, User
from naranara.services import self_care
from naranara.services.self_care import NotAnOccurrence, Occurrence
from naranara.settings import DISPLAY_TIMEZONE
from tests.utils.factories import make_task, make_user

pytestmark = pytest.mark.time_sensitive

MONDAY = date(2026, 3, 2)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


def moments(db: Session, resident: User, day: date) -> list[datetime]:
    return [o.at for o in self_care.occurrences_on(session=db, resident_id=resident.id, day=day)]


def test_a_daily_task_falls_due_once_a_day_at_its_local_time(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig", time_of_day="08:00", starts_on=MONDAY)
    found = self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 3, 3))
    assert found == [Occurrence(task.id, "Väg dig", utc(2026, 3, 3, 7, 0), None)]
    assert found[0].at.tzinfo is not None
    assert found[0].at.astimezone(DISPLAY_TIMEZONE).hour == 8


def test_eight_in_the_morning_stays_eight_across_daylight_saving_changes(
    db: Session, anna: User
) -> None:
    make_task(db, anna, time_of_day="08:00", starts_on=date(2026, 1, 1))
    expected = {
        # Summer time starts on Sunday 29 March 2026 at 02:00...
        date(2026, 3, 28): utc(2026, 3, 28, 7, 0),
        date(2026, 3, 29): utc(2026, 3, 29, 6, 0),
        date(2026, 3, 30): utc(2026, 3, 30, 6, 0),
        # ...and ends on Sunday 25 October 2026 at 03:00.
        date(2026, 10, 24): utc(2026, 10, 24, 6, 0),
        date(2026, 10, 25): utc(2026, 10, 25, 7, 0),
        date(2026, 10, 26): utc(2026, 10, 26, 7, 0),
    }
    assert {day: moments(db, anna, day) for day in expected} == {
        day: [moment] for day, moment in expected.items()
    }


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)],
)
def test_a_local_day_is_as_long_as_the_clock_says(day: date, hours: int) -> None:
    start, end = self_care.local_day_bounds(day)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)
    local_start = start.astimezone(DISPLAY_TIMEZONE)
    assert (local_start.date(), local_start.hour, local_start.minute) == (day, 0, 0)
    local_end = end.astimezone(DISPLAY_TIMEZONE)
    assert (local_end.date(), local_end.hour) == (day + timedelta(days=1), 0)


def test_a_task_at_midnight_belongs_to_the_local_day(db: Session, anna: User) -> None:
    # 00:00 in Stockholm is 23:00 or 22:00 UTC the day before.
    make_task(db, anna, time_of_day="00:00", starts_on=date(2026, 1, 1))
    assert moments(db, anna, date(2026, 3, 10)) == [utc(2026, 3, 9, 23, 0)]
    assert moments(db, anna, date(2026, 7, 10)) == [utc(2026, 7, 9, 22, 0)]


def test_late_evening_task_is_on_its_own_local_day(db: Session, anna: User) -> None:
    make_task(db, anna, time_of_day="23:30", starts_on=date(2026, 1, 1))
    assert moments(db, anna, date(2026, 7, 10)) == [utc(2026, 7, 10, 21, 30)]


def test_nothing_falls_due_before_the_task_starts(db: Session, anna: User) -> None:
    make_task(db, anna, starts_on=MONDAY)
    assert moments(db, anna, MONDAY - timedelta(days=1)) == []
    assert moments(db, anna, MONDAY) == [utc(2026, 3, 2, 7, 0)]


def test_byday_falls_due_only_on_those_weekdays(db: Session, anna: User) -> None:
    make_task(db, anna, recurrence="RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR", starts_on=MONDAY)
    week = [MONDAY + timedelta(days=offset) for offset in range(14)]
    due = [day for day in week if moments(db, anna, day)]
    assert [day.strftime("%a") for day in due] == ["Mon", "Wed", "Fri"] * 2
    assert moments(db, anna, date(2026, 3, 4)) == [utc(2026, 3, 4, 7, 0)]


def test_interval_two_falls_due_every_other_day(db: Session, anna: User) -> None:
    make_task(db, anna, recurrence="RRULE:FREQ=DAILY;INTERVAL=2", starts_on=MONDAY)
    due = [
        (MONDAY + timedelta(days=offset)).day
        for offset in range(7)
        if moments(db, anna, MONDAY + timedelta(days=offset))
    ]
    assert due == [2, 4, 6, 8]


def test_count_ends_the_series(db: Session, anna: User) -> None:
    make_task(db, anna, recurrence="RRULE:FREQ=DAILY;COUNT=2", starts_on=MONDAY)
    assert [bool(moments(db, anna, MONDAY + timedelta(days=n))) for n in range(4)] == [
        True,
        True,
        False,
        False,
    ]


def test_occurrences_of_a_day_are_in_time_order_with_titles(db: Session, anna: User) -> None:
    evening = make_task(db, anna, title="Mät blodtrycket", time_of_day="19:00")
    morning = make_task(db, anna, title="Väg dig", time_of_day="08:00")
    noon = make_task(db, anna, title="Promenera", time_of_day="11:00")
    found = self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 3, 3))
    assert [(o.task_id, o.title, o.at) for o in found] == [
        (morning.id, "Väg dig", utc(2026, 3, 3, 7, 0)),
        (noon.id, "Promenera", utc(2026, 3, 3, 10, 0)),
        (evening.id, "Mät blodtrycket", utc(2026, 3, 3, 18, 0)),
    ]


def test_inactive_tasks_and_other_residents_tasks_are_not_listed(db: Session, anna: User) -> None:
    mine = make_task(db, anna, time_of_day="08:00")
    make_task(db, anna, time_of_day="09:00", active=False)
    bo = make_user(db, username="bo")
    make_task(db, bo, time_of_day="10:00")
    found = self_care.occurrences_on(session=db, resident_id=anna.id, day=date(2026, 3, 3))
    assert [o.task_id for o in found] == [mine.id]
    assert [t.id for t in self_care.tasks_of(session=db, resident_id=anna.id)] == [mine.id]


# --- recording ------------------------------------------------------------------------------


def checks(task: SelfCareTask) -> list[tuple[datetime, CheckStatus, int | None]]:
    with Session(get_engine()) as other:
        return [
            (check.occurrence_at, check.status, check.recorded_by_id)
            for check in other.exec(
                select(SelfCareCheck)
                .where(SelfCareCheck.task_id == task.id)
                .order_by(col(SelfCareCheck.occurrence_at))
            ).all()
        ]


def status_on(db: Session, resident: User, day: date) -> list[CheckStatus | None]:
    return [
        o.status for o in self_care.occurrences_on(session=db, resident_id=resident.id, day=day)
    ]


def test_done_then_skipped_then_undone_keeps_one_row(db: Session, anna: User) -> None:
    task = make_task(db, anna)
    at = utc(2026, 3, 3, 7, 0)

    self_care.record(
        session=db, task=task, occurrence_at=at, status=CheckStatus.DONE, recorded_by_id=anna.id
    )
    db.commit()
    assert checks(task) == [(at, CheckStatus.DONE, anna.id)]
    assert status_on(db, anna, date(2026, 3, 3)) == [CheckStatus.DONE]
    assert status_on(db, anna, date(2026, 3, 4)) == [None]

    self_care.record(
        session=db, task=task, occurrence_at=at, status=CheckStatus.SKIPPED, recorded_by_id=anna.id
    )
    db.commit()
    assert checks(task) == [(at, CheckStatus.SKIPPED, anna.id)]
    assert status_on(db, anna, date(2026, 3, 3)) == [CheckStatus.SKIPPED]

    self_care.record(session=db, task=task, occurrence_at=at, status=None, recorded_by_id=anna.id)
    db.commit()
    assert checks(task) == []
    assert status_on(db, anna, date(2026, 3, 3)) == [None]


def test_undoing_what_was_never_recorded_is_harmless(db: Session, anna: User) -> None:
    task = make_task(db, anna)
    self_care.record(
        session=db, task=task, occurrence_at=utc(2026, 3, 3, 7), status=None, recorded_by_id=anna.id
    )
    db.commit()
    assert checks(task) == []


def test_each_occurrence_is_recorded_on_its_own(db: Session, anna: User) -> None:
    task = make_task(db, anna)
    for day, status in [(3, CheckStatus.DONE), (4, CheckStatus.SKIPPED)]:
        self_care.record(
            session=db,
            task=task,
            occurrence_at=utc(2026, 3, day, 7, 0),
            status=status,
            recorded_by_id=anna.id,
        )
    db.commit()
    assert status_on(db, anna, date(2026, 3, 3)) == [CheckStatus.DONE]
    assert status_on(db, anna, date(2026, 3, 4)) == [CheckStatus.SKIPPED]
    assert status_on(db, anna, date(2026, 3, 5)) == [None]


@pytest.mark.both_databases("a unique constraint, enforced by each database")
def test_the_database_allows_one_row_per_task_and_occurrence(db: Session, anna: User) -> None:
    task = make_task(db, anna)
    at = utc(2026, 3, 3, 7, 0)
    db.add(SelfCareCheck(task_id=task.id, occurrence_at=at, status=CheckStatus.DONE))
    db.commit()
    db.add(SelfCareCheck(task_id=task.id, occurrence_at=at, status=CheckStatus.SKIPPED))
    with pytest.raises(IntegrityError):
        db.commit()


def test_an_occurrence_given_in_local_time_is_the_same_moment(db: Session, anna: User) -> None:
    task = make_task(db, anna)
    local = datetime(2026, 3, 3, 8, 0, tzinfo=DISPLAY_TIMEZONE)
    self_care.record(
        session=db, task=task, occurrence_at=local, status=CheckStatus.DONE, recorded_by_id=anna.id
    )
    db.commit()
    assert checks(task) == [(utc(2026, 3, 3, 7, 0), CheckStatus.DONE, anna.id)]
    assert status_on(db, anna, date(2026, 3, 3)) == [CheckStatus.DONE]


def test_recording_on_the_day_summer_time_starts(db: Session, anna: User) -> None:
    task = make_task(db, anna)
    self_care.record(
        session=db,
        task=task,
        occurrence_at=utc(2026, 3, 29, 6, 0),
        status=CheckStatus.DONE,
        recorded_by_id=anna.id,
    )
    db.commit()
    assert status_on(db, anna, date(2026, 3, 29)) == [CheckStatus.DONE]
    with pytest.raises(NotAnOccurrence):
        self_care.record(
            session=db,
            task=task,
            occurrence_at=utc(2026, 3, 29, 7, 0),  # 09:00 local that day
            status=CheckStatus.DONE,
            recorded_by_id=anna.id,
        )


def test_recording_a_real_occurrence_of_a_weekly_task(db: Session, anna: User) -> None:
    task = make_task(db, anna, recurrence="RRULE:FREQ=WEEKLY;BYDAY=MO,TU", starts_on=MONDAY)
    for moment in (utc(2026, 3, 2, 7, 0), utc(2026, 3, 3, 7, 0), utc(2026, 3, 9, 7, 0)):
        self_care.record(
            session=db,
            task=task,
            occurrence_at=moment,
            status=CheckStatus.DONE,
            recorded_by_id=anna.id,
        )
    db.commit()
    assert [at for at, _, _ in checks(task)] == [
        utc(2026, 3, 2, 7, 0),
        utc(2026, 3, 3, 7, 0),
        utc(2026, 3, 9, 7, 0),
    ]


def test_recording_a_moment_that_is_no_occurrence_is_refused(db: Session, anna: User) -> None:
    task = make_task(db, anna, recurrence="RRULE:FREQ=WEEKLY;BYDAY=MO,TU", starts_on=MONDAY)
    for moment in [
        utc(2026, 3, 3, 7, 1),  # a minute late
        utc(2026, 3, 3, 6, 59, 59),  # a second early
        utc(2026, 3, 3, 8, 0),  # 08:00 UTC is 09:00 local
        utc(2026, 3, 3, 7, 0) + timedelta(microseconds=1),
        utc(2026, 2, 23, 7, 0),  # the Monday before the task starts
        utc(2026, 3, 4, 7, 0),  # Wednesday: not in BYDAY=MO,TU
    ]:
        with pytest.raises(NotAnOccurrence):
            self_care.record(
                session=db,
                task=task,
                occurrence_at=moment,
                status=CheckStatus.DONE,
                recorded_by_id=anna.id,
            )
    db.commit()
    assert checks(task) == []
