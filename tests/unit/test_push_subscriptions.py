"""Devices for reminders: what a browser may register, refreshing, removing, and settings."""

from __future__ import annotations

import base64
import os

import pytest
from sqlmodel import Session, select

from naranara.inputs import InputInvalid
from naranara.models import NotificationSettings, PushSubscription, User
from naranara.services import push_subscriptions
from naranara.services.push_subscriptions import EndpointTaken, InvalidSubscription
from tests.utils.factories import make_user

ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def keys() -> dict[str, str]:
    return {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": b64url(os.urandom(16))}


@pytest.fixture
def anna(db: Session) -> User:
    return make_user(db, username="anna")


@pytest.fixture
def bo(db: Session) -> User:
    return make_user(db, username="bo")


def test_a_browser_is_saved_once_and_refreshed_on_the_next_save(db: Session, anna: User) -> None:
    first = push_subscriptions.save(
        session=db, user_id=anna.id, endpoint=ENDPOINT, label="Chrome, Android", **keys()
    )
    again_keys = keys()
    again = push_subscriptions.save(session=db, user_id=anna.id, endpoint=ENDPOINT, **again_keys)
    assert again.id == first.id
    assert again.p256dh == again_keys["p256dh"]
    assert again.last_seen_at >= first.last_seen_at
    assert len(db.exec(select(PushSubscription)).all()) == 1


def test_nobody_takes_over_another_persons_device(db: Session, anna: User, bo: User) -> None:
    annas_keys = keys()
    push_subscriptions.save(session=db, user_id=anna.id, endpoint=ENDPOINT, **annas_keys)
    with pytest.raises(EndpointTaken):
        push_subscriptions.save(session=db, user_id=bo.id, endpoint=ENDPOINT, **keys())
    assert push_subscriptions.renew(session=db, user_id=bo.id, endpoint=ENDPOINT, **keys()) is None
    row = db.exec(select(PushSubscription)).one()
    assert (row.user_id, row.p256dh) == (anna.id, annas_keys["p256dh"])
    assert push_subscriptions.devices(session=db, user_id=bo.id) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.com/send/1",  # not https
        "http://127.0.0.1:8080/push/1",  # local only when the setting allows it
        "https:///no-host",
        "https://user:pw@push.example.com/1",
        "javascript:alert(1)",
        "https://push.example.com/" + "a" * 1100,
        "https://püsh.example.com/1",
        None,
        42,
    ],
)
def test_only_https_push_endpoints_are_accepted(db: Session, anna: User, endpoint: object) -> None:
    with pytest.raises(InvalidSubscription):
        push_subscriptions.save(session=db, user_id=anna.id, endpoint=endpoint, **keys())
    assert db.exec(select(PushSubscription)).all() == []


def test_a_local_endpoint_is_accepted_when_allowed(db: Session, anna: User) -> None:
    row = push_subscriptions.save(
        session=db,
        user_id=anna.id,
        endpoint="http://127.0.0.1:8123/push/1",
        allow_local=True,
        **keys(),
    )
    assert row.endpoint.startswith("http://127.0.0.1")
    with pytest.raises(InvalidSubscription):
        push_subscriptions.check_endpoint("http://push.example.com/1", allow_local=True)


@pytest.mark.parametrize(
    ("p256dh", "auth"),
    [
        (b64url(b"\x04" + os.urandom(63)), b64url(os.urandom(16))),  # one byte short
        (b64url(b"\x02" + os.urandom(64)), b64url(os.urandom(16))),  # compressed point
        (b64url(b"\x04" + os.urandom(64)), b64url(os.urandom(15))),
        ("not base64!", b64url(os.urandom(16))),
        (b64url(b"\x04" + os.urandom(64)), None),
    ],
    # Named, not by their random bytes: every pytest-xdist worker must collect the same ids.
    ids=["one-byte-short", "compressed-point", "short-auth", "not-base64", "no-auth"],
)
def test_keys_of_the_wrong_size_are_refused(
    db: Session, anna: User, p256dh: object, auth: object
) -> None:
    with pytest.raises(InvalidSubscription):
        push_subscriptions.save(
            session=db, user_id=anna.id, endpoint=ENDPOINT, p256dh=p256dh, auth=auth
        )


