"""Many due reminders at once, for the worker tests and the benchmark.

Real rows throughout: residents, their devices (on a local PushReceiver), agreed
times starting a little under two hours from now, and the ledger rows the planner
writes for them ("2 hours before", due a minute ago). Quiet hours are off so the
result never depends on the time of day the test runs.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlmodel import Session

from naranara import clock
from naranara.models import (
    AgreedTime,
    NotificationSettings,
    PushSubscription,
    ReminderOccurrence,
    User,
)
from naranara.reminders import schedule
from tests.utils.push_receiver import PushReceiver


def make_due_reminders(
    session: Session,
    receiver: PushReceiver,
    *,
    residents: int,
    times_each: int,
    prefix: str = "load",
) -> int:
    """``residents`` × ``times_each`` due reminders, one device per resident; returns the count."""
    now = clock.now()
    session.execute(
        insert(User.__table__),
        [
            {
                "username": f"{prefix}{n}",
                "display_name": f"Invånare {n}",
                "role": "resident",
                "locale": "sv",
                "password_hash": None,
                "created_at": now,
            }
            for n in range(residents)
        ],
    )
    user_ids = list(
        session.execute(
            select(User.__table__.c.id).where(User.__table__.c.username.like(f"{prefix}%"))
        ).scalars()
    )
    session.execute(
        insert(NotificationSettings.__table__),
        [
            {
                "user_id": user_id,
                "quiet_from": "00:00",
                "quiet_until": "00:00",
                "detailed_text": False,
                "updated_at": now,
            }
            for user_id in user_ids
        ],
    )
    devices = []
    for user_id in user_ids:
        device = receiver.new_subscription()
        devices.append(
            {
                "user_id": user_id,
                "endpoint": device.endpoint,
                "p256dh": device.p256dh,
                "auth": device.auth,
                "device_label": "",
                "created_at": now,
                "last_seen_at": now,
            }
        )
    session.execute(insert(PushSubscription.__table__), devices)
    starts = now + timedelta(hours=2) - timedelta(minutes=1)
    session.execute(
        insert(AgreedTime.__table__),
        [
            {
                "resident_id": user_id,
                "starts_at": starts + timedelta(seconds=n),
                "ends_at": starts + timedelta(minutes=30),
                "purpose": "Hembesök",
                "with_whom": "",
                "place": "",
                "address": "",
                "meeting_url": "",
                "prepare": "",
                "status": "planned",
                "added_by_id": None,
                "external_system": "",
                "external_id": "",
                "version": 0,
                "created_at": now,
                "updated_at": now,
            }
            for user_id in user_ids
            for n in range(times_each)
        ],
    )
    # Planning also takes up whatever else is due by now (the demo residents' reminders,
    # if no worker planned them yet): count only these residents' rows.
    schedule.plan(session=session, now=now)
    session.commit()
    reminders = ReminderOccurrence.__table__
    ours = session.execute(
        select(func.count()).select_from(reminders).where(reminders.c.recipient_id.in_(user_ids))
    ).scalar_one()
    assert ours == residents * times_each
    return ours
