"""Check-offs made offline: each key taken once, the pressed time kept, and every refusal
worded for the person instead of dropped."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock
from naranara.db import get_engine
from naranara.models import CheckOffReceipt, CheckStatus, SelfCareCheck, User
from naranara.services import check_offs, self_care
from naranara.services.check_offs import CheckOff, CheckOffOutcome, InvalidCheckOff
from tests.utils.factories import make_task, make_user

KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


def _occurrence(db: Session, task_id: int) -> datetime:
    """An occurrence of the task yesterday (whatever hour the test runs at)."""
    task = self_care.tasks_of(session=db, resident_id=self_care_owner(db, task_id))[0]
    day = clock.local_now().date() - timedelta(days=1)
    start, end = self_care.local_day_bounds(day)
    return self_care.occurrences_between(task, start, end)[0]


def self_care_owner(db: Session, task_id: int) -> int:
    return check_offs.resident_of_task(session=db, task_id=task_id)


def _item(task_id: int, at: datetime, **extra: object) -> dict:
    return {
        "key": KEY,
        "taskId": task_id,
        "occurrenceAt": at.isoformat(),
        "status": "done",
        **extra,
    }


def _checks(db: Session) -> list[SelfCareCheck]:
    return list(db.exec(select(SelfCareCheck)).all())


def _own(anna: User):  # noqa: ANN202 - the policy's answer for Anna
    return lambda resident_id: resident_id == anna.id


@pytest.mark.both_databases("the unique key of check_off_receipt decides 'once'")
def test_a_check_off_sent_twice_counts_once(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig")
    at = _occurrence(db, task.id)
    pressed = clock.now() - timedelta(hours=3)
    check_off = check_offs.parse(_item(task.id, at, pressedAt=pressed.isoformat()))
    first = check_offs.receive(
        session=db, sender_id=anna.id, check_off=check_off, may_record=_own(anna)
    )
    db.commit()
    again = check_offs.receive(
        session=db, sender_id=anna.id, check_off=check_off, may_record=_own(anna)
    )
    db.commit()
    assert (first.outcome, first.repeated) == (CheckOffOutcome.RECORDED, False)
    assert (again.outcome, again.repeated) == (CheckOffOutcome.RECORDED, True)
    [check] = _checks(db)
    assert (check.status, check.occurrence_at, check.recorded_by_id) == (
        CheckStatus.DONE,
        at,
        anna.id,
    )
    # The time she pressed it, not when the network came back.
    assert check.recorded_at == pressed.replace(microsecond=check.recorded_at.microsecond)
    assert len(db.exec(select(CheckOffReceipt)).all()) == 1


@pytest.mark.both_databases("two transactions meet at the unique key: one waits, then finds it")
def test_two_requests_with_one_key_at_the_same_moment_count_once(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig")
    at = _occurrence(db, task.id)
    db.commit()
    check_off = check_offs.parse(_item(task.id, at))
    barrier = threading.Barrier(2, timeout=20)
    results: list[check_offs.Received] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with Session(get_engine()) as session:
                barrier.wait()
                results.append(
                    check_offs.receive(
                        session=session,
                        sender_id=anna.id,
                        check_off=check_off,
                        may_record=_own(anna),
                    )
                )
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(r.repeated for r in results) == [False, True]
    assert {r.outcome for r in results} == {CheckOffOutcome.RECORDED}
    db.expire_all()
    assert len(_checks(db)) == 1
    assert len(db.exec(select(CheckOffReceipt)).all()) == 1


def test_a_stopped_task_is_told_not_dropped(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig")
    at = _occurrence(db, task.id)
    task.active = False
    db.add(task)
    db.flush()
    received = check_offs.receive(
        session=db,
        sender_id=anna.id,
        check_off=check_offs.parse(_item(task.id, at)),
        may_record=_own(anna),
    )
    assert received.outcome is CheckOffOutcome.TASK_STOPPED
    assert (
        received.message
        == "”Väg dig” sparades inte: uppgiften har avslutats eller pausats sedan dess."
    )
    assert _checks(db) == []
    english = check_offs.receive(
        session=db,
        sender_id=anna.id,
        check_off=check_offs.parse(_item(task.id, at)),
        may_record=_own(anna),
        locale="en",
    )
    assert english.repeated
    assert english.message == "“Väg dig” was not saved: the task has been stopped or paused since."


def test_someone_elses_task_and_a_task_that_never_was_get_the_same_answer(
    db: Session, anna: User
) -> None:
    bo = make_user(db, username="bo")
    task = make_task(db, bo, title="Bos hemliga uppgift")
    at = _occurrence(db, task.id)
    for task_id in (task.id, task.id + 1000):
        item = _item(task_id, at, key=f"{task_id:032d}")
        received = check_offs.receive(
            session=db, sender_id=anna.id, check_off=check_offs.parse(item), may_record=_own(anna)
        )
        assert received.outcome is CheckOffOutcome.NOT_ALLOWED
        assert "Bo" not in received.message
        assert (
            received.message
            == "En avbockning sparades inte: du kan inte längre bocka av den uppgiften."
        )
    assert _checks(db) == []


def test_a_moment_that_is_not_an_occurrence_is_told(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig")
    at = _occurrence(db, task.id) + timedelta(minutes=7)
    received = check_offs.receive(
        session=db,
        sender_id=anna.id,
        check_off=check_offs.parse(_item(task.id, at)),
        may_record=_own(anna),
    )
    assert received.outcome is CheckOffOutcome.NOT_AN_OCCURRENCE
    assert _checks(db) == []


def test_a_pressed_time_in_the_future_or_long_ago_is_not_kept(db: Session, anna: User) -> None:
    task = make_task(db, anna, title="Väg dig")
    at = _occurrence(db, task.id)
    future = (clock.now() + timedelta(days=1)).isoformat()
    check_offs.receive(
        session=db,
        sender_id=anna.id,
        check_off=check_offs.parse(_item(task.id, at, pressedAt=future)),
        may_record=_own(anna),
    )
    [receipt] = db.exec(select(CheckOffReceipt)).all()
    assert receipt.pressed_at is None
    [check] = _checks(db)
    assert abs(check.recorded_at - clock.now()) < timedelta(minutes=1)


@pytest.mark.parametrize(
    "item",
    [
        "not an object",
        {"taskId": 1, "occurrenceAt": "2026-03-01T07:00:00+00:00"},  # no key
        {"key": "short", "taskId": 1, "occurrenceAt": "2026-03-01T07:00:00+00:00"},
        {"key": KEY + "<script>", "taskId": 1, "occurrenceAt": "2026-03-01T07:00:00+00:00"},
        {"key": KEY, "taskId": "1", "occurrenceAt": "2026-03-01T07:00:00+00:00"},
        {"key": KEY, "taskId": True, "occurrenceAt": "2026-03-01T07:00:00+00:00"},
        {"key": KEY, "taskId": 2**40, "occurrenceAt": "2026-03-01T07:00:00+00:00"},
        {"key": KEY, "taskId": 1, "occurrenceAt": "2026-03-01T07:00:00"},  # no zone
        {"key": KEY, "taskId": 1, "occurrenceAt": "yesterday"},
        {"key": KEY, "taskId": 1, "occurrenceAt": "2026-03-01T07:00:00+00:00", "status": "undo"},
    ],
)
def test_what_is_not_a_check_off_is_refused(item: object) -> None:
    with pytest.raises(InvalidCheckOff):
        check_offs.parse(item)


def test_a_check_off_is_read_in_utc() -> None:
    parsed = check_offs.parse(
        {"key": KEY, "taskId": 5, "occurrenceAt": "2026-03-01T08:00:00+01:00", "status": "skipped"}
    )
    assert parsed == CheckOff(
        KEY, 5, datetime(2026, 3, 1, 7, 0, tzinfo=UTC), CheckStatus.SKIPPED, None
    )
