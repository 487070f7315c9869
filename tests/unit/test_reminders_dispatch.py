"""Sending due reminders to a local push service: headers, retries, dead devices, grants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock
from naranara.db import get_engine
from naranara.models import (
    CheckStatus,
    DeliveryAttempt,
    NotificationSettings,
    ProxyScope,
    PushSubscription,
    ReminderOccurrence,
    ReminderStatus,
    Role,
    SelfCareCheck,
    User,
)
from naranara.reminders import schedule
from naranara.reminders.dispatcher import BACKOFF_BASE, Dispatcher, Pusher
from naranara.services import access
from naranara.settings import DISPLAY_TIMEZONE
from tests.utils.factories import make_agreed_time, make_task, make_user
from tests.utils.push_receiver import BrowserSubscription, PushReceiver

pytestmark = [
    pytest.mark.both_databases("claims: FOR UPDATE SKIP LOCKED on PostgreSQL, plain on SQLite"),
    pytest.mark.time_sensitive,
]


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


def person(
    db: Session,
    receiver: PushReceiver,
    username: str,
    *,
    role: Role = Role.RESIDENT,
    locale: str = "sv",
    detailed: bool = False,
) -> tuple[User, BrowserSubscription]:
    """A user with one device and no quiet hours (tests must not depend on the clock)."""
    user = make_user(db, username=username, role=role, locale=locale)
    db.add(
        NotificationSettings(
            user_id=user.id, quiet_from="00:00", quiet_until="00:00", detailed_text=detailed
        )
    )
    device = receiver.new_subscription()
    db.add(
        PushSubscription(
            user_id=user.id, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth
        )
    )
    db.flush()
    return user, device


def new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


async def send_due(now: datetime) -> list:
    """Plan and send everything due at ``now`` (one worker), as the worker loop does."""
    with new_session() as session:
        schedule.plan(session=session, now=now)
        session.commit()
    reports = []
    async with Pusher(timeout=5) as pusher:
        dispatcher = Dispatcher(session_factory=new_session, pusher=pusher)
        while (report := await dispatcher.run_batch(now=now)).claimed:
            reports.append(report)
    return reports


def statuses(db: Session) -> dict[int, str]:
    db.expire_all()
    return {
        row.recipient_id: row.status
        for row in db.exec(select(ReminderOccurrence).order_by(ReminderOccurrence.id))
    }


async def test_a_due_reminder_is_delivered_once_with_ttl_urgency_and_topic(
    db: Session, receiver: PushReceiver
) -> None:
    anna, phone = person(db, receiver, "anna", detailed=True)
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts, purpose="Hembesök av distriktssköterskan")
    db.commit()
    now = starts - timedelta(hours=2)

    await send_due(now)
    await send_due(now + timedelta(minutes=1))  # a second round sends nothing again

    assert receiver.rejections == []
    [delivery] = receiver.deliveries
    assert delivery.endpoint == phone.endpoint
    assert delivery.urgency == "normal"
    assert int(delivery.ttl) == 2 * 3600  # useful until the time starts
    row = db.exec(select(ReminderOccurrence)).one()
    assert delivery.topic == schedule_topic(row.key)
    message = delivery.message
    assert message["title"] == "Hembesök av distriktssköterskan"
    local = starts.astimezone(DISPLAY_TIMEZONE)
    assert f"kl. {local:%H.%M}" in message["body"]
    assert message["url"] == "/tider"
    assert message["token"]
    db.expire_all()
    assert (row.status, row.attempts) == (ReminderStatus.SENT, 1)
    assert db.exec(select(PushSubscription)).one().last_delivery_at is not None


def schedule_topic(key: str) -> str:
    from naranara.reminders.payload import topic_of

    return topic_of(key)


async def test_english_text_for_an_english_speaker(db: Session, receiver: PushReceiver) -> None:
    anna, _ = person(db, receiver, "anna", locale="en")
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts)
    db.commit()
    await send_due(starts - timedelta(hours=2))
    message = receiver.deliveries[0].message
    assert message["body"] == "You have a reminder from Nära"
    assert [a["title"] for a in message["actions"]] == ["Remind me in 1 hour", "Open the app"]


@pytest.mark.parametrize("gone", [404, 410])
async def test_a_gone_device_is_deleted_and_the_reminder_has_nowhere_to_go(
    db: Session, receiver: PushReceiver, gone: int
) -> None:
    anna, phone = person(db, receiver, "anna")
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts)
    db.commit()
    receiver.respond(phone.endpoint, gone)

    await send_due(starts - timedelta(hours=2))

    assert db.exec(select(PushSubscription)).all() == []
    assert statuses(db) == {anna.id: ReminderStatus.GONE}
    [attempt] = db.exec(select(DeliveryAttempt)).all()
    assert (attempt.status_code, attempt.subscription_id) == (gone, None)


async def test_429_waits_at_least_as_long_as_retry_after_says(
    db: Session, receiver: PushReceiver
) -> None:
    anna, phone = person(db, receiver, "anna")
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts)
    db.commit()
    receiver.respond(phone.endpoint, 429, retry_after="600")
    now = starts - timedelta(hours=2)

    await send_due(now)
    row = db.exec(select(ReminderOccurrence)).one()
    assert row.status == ReminderStatus.PENDING
    # The exponential back-off alone would be 30 s; the push service asked for 10 min.
    assert row.next_attempt_at == now + timedelta(seconds=600)

    await send_due(now + timedelta(seconds=599))
    assert receiver.deliveries == []
    await send_due(now + timedelta(seconds=600))
    assert len(receiver.deliveries) == 1
    db.expire_all()
    assert (row.status, row.attempts) == (ReminderStatus.SENT, 2)
    codes = [a.status_code for a in db.exec(select(DeliveryAttempt).order_by(DeliveryAttempt.id))]
    assert codes == [429, 201]


async def test_500_is_retried_with_exponential_back_off(
    db: Session, receiver: PushReceiver
) -> None:
    anna, phone = person(db, receiver, "anna")
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts)
    db.commit()
    receiver.respond(phone.endpoint, 500, times=2)
    now = starts - timedelta(hours=2)

    await send_due(now)
    row = db.exec(select(ReminderOccurrence)).one()
    assert row.next_attempt_at == now + BACKOFF_BASE
    second = now + BACKOFF_BASE
    await send_due(second)
    db.expire_all()
    assert row.next_attempt_at == second + 2 * BACKOFF_BASE
    await send_due(second + 2 * BACKOFF_BASE)
    db.expire_all()
    assert (row.status, row.attempts) == (ReminderStatus.SENT, 3)
    assert len(receiver.deliveries) == 1
    assert len(db.exec(select(DeliveryAttempt)).all()) == 3


async def test_a_reminder_past_its_time_is_not_sent(db: Session, receiver: PushReceiver) -> None:
    anna, _ = person(db, receiver, "anna")
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts)
    db.commit()
    with new_session() as session:
        schedule.plan(session=session, now=starts - timedelta(hours=2))
        session.commit()
    await send_due(starts + timedelta(minutes=1))
    assert receiver.deliveries == []
    assert statuses(db) == {anna.id: ReminderStatus.FAILED}


async def test_a_relative_whose_grant_was_revoked_after_planning_gets_nothing(
    db: Session, receiver: PushReceiver
) -> None:
    anna, anna_phone = person(db, receiver, "anna")
    reidar, reidar_phone = person(db, receiver, "reidar", role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS)
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts)
    db.commit()
    now = starts - timedelta(hours=2)
    with new_session() as session:
        schedule.plan(session=session, now=now)
        session.commit()
    assert set(statuses(db)) == {anna.id, reidar.id}
    access.revoke(
        session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS
    )
    db.commit()

    # Sending without planning first: the check at send time alone must stop it.
    async with Pusher(timeout=5) as pusher:
        await Dispatcher(session_factory=new_session, pusher=pusher).run_batch(now=now)

    assert [d.endpoint for d in receiver.deliveries] == [anna_phone.endpoint]
    assert not receiver.deliveries_to(reidar_phone.endpoint)
    assert statuses(db) == {anna.id: ReminderStatus.SENT, reidar.id: ReminderStatus.WITHDRAWN}


async def test_a_relatives_reminder_shows_details_only_if_both_chose_them(
    db: Session, receiver: PushReceiver
) -> None:
    anna, _ = person(db, receiver, "anna", detailed=False)
    reidar, reidar_phone = person(db, receiver, "reidar", role=Role.RELATIVE, detailed=True)
    access.grant(session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS)
    starts = (clock.now() + timedelta(hours=3)).replace(microsecond=0)
    make_agreed_time(db, anna, starts_at=starts, purpose="Provsvar")
    db.commit()
    await send_due(starts - timedelta(hours=2))
    [to_reidar] = receiver.deliveries_to(reidar_phone.endpoint)
    assert to_reidar.message["body"] == "Du har en påminnelse från Nära"
    assert to_reidar.message["url"] == f"/tider?invanare={anna.id}"


async def test_a_missed_task_alert_goes_out_only_if_the_task_is_still_unmarked(
    db: Session, receiver: PushReceiver
) -> None:
    anna, _ = person(db, receiver, "anna", detailed=True)
    lars, lars_phone = person(db, receiver, "lars", role=Role.RELATIVE, detailed=True)
    lisa, lisa_phone = person(db, receiver, "lisa")
    lena, _ = person(db, receiver, "lena", role=Role.RELATIVE)
    access.grant(
        session=db, resident_id=anna.id, relative_id=lars.id, scope=ProxyScope.MISSED_TASK_ALERTS
    )
    access.grant(
        session=db, resident_id=lisa.id, relative_id=lena.id, scope=ProxyScope.MISSED_TASK_ALERTS
    )
    local_now = (clock.now() + timedelta(hours=1)).astimezone(DISPLAY_TIMEZONE)
    at = f"{local_now:%H}:00"
    forgotten = make_task(
        db, anna, title="Ta medicinen", time_of_day=at, starts_on=date(2026, 1, 1)
    )
    done = make_task(db, lisa, title="Gå en promenad", time_of_day=at, starts_on=date(2026, 1, 1))
    db.commit()
    occurrence = local_now.replace(minute=0, second=0, microsecond=0)
    await send_due(occurrence)  # the residents' own reminders
    db.add(
        SelfCareCheck(
            task_id=done.id,
            occurrence_at=occurrence,
            status=CheckStatus.DONE,
            recorded_by_id=lisa.id,
        )
    )
    db.commit()
    receiver.deliveries.clear()

    await send_due(occurrence + timedelta(hours=2))

    [alert] = receiver.deliveries
    assert alert.endpoint == lars_phone.endpoint
    assert alert.message["title"] == "Anna kan behöva en hand"
    assert "Ta medicinen" in alert.message["body"]
    assert forgotten.id and lisa_phone.endpoint
    lena_rows = db.exec(
        select(ReminderOccurrence).where(
            ReminderOccurrence.recipient_id == lena.id,
            ReminderOccurrence.occurrence_at == occurrence,
        )
    ).all()
    assert [r.status for r in lena_rows] == [ReminderStatus.WITHDRAWN]
