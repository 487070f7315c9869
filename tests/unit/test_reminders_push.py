"""VAPID keys, the push message, the test notification and the notification buttons,
checked against a local push service that verifies and decrypts like a real one."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock
from naranara.models import (
    CheckStatus,
    DeliveryAttempt,
    NotificationSettings,
    ProxyScope,
    PushSubscription,
    ReminderKind,
    ReminderOccurrence,
    ReminderStatus,
    Role,
    SelfCareCheck,
    User,
)
from naranara.reminders import actions, payload, vapid
from naranara.reminders.actions import ActionRefused, action_token, apply_action
from naranara.reminders.dispatcher import send_test_notification
from naranara.services import access
from naranara.settings import Settings, get_settings
from tests.utils.factories import make_task, make_user
from tests.utils.push_receiver import BrowserSubscription, PushReceiver


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


def subscribe(db: Session, user: User, subscription: BrowserSubscription) -> PushSubscription:
    row = PushSubscription(
        user_id=user.id,
        endpoint=subscription.endpoint,
        p256dh=subscription.p256dh,
        auth=subscription.auth,
    )
    db.add(row)
    db.flush()
    return row


# ---------------------------------------------------------------- VAPID


def test_the_vapid_key_is_made_once_kept_private_and_outside_git(migrated: str) -> None:
    data_dir = get_settings().data_dir
    first = vapid.public_key_b64url()
    key_file = data_dir / vapid.KEY_FILE_NAME
    assert key_file.is_file()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    vapid._key.cache_clear()
    assert vapid.public_key_b64url() == first  # read back, not made again
    # 65 bytes, uncompressed P-256 point, as pushManager.subscribe wants it.
    raw = first + "=" * (-len(first) % 4)
    import base64

    assert base64.urlsafe_b64decode(raw)[0] == 4
    assert len(base64.urlsafe_b64decode(raw)) == 65


def test_a_configured_vapid_key_is_used_instead_of_a_file(
    migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from py_vapid import Vapid

    mine = Vapid()
    mine.generate_keys()
    monkeypatch.setenv("NARA_VAPID_PRIVATE_KEY", mine.private_pem().decode())
    get_settings.cache_clear()
    try:
        assert vapid.vapid_key().public_key.public_numbers() == mine.public_key.public_numbers()
        assert not (get_settings().data_dir / vapid.KEY_FILE_NAME).exists()
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "subject", ["nara@example.se", "mailto:nobody", "http://nara.example.se", "https://"]
)
def test_the_vapid_subject_must_be_a_contact(subject: str) -> None:
    with pytest.raises(ValueError, match="vapid_subject"):
        Settings(vapid_subject=subject)


def test_claims_are_fresh_each_time_and_end_within_a_day() -> None:
    one, two = vapid.fresh_claims(), vapid.fresh_claims()
    assert one is not two
    assert one["sub"] == get_settings().vapid_subject
    # Checked by the push service's clock, the machine's, whatever instant the run is at.
    assert 0 < int(one["exp"]) - int(clock.real_now().timestamp()) <= 24 * 3600


# ---------------------------------------------------------------- the test notification


def test_the_test_notification_reaches_every_device_verified_and_decrypted(
    db: Session, receiver: PushReceiver
) -> None:
    anna = make_user(db, username="anna")
    phone, tablet = receiver.new_subscription(), receiver.new_subscription()
    subscribe(db, anna, phone)
    subscribe(db, anna, tablet)
    db.commit()

    assert send_test_notification(db, anna.id) == 2
    db.commit()

    assert receiver.rejections == []
    assert {d.endpoint for d in receiver.deliveries} == {phone.endpoint, tablet.endpoint}
    message = receiver.deliveries[0].message
    assert message["title"] == "Nära"
    assert message["body"] == "Det här är ett test. Påminnelser från Nära når den här enheten."
    assert message["url"] == "/profil/aviseringar"
    assert [a["action"] for a in message["actions"]] == ["open"]
    delivery = receiver.deliveries[0]
    assert delivery.urgency == "high"
    assert int(delivery.ttl) > 0
    assert delivery.topic and len(delivery.topic) <= 32
    assert delivery.vapid_claims["aud"] == receiver.base_url
    row = db.exec(select(ReminderOccurrence)).one()
    assert (row.kind, row.status) == (ReminderKind.TEST, ReminderStatus.SENT)
    assert len(db.exec(select(DeliveryAttempt)).all()) == 2
    assert all(s.last_delivery_at is not None for s in db.exec(select(PushSubscription)))


def test_the_test_notification_removes_a_device_the_push_service_calls_gone(
    db: Session, receiver: PushReceiver
) -> None:
    anna = make_user(db, username="anna")
    alive, dead = receiver.new_subscription(), receiver.new_subscription()
    subscribe(db, anna, alive)
    subscribe(db, anna, dead)
    db.commit()
    receiver.respond(dead.endpoint, 410)

    assert send_test_notification(db, anna.id) == 1
    db.commit()

    assert [s.endpoint for s in db.exec(select(PushSubscription))] == [alive.endpoint]
    codes = sorted(a.status_code for a in db.exec(select(DeliveryAttempt)))
    assert codes == [201, 410]


def test_the_test_notification_without_devices_reaches_nobody(db: Session) -> None:
    anna = make_user(db, username="anna")
    assert send_test_notification(db, anna.id) == 0
    db.commit()
    assert db.exec(select(ReminderOccurrence)).one().status == ReminderStatus.GONE


# ---------------------------------------------------------------- the message


def ledger_row(
    db: Session, recipient: User, resident: User, kind: ReminderKind, **extra: object
) -> ReminderOccurrence:
    now = clock.now()
    row = ReminderOccurrence(
        key=f"{kind.value}:{extra.get('task_id', 0)}:{int(now.timestamp())}:{recipient.id}:x:v0",
        recipient_id=recipient.id,
        resident_id=resident.id,
        kind=kind,
        occurrence_at=extra.pop("occurrence_at", now),
        due_at=now,
        send_after=now,
        expires_at=now + timedelta(hours=2),
        **extra,
    )
    db.add(row)
    db.flush()
    return row


@pytest.mark.parametrize(
    ("locale", "generic", "titles"),
    [
        ("sv", "Du har en påminnelse från Nära", ["Klart", "Påminn om 1 timme", "Öppna"]),
        (
            "en",
            "You have a reminder from Nära",
            ["Mark as done", "Remind me in 1 hour", "Open the app"],
        ),
    ],
)
def test_the_lock_screen_says_only_that_there_is_a_reminder_unless_details_are_chosen(
    db: Session, locale: str, generic: str, titles: list[str]
) -> None:
    anna = make_user(db, username="anna", locale=locale)
    task = make_task(db, anna, title="Ta blodtrycket", time_of_day="08:00")
    at = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    row = ledger_row(db, anna, anna, ReminderKind.SELF_CARE, task_id=task.id, occurrence_at=at)
    source = payload.Source(task=task, resident_name=anna.display_name)

    private = payload.build(row, source, locale=locale, detailed=False, token="t")
    assert (private["title"], private["body"]) == ("Nära", generic)
    assert "blodtryck" not in payload.encode(private)
    assert [a["title"] for a in private["actions"]] == titles
    assert private["url"] == "/egenvard/mina-uppgifter"
    assert private["token"] == "t"

    detailed = payload.build(row, source, locale=locale, detailed=True, token="t")
    assert detailed["title"] == "Ta blodtrycket"
    assert ("08.00" if locale == "sv" else "08:00") in detailed["body"]
    assert detailed["tag"] == private["tag"] == payload.tag_of(row.key)


def test_only_a_self_care_reminder_has_a_done_button(db: Session) -> None:
    anna = make_user(db, username="anna")
    row = ledger_row(db, anna, anna, ReminderKind.AGREED_TIME)
    message = payload.build(row, payload.Source(), locale="sv", detailed=False, token="t")
    assert [a["action"] for a in message["actions"]] == ["snooze", "open"]
    assert message["url"] == "/tider"


def test_topics_and_tags_are_short_stable_and_shared_by_snoozes() -> None:
    key = "agreed_time:12:1795000000:7:two_hours:v3"
    assert payload.topic_of(key) == payload.topic_of(key)
    assert len(payload.topic_of(key)) <= 32
    assert payload.topic_of(key) != payload.topic_of(key + ":snooze1")
    assert payload.tag_of(key) == payload.tag_of(key + ":snooze1")


def test_an_overlong_text_is_shortened_to_fit_one_push() -> None:
    text = payload.encode({"title": "x" * 500, "body": "ö" * 5000, "url": "/", "tag": "t"})
    assert len(text.encode()) <= payload.MAX_PAYLOAD_BYTES


# ---------------------------------------------------------------- the buttons


def test_done_marks_the_occurrence_done_as_the_recipient(db: Session) -> None:
    anna = make_user(db, username="anna")
    task = make_task(db, anna, time_of_day="08:00", starts_on=date(2026, 1, 1))
    at = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    row = ledger_row(db, anna, anna, ReminderKind.SELF_CARE, task_id=task.id, occurrence_at=at)
    db.commit()

    assert apply_action(db, action_token(row), "done") == "/egenvard/mina-uppgifter"
    db.commit()

    check = db.exec(select(SelfCareCheck)).one()
    assert (check.task_id, check.occurrence_at, check.status) == (task.id, at, CheckStatus.DONE)
    assert check.recorded_by_id == anna.id


def test_a_relative_marks_done_only_with_the_self_care_grant(db: Session) -> None:
    anna = make_user(db, username="anna")
    reidar = make_user(db, username="reidar", role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS)
    task = make_task(db, anna, time_of_day="08:00", starts_on=date(2026, 1, 1))
    at = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    row = ledger_row(db, reidar, anna, ReminderKind.SELF_CARE, task_id=task.id, occurrence_at=at)
    db.commit()

    with pytest.raises(ActionRefused):
        apply_action(db, action_token(row), "done")
    db.rollback()
    assert db.exec(select(SelfCareCheck)).all() == []

    access.grant(session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.SELF_CARE)
    db.commit()
    assert (
        apply_action(db, action_token(row), "done")
        == f"/egenvard/mina-uppgifter?invanare={anna.id}"
    )
    db.commit()
    assert db.exec(select(SelfCareCheck)).one().recorded_by_id == reidar.id


def test_done_is_refused_for_an_agreed_time(db: Session) -> None:
    anna = make_user(db, username="anna")
    row = ledger_row(db, anna, anna, ReminderKind.AGREED_TIME)
    db.commit()
    with pytest.raises(ActionRefused):
        apply_action(db, action_token(row), "done")


def test_snooze_makes_one_copy_an_hour_later_however_often_it_is_pressed(db: Session) -> None:
    anna = make_user(db, username="anna")
    # No quiet hours, so the copy is due exactly an hour later whatever the clock says.
    db.add(NotificationSettings(user_id=anna.id, quiet_from="00:00", quiet_until="00:00"))
    row = ledger_row(db, anna, anna, ReminderKind.AGREED_TIME)
    db.commit()
    token = action_token(row)

    before = clock.now()
    assert apply_action(db, token, "snooze") == "/tider"
    db.commit()
    assert apply_action(db, token, "snooze") == "/tider"
    db.commit()

    copies = db.exec(select(ReminderOccurrence).where(ReminderOccurrence.id != row.id)).all()
    assert len(copies) == 1
    copy = copies[0]
    assert copy.key == row.key + ":snooze1"
    assert copy.snoozes == 1
    assert copy.status == ReminderStatus.PENDING
    assert timedelta(minutes=59) < copy.send_after - before <= timedelta(minutes=61)


def test_a_forged_or_expired_token_is_refused(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    anna = make_user(db, username="anna")
    row = ledger_row(db, anna, anna, ReminderKind.AGREED_TIME)
    db.commit()
    token = action_token(row)
    with pytest.raises(ActionRefused):
        apply_action(db, token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], "open")
    with pytest.raises(ActionRefused):
        apply_action(db, token, "delete")
    monkeypatch.setattr(actions, "TOKEN_MAX_AGE", timedelta(seconds=-1))
    with pytest.raises(ActionRefused):
        apply_action(db, token, "open")


def test_a_revoked_relative_cannot_snooze(db: Session) -> None:
    anna = make_user(db, username="anna")
    reidar = make_user(db, username="reidar", role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS)
    row = ledger_row(db, reidar, anna, ReminderKind.AGREED_TIME)
    db.commit()
    access.revoke(
        session=db, resident_id=anna.id, relative_id=reidar.id, scope=ProxyScope.REMINDERS
    )
    db.commit()
    with pytest.raises(ActionRefused):
        apply_action(db, action_token(row), "snooze")


# ---------------------------------------------------------------- the receiver itself


def test_the_receiver_refuses_a_token_for_another_audience_or_a_forged_one(
    migrated: str, receiver: PushReceiver
) -> None:
    from pywebpush import WebPushException, webpush

    device = receiver.new_subscription()
    wrong_audience = {**vapid.fresh_claims(), "aud": "https://push.example.com"}
    with pytest.raises(WebPushException) as refused:
        webpush(
            device.info,
            data="{}",
            vapid_private_key=vapid.vapid_key(),
            vapid_claims=wrong_audience,
            timeout=5,
        )
    assert refused.value.status_code == 401
    headers = vapid.authorization_headers(device.endpoint)
    scheme, _, params = headers["Authorization"].partition(" ")
    token = params.split("t=", 1)[1].split(",", 1)[0]
    forged = headers["Authorization"].replace(
        token, token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    )
    with pytest.raises(WebPushException) as refused:
        webpush(device.info, data="{}", headers={"Authorization": forged}, timeout=5)
    assert refused.value.status_code == 401
    assert receiver.deliveries == []
    assert [reason.split(" ")[0] for reason in receiver.rejections] == ["aud", "bad"]