def test_renew_refreshes_only_a_device_that_is_on(db: Session, anna: User) -> None:
    assert (
        push_subscriptions.renew(session=db, user_id=anna.id, endpoint=ENDPOINT, **keys()) is None
    )
    row = push_subscriptions.save(session=db, user_id=anna.id, endpoint=ENDPOINT, **keys())
    renewed = push_subscriptions.renew(session=db, user_id=anna.id, endpoint=ENDPOINT, **keys())
    assert renewed is not None and renewed.id == row.id


def test_renew_moves_a_device_to_its_new_endpoint(db: Session, anna: User, bo: User) -> None:
    row = push_subscriptions.save(session=db, user_id=anna.id, endpoint=ENDPOINT, **keys())
    new = ENDPOINT + "-new"
    # Bo's row cannot be moved by Anna naming it.
    push_subscriptions.save(session=db, user_id=bo.id, endpoint=ENDPOINT + "-bo", **keys())
    assert (
        push_subscriptions.renew(
            session=db, user_id=anna.id, endpoint=new, replaces=ENDPOINT + "-bo", **keys()
        )
        is None
    )
    # Nor can Anna's device move onto Bo's endpoint.
    with pytest.raises(EndpointTaken):
        push_subscriptions.renew(
            session=db, user_id=anna.id, endpoint=ENDPOINT + "-bo", replaces=ENDPOINT, **keys()
        )
    moved = push_subscriptions.renew(
        session=db, user_id=anna.id, endpoint=new, replaces=ENDPOINT, **keys()
    )
    assert moved is not None and moved.id == row.id and moved.endpoint == new
    assert [d.id for d in push_subscriptions.devices(session=db, user_id=anna.id)] == [row.id]


def test_only_own_devices_are_removed(db: Session, anna: User, bo: User) -> None:
    annas = push_subscriptions.save(session=db, user_id=anna.id, endpoint=ENDPOINT, **keys())
    assert not push_subscriptions.remove(session=db, user_id=bo.id, subscription_id=annas.id)
    assert not push_subscriptions.remove_endpoint(session=db, user_id=bo.id, endpoint=ENDPOINT)
    assert push_subscriptions.remove(session=db, user_id=anna.id, subscription_id=annas.id)
    assert push_subscriptions.devices(session=db, user_id=anna.id) == []


def test_settings_default_to_quiet_nights_and_a_private_lock_screen(
    db: Session, anna: User
) -> None:
    found = push_subscriptions.notification_settings(session=db, user_id=anna.id)
    assert (found.quiet_from, found.quiet_until, found.detailed_text) == ("21:00", "07:00", False)
    assert db.get(NotificationSettings, anna.id) is None  # defaults are not stored


def test_settings_are_saved_and_times_read_the_swedish_way(db: Session, anna: User) -> None:
    push_subscriptions.update_settings(
        session=db, user_id=anna.id, quiet_from="22.30", quiet_until="6:15", detailed_text=True
    )
    found = push_subscriptions.notification_settings(session=db, user_id=anna.id)
    assert (found.quiet_from, found.quiet_until, found.detailed_text) == ("22:30", "06:15", True)


@pytest.mark.parametrize("bad", ["24:00", "7", "", "kväll", None, "21:60"])
def test_a_time_that_is_not_a_time_is_refused(db: Session, anna: User, bad: object) -> None:
    with pytest.raises(InputInvalid) as refused:
        push_subscriptions.update_settings(
            session=db, user_id=anna.id, quiet_from=bad, quiet_until="07:00", detailed_text=False
        )
    assert set(refused.value.errors) == {"quiet_from"}
    assert db.get(NotificationSettings, anna.id) is None


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Mobile Safari/537.36",
            "Chrome, Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari, iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox, Windows",
        ),
        ("", ""),
    ],
)
def test_devices_get_a_name_a_person_recognises(agent: str, label: str) -> None:
    assert push_subscriptions.device_label(agent) == label
