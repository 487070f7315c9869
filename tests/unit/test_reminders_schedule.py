"""Planning reminders: which rows exist, when they may go out, and what a change does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from naranara.models import (
    AgreedTimeStatus,
    NotificationSettings,
    ProxyScope,
    ReminderKind,
    ReminderOccurrence,
    ReminderStatus,
    Role,
    User,
)
from naranara.reminders import schedule
from naranara.reminders.schedule import QuietHours, after_quiet_hours, plan
from naranara.services import access
from naranara.settings import DISPLAY_TIMEZONE
from tests.utils.factories import make_agreed_time, make_task, make_user

pytestmark = [
    pytest.mark.both_databases("planning inserts with each dialect's ON CONFLICT DO NOTHING"),
    pytest.mark.time_sensitive,
]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=DISPLAY_TIMEZONE)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


NIGHT = QuietHours(time(21, 0), time(7, 0))


def rows(db: Session, **where: object) -> list[ReminderOccurrence]:
    query = select(ReminderOccurrence).order_by(ReminderOccurrence.due_at, ReminderOccurrence.id)
    for name, value in where.items():
        query = query.where(getattr(ReminderOccurrence, name) == value)
    return list(db.exec(query).all())


def no_quiet_hours(db: Session, user: User) -> None:
    db.add(NotificationSettings(user_id=user.id, quiet_from="00:00", quiet_until="00:00"))
    db.flush()


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


# ---------------------------------------------------------------- quiet hours


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 11, 24, 20, 59), local(2026, 11, 24, 20, 59)),
        (local(2026, 11, 24, 21, 0), local(2026, 11, 25, 7, 0)),
        (local(2026, 11, 24, 23, 30), local(2026, 11, 25, 7, 0)),
        (local(2026, 11, 25, 3, 0), local(2026, 11, 25, 7, 0)),
        (local(2026, 11, 25, 7, 0), local(2026, 11, 25, 7, 0)),
        # Across midnight into the spring-forward day: 07:00 is summer time there.
        (local(2027, 3, 27, 22, 0), local(2027, 3, 28, 7, 0)),
        # And into the fall-back day.
        (local(2026, 10, 24, 23, 0), local(2026, 10, 25, 7, 0)),
    ],
)
def test_a_reminder_in_the_night_waits_until_quiet_hours_end(
    moment: datetime, expected: datetime
) -> None:
    assert after_quiet_hours(moment.astimezone(UTC), NIGHT) == expected.astimezone(UTC)


def test_quiet_hours_within_one_day_and_none_at_all() -> None:
    lunch = QuietHours(time(12, 0), time(13, 0))
    assert after_quiet_hours(local(2026, 5, 4, 12, 30), lunch) == local(2026, 5, 4, 13, 0)
    assert after_quiet_hours(local(2026, 5, 4, 13, 0), lunch) == local(2026, 5, 4, 13, 0)
    off = QuietHours(time(0, 0), time(0, 0))
    assert after_quiet_hours(local(2026, 5, 4, 3, 0), off) == local(2026, 5, 4, 3, 0)
    assert local(2026, 3, 28, 7, 0).astimezone(UTC) == utc(2026, 3, 28, 6, 0)
    assert local(2027, 3, 28, 7, 0).astimezone(UTC) == utc(2027, 3, 28, 5, 0)


# ---------------------------------------------------------------- agreed times

NOW = utc(2026, 11, 24, 12, 0)


def test_an_agreed_time_is_reminded_the_day_before_at_six_and_two_hours_before(
    db: Session, anna: User
) -> None:
    visit = make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 10, 0).astimezone(UTC))
    summary = plan(session=db, now=NOW)
    db.commit()
    found = rows(db)
    assert summary.added == 2
    assert [(r.offset, r.due_at, r.send_after, r.urgent) for r in found] == [
        ("day_before", local(2026, 11, 25, 18, 0), local(2026, 11, 25, 18, 0), False),
        ("two_hours", local(2026, 11, 26, 8, 0), local(2026, 11, 26, 8, 0), False),
    ]
    assert all(r.expires_at == visit.starts_at for r in found)
    assert all(r.kind == ReminderKind.AGREED_TIME for r in found)
    assert all(r.recipient_id == anna.id and r.agreed_time_id == visit.id for r in found)

    assert plan(session=db, now=NOW).added == 0  # planning again changes nothing
    assert plan(session=db, now=NOW + timedelta(minutes=5)).added == 0
    db.commit()
    assert len(rows(db)) == 2


def test_a_moved_time_withdraws_its_old_reminders_and_plans_new_ones(
    db: Session, anna: User
) -> None:
    visit = make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 10, 0).astimezone(UTC))
    plan(session=db, now=NOW)
    old_keys = {r.key for r in rows(db)}
    visit.starts_at = local(2026, 11, 26, 14, 0).astimezone(UTC)
    visit.ends_at = visit.starts_at + timedelta(minutes=30)
    visit.version += 1
    visit.status = AgreedTimeStatus.CHANGED
    db.add(visit)
    summary = plan(session=db, now=NOW)
    db.commit()
    assert summary.withdrawn == 2
    assert {r.key for r in rows(db, status=ReminderStatus.WITHDRAWN)} == old_keys
    pending = rows(db, status=ReminderStatus.PENDING)
    assert [r.due_at for r in pending] == [local(2026, 11, 25, 18, 0), local(2026, 11, 26, 12, 0)]
    assert not old_keys & {r.key for r in pending}


def test_a_cancelled_time_withdraws_its_reminders(db: Session, anna: User) -> None:
    visit = make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 10, 0).astimezone(UTC))
    plan(session=db, now=NOW)
    visit.status = AgreedTimeStatus.CANCELLED
    visit.version += 1
    db.add(visit)
    assert plan(session=db, now=NOW).withdrawn == 2
    db.commit()
    assert rows(db, status=ReminderStatus.PENDING) == []


def test_an_edit_after_a_reminder_went_out_does_not_send_it_again(db: Session, anna: User) -> None:
    no_quiet_hours(db, anna)
    visit = make_agreed_time(db, anna, starts_at=NOW + timedelta(hours=2, minutes=5))
    plan(session=db, now=NOW)
    sent = rows(db, offset="two_hours")[0]
    sent.status = ReminderStatus.SENT
    db.add(sent)
    visit.place = "Vårdcentralen, rum 3"
    visit.version += 1
    db.add(visit)
    assert plan(session=db, now=NOW + timedelta(minutes=6)).added == 0
    db.commit()
    assert len(rows(db, offset="two_hours")) == 1


@pytest.mark.parametrize(
    ("choice", "offsets"),
    [("both", ["day_before", "two_hours"]), ("two_hours", ["two_hours"]), ("none", [])],
)
def test_each_time_can_have_its_own_reminders(
    db: Session, anna: User, choice: str, offsets: list[str]
) -> None:
    visit = make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 10, 0).astimezone(UTC))
    schedule.set_agreed_time_choice(session=db, agreed_time_id=visit.id, choice=choice)
    plan(session=db, now=NOW)
    db.commit()
    assert [r.offset for r in rows(db)] == offsets
    assert schedule.choice_value(tuple(offsets)) == choice


def test_an_early_visit_breaks_through_quiet_hours_and_a_later_one_waits(
    db: Session, anna: User
) -> None:
    early = make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 7, 30).astimezone(UTC))
    later = make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 8, 30).astimezone(UTC))
    plan(session=db, now=NOW)
    db.commit()
    [early_row] = rows(db, agreed_time_id=early.id, offset="two_hours")
    [later_row] = rows(db, agreed_time_id=later.id, offset="two_hours")
    # 05:30 for a 07:30 visit: waiting until 07:00 would leave half an hour.
    assert (early_row.send_after, early_row.urgent) == (local(2026, 11, 26, 5, 30), True)
    # 06:30 for an 08:30 visit: 07:00 still leaves an hour and a half.
    assert (later_row.send_after, later_row.urgent) == (local(2026, 11, 26, 7, 0), False)


def test_changed_quiet_hours_move_pending_reminders(db: Session, anna: User) -> None:
    make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 8, 45).astimezone(UTC))
    plan(session=db, now=NOW)
    [row] = rows(db, offset="two_hours")
    assert (row.due_at, row.send_after) == (local(2026, 11, 26, 6, 45), local(2026, 11, 26, 7, 0))
    no_quiet_hours(db, anna)
    assert plan(session=db, now=NOW).moved == 1
    db.commit()
    [row] = rows(db, offset="two_hours")
    assert row.send_after == local(2026, 11, 26, 6, 45) == row.due_at


# ---------------------------------------------------------------- relatives


def test_relatives_get_reminders_and_missed_task_alerts_only_with_those_grants(
    db: Session, anna: User
) -> None:
    reidar = make_user(db, username="reidar", role=Role.RELATIVE)
    lars = make_user(db, username="lars", role=Role.RELATIVE)
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    sixten = make_user(db, username="sixten", role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS)
    access.grant(
        session=db, resident_id=anna.id, relative_id=lars.id, scope=ProxyScope.MISSED_TASK_ALERTS
    )
    access.grant(session=db, resident_id=anna.id, relative_id=sixten.id, scope=ProxyScope.SELF_CARE)
    make_task(db, anna, time_of_day="15:00", starts_on=date(2026, 11, 1))
    make_agreed_time(db, anna, starts_at=local(2026, 11, 24, 16, 0).astimezone(UTC))
    plan(session=db, now=NOW, horizon=timedelta(hours=6))
    db.commit()
    assert {(r.recipient_id, r.kind, r.offset) for r in rows(db)} == {
        (anna.id, "agreed_time", "two_hours"),
        (anna.id, "self_care", "at_time"),
        (reidar.id, "agreed_time", "two_hours"),
        (reidar.id, "self_care", "at_time"),
        (lars.id, "missed_task", "after_two_hours"),
    }
    assert {r.resident_id for r in rows(db)} == {anna.id}
    assert erik.id and sixten.id  # granted nothing of this kind: nothing planned for them


def test_a_missed_task_alert_is_planned_two_hours_after_the_occurrence(
    db: Session, anna: User
) -> None:
    lars = make_user(db, username="lars", role=Role.RELATIVE)
    access.grant(
        session=db, resident_id=anna.id, relative_id=lars.id, scope=ProxyScope.MISSED_TASK_ALERTS
    )
    no_quiet_hours(db, lars)
    task = make_task(db, anna, time_of_day="14:00", starts_on=date(2026, 11, 1))
    plan(session=db, now=NOW, horizon=timedelta(hours=6))
    db.commit()
    [alert] = rows(db, recipient_id=lars.id)
    assert (alert.kind, alert.task_id) == ("missed_task", task.id)
    assert alert.occurrence_at == local(2026, 11, 24, 14, 0)
    assert alert.due_at == alert.send_after == local(2026, 11, 24, 16, 0)
    # The resident's own reminder of the same occurrence, and nothing about it to lars.
    [own] = rows(db, recipient_id=anna.id)
    assert (own.kind, own.due_at) == ("self_care", local(2026, 11, 24, 14, 0))


def test_a_revoked_relatives_pending_reminders_are_withdrawn(db: Session, anna: User) -> None:
    reidar = make_user(db, username="reidar", role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS)
    make_agreed_time(db, anna, starts_at=local(2026, 11, 26, 10, 0).astimezone(UTC))
    plan(session=db, now=NOW)
    assert len(rows(db, recipient_id=reidar.id)) == 2
    access.revoke(
        session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS
    )
    assert plan(session=db, now=NOW).withdrawn == 2
    db.commit()
    assert {r.status for r in rows(db, recipient_id=reidar.id)} == {ReminderStatus.WITHDRAWN}
    assert {r.status for r in rows(db, recipient_id=anna.id)} == {ReminderStatus.PENDING}


# ---------------------------------------------------------------- self-care and DST


def self_care_due_on(db: Session, user: User, day: date) -> list[datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=DISPLAY_TIMEZONE)
    plan(session=db, now=start + schedule.GRACE, horizon=timedelta(hours=24) - schedule.GRACE)
    db.commit()
    end = start + timedelta(days=1)
    return [
        r.due_at
        for r in rows(db, recipient_id=user.id, kind="self_care")
        if start <= r.due_at < end
    ]


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        # Spring forward: 02:30 does not exist on 28 March 2027; it falls at 03:30 CEST.
        (date(2027, 3, 28), [utc(2027, 3, 28, 1, 30)]),
        (date(2027, 3, 27), [utc(2027, 3, 27, 1, 30)]),  # 02:30 CET
        (date(2027, 3, 29), [utc(2027, 3, 29, 0, 30)]),  # 02:30 CEST
        # Fall back: 02:30 happens twice; the task falls once, at the first (CEST).
        (date(2026, 10, 25), [utc(2026, 10, 25, 0, 30)]),
        (date(2027, 10, 31), [utc(2027, 10, 31, 0, 30)]),
        (date(2027, 11, 1), [utc(2027, 11, 1, 1, 30)]),  # 02:30 CET
    ],
)
def test_a_half_past_two_task_is_reminded_once_each_day_across_daylight_saving(
    db: Session, anna: User, day: date, expected_utc: list[datetime]
) -> None:
    no_quiet_hours(db, anna)
    make_task(db, anna, time_of_day="02:30", starts_on=date(2026, 1, 1))
    found = self_care_due_on(db, anna, day)
    assert found == expected_utc
    assert found[0].astimezone(DISPLAY_TIMEZONE).hour in (2, 3)


def test_a_night_task_with_default_quiet_hours_waits_until_seven(db: Session, anna: User) -> None:
    make_task(db, anna, time_of_day="02:30", starts_on=date(2026, 1, 1))
    self_care_due_on(db, anna, date(2027, 3, 28))
    [row] = rows(db, recipient_id=anna.id)
    assert row.send_after == local(2027, 3, 28, 7, 0)
    assert row.send_after.astimezone(UTC) == utc(2027, 3, 28, 5, 0)


def test_a_self_care_reminder_for_a_task_no_longer_active_is_withdrawn(
    db: Session, anna: User
) -> None:
    task = make_task(db, anna, time_of_day="14:00", starts_on=date(2026, 11, 1))
    plan(session=db, now=NOW, horizon=timedelta(hours=6))
    assert len(rows(db, status=ReminderStatus.PENDING)) == 1
    task.active = False
    db.add(task)
    assert plan(session=db, now=NOW, horizon=timedelta(hours=6)).withdrawn == 1
