"""Profil → Aviseringar as the page uses it: devices, the test button, settings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from naranara import clock
from naranara.db import session_scope
from naranara.models import NotificationSettings, PushSubscription, ReminderOccurrence, User
from naranara.services import push_subscriptions, sessions
from naranara.states.notifications import NotificationsState
from tests.states.conftest import session_cookie_for, state_for
from tests.utils.push_receiver import PushReceiver

pytestmark = [
    pytest.mark.usefixtures("seeded_db"),
    pytest.mark.time_sensitive,
]
PATH = "/profil/aviseringar"


def _user(username: str) -> User:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one()


def _run(state, name: str, *args):  # noqa: ANN001, ANN202
    result = type(state).event_handlers[name].fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def _state(username: str | None = "anna") -> NotificationsState:
    cookie = session_cookie_for(username) if username else ""
    return state_for(NotificationsState, cookie=cookie, path=PATH)


def _add_device(user: User, endpoint: str, label: str = "Chrome, Android") -> int:
    subscription = PushReceiver().new_subscription()
    with session_scope() as db:
        row = push_subscriptions.save(
            session=db,
            user_id=user.id,
            endpoint=endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            label=label,
        )
        return row.id


def test_the_page_shows_own_devices_and_the_default_settings() -> None:
    _add_device(_user("anna"), "https://push.example.com/anna", "Safari, iPhone")
    _add_device(_user("erik"), "https://push.example.com/erik", "Firefox, Android")
    state = _state()
    _run(state, "load")
    assert state.allowed
    assert [d.label for d in state.devices] == ["Safari, iPhone"]
    assert state.devices[0].last_delivery == "Inte än"
    assert (state.quiet_from, state.quiet_until, state.detailed_text) == ("21:00", "07:00", False)


def test_signed_out_visitors_get_nothing() -> None:
    anna = _user("anna")
    _add_device(anna, "https://push.example.com/anna", "Safari, iPhone")
    visitor = _state(None)
    _run(visitor, "load")
    assert (visitor.loaded, visitor.allowed, visitor.devices) == (True, False, [])
    # A tab that showed Anna's device, after she signed out everywhere: its next load
    # takes the device away instead of leaving it on screen.
    tab = _state()
    _run(tab, "load")
    assert [d.label for d in tab.devices] == ["Safari, iPhone"]
    with session_scope() as db:
        sessions.end_all_sessions(session=db, user_id=anna.id)
    _run(tab, "load")
    assert (tab.loaded, tab.allowed, tab.devices) == (True, False, [])


@pytest.mark.parametrize(("sent", "shown"), [("on", "on"), ("denied", "denied"), ("<b>", "failed")])
def test_only_known_device_statuses_are_shown(sent: str, shown: str) -> None:
    state = _state()
    _run(state, "show_device_status", sent)
    assert state.device_status == shown


def test_a_device_is_removed_only_by_its_owner() -> None:
    annas = _add_device(_user("anna"), "https://push.example.com/anna")
    erik = _state("erik")
    _run(erik, "load")
    _run(erik, "remove_device", annas)
    assert erik.message == "Det gick inte att spara. Ladda om sidan och försök igen."
    with session_scope() as db:
        assert db.get(PushSubscription, annas) is not None
    anna = _state()
    _run(anna, "load")
    assert [d.id for d in anna.devices] == [annas]
    _run(anna, "remove_device", annas)
    assert anna.devices == [] and "borttagen" in anna.message
    with session_scope() as db:
        assert db.exec(select(PushSubscription)).all() == []


def test_the_test_button_reaches_the_receiver() -> None:
    with PushReceiver() as receiver:
        subscription = receiver.new_subscription()
        with session_scope() as db:
            push_subscriptions.save(
                session=db,
                user_id=_user("anna").id,
                endpoint=subscription.endpoint,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                allow_local=True,
            )
        state = _state()
        _run(state, "load")
        assert state.devices[0].last_delivery == "Inte än"
        with clock.travel(datetime(2026, 3, 3, 13, 30, tzinfo=UTC)):  # 14.30 in Stockholm
            _run(state, "send_test")
        assert state.message.startswith("En testavisering är på väg.")
        [message] = receiver.delivered_messages()
    assert message["title"] == "Nära" and message["actions"][0]["action"] == "open"
    assert state.devices[0].last_delivery == "tisdag 3 mars kl. 14.30"


def test_the_test_button_without_a_device_says_so() -> None:
    state = _state()
    _run(state, "load")
    _run(state, "send_test")
    assert state.message.startswith("Ingen enhet kunde ta emot testaviseringen.")
    with session_scope() as db:
        assert len(db.exec(select(ReminderOccurrence)).all()) == 1  # recorded all the same


def test_settings_keep_what_was_typed_when_refused() -> None:
    state = _state()
    _run(state, "load")
    _run(state, "save_settings", {"quiet_from": "kväll", "quiet_until": "06.30"})
    assert state.errors["quiet_from"].startswith("Skriv tiden som timmar och minuter")
    assert state.errors["quiet_until"] == ""
    assert (state.quiet_from, state.quiet_until) == ("kväll", "06.30")
    with session_scope() as db:
        assert db.get(NotificationSettings, _user("anna").id) is None
    _run(
        state,
        "save_settings",
        {"quiet_from": "22:00", "quiet_until": "06.30", "lock_screen": "detailed"},
    )
    assert state.settings_message == "Sparat."
    assert (state.quiet_from, state.quiet_until, state.detailed_text) == ("22:00", "06:30", True)


def test_the_page_says_when_reminders_may_be_late() -> None:
    """No worker heartbeat, or one older than NARA_WORKER_STALE_SECONDS: say so calmly."""
    from datetime import timedelta

    from naranara import clock
    from naranara.services import health

    state = _state()
    _run(state, "load")
    assert state.reminders_may_be_late  # no worker has ever run here

    def beat(ago: timedelta) -> None:
        with session_scope() as db:
            now = clock.real_now()
            health.record_heartbeat(
                session=db, worker_id="w", host="h", pid=1, started_at=now, now=now - ago
            )

    beat(timedelta(seconds=10))
    _run(state, "load")
    assert not state.reminders_may_be_late
    beat(timedelta(minutes=2))
    _run(state, "load")
    assert state.reminders_may_be_late
