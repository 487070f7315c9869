"""Nära as a service, run the way `make run` runs it (``naranara run``, see conftest.app_url).

- A resident's reminder due in two minutes reaches a push receiver (VAPID checked, RFC 8291
  decrypted) with nothing started but that one command.
- /readyz fails while the reminder worker hangs, Aviseringar tells residents that reminders
  may be late, and once the worker is killed supervisord starts it again, says so in the
  log, and /readyz is ready again.
- Reflex's paths that log request headers and event arguments (an unknown handler, event
  data sent as a string, a socket without a token, an argument of the wrong type) write
  no cookie, password, code or personnummer to the server's log.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from pathlib import Path

import httpx
import pytest
import socketio
from playwright.sync_api import Page, expect

from naranara import clock
from naranara.settings import DISPLAY_TIMEZONE
from tests.e2e.browser import ARTIFACTS, assert_accessible, screenshot, sign_in, wait_for_app
from tests.e2e.conftest import WORKER_STALE_SECONDS
from tests.utils.push_receiver import PushReceiver

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
LOG = ARTIFACTS / "app-server.log"
USERNAME, PASSWORD = "olle", "olles-eget-losenord"
TASK = "Ta medicinen"

_ADD_OLLE = """
import json, sys
from datetime import UTC, timedelta
from naranara import clock
from naranara.settings import DISPLAY_TIMEZONE
from naranara.db import session_scope
from naranara.models import Role, SelfCareTask
from naranara.services import push_subscriptions
from naranara.services.accounts import create_user
subscription, time_of_day = json.loads(sys.argv[1]), sys.argv[2]
with session_scope() as db:
    olle = create_user(session=db, username="olle", display_name="Olle Berg",
                       role=Role.RESIDENT, password="olles-eget-losenord")
    # No quiet hours: the test must pass at any hour.
    push_subscriptions.update_settings(session=db, user_id=olle.id, quiet_from="00:00",
                                       quiet_until="00:00", detailed_text=False)
    push_subscriptions.save(session=db, user_id=olle.id, endpoint=subscription["endpoint"],
                            p256dh=subscription["keys"]["p256dh"],
                            auth=subscription["keys"]["auth"], label="Chrome, Android",
                            allow_local=True)
    db.add(SelfCareTask(resident_id=olle.id, title="Ta medicinen", recurrence="RRULE:FREQ=DAILY",
                        time_of_day=time_of_day, starts_on=clock.today() - timedelta(days=1)))
"""


def _log_text() -> str:
    """The server's log as text. supervisord copies each program's output as the bytes
    arrive, so where web and worker write at once a character's bytes can be split."""
    return LOG.read_text(errors="replace")


def _readyz(app_url: str) -> tuple[int, dict]:
    response = httpx.get(f"{app_url}/readyz", timeout=10)
    return response.status_code, response.json()


def _until(what: str, check, timeout: float):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    raise AssertionError(f"never happened within {timeout:.0f} s: {what}")


def _newest_worker(app_data_dir: Path) -> tuple[str, int]:
    with sqlite3.connect(app_data_dir / "nara.db") as db:
        return db.execute(
            "SELECT worker_id, pid FROM worker_heartbeat ORDER BY beat_at DESC LIMIT 1"
        ).fetchone()


def test_health_answers_at_once(app_url: str) -> None:
    response = httpx.get(f"{app_url}/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response.headers["cache-control"] == "no-store"
    status, body = _until("ready", lambda: (r := _readyz(app_url))[0] == 200 and r, 60)
    assert body["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "reminder_worker": "ok",
        "redis": "not configured",
    }


def test_a_reminder_due_in_two_minutes_arrives(
    app_url: str, app_data_dir: Path, clock_file: Path
) -> None:
    """Nothing started but the supervisor: the worker plans the task and sends its push."""
    with PushReceiver() as receiver:
        subscription = receiver.new_subscription()
        # Two to three minutes on in UTC, then Stockholm time: on the night summer time
        # starts this is a wall-clock time that exists. On the night it ends, a daily
        # task's time in the repeated hour names its first pass (services/self_care), an
        # hour gone by the second: then the first wall-clock time that happens once.
        at = clock.now() + timedelta(minutes=3)
        while True:
            due = at.astimezone(DISPLAY_TIMEZONE).replace(second=0, microsecond=0)
            if due.replace(fold=0).astimezone(UTC) == due.astimezone(UTC):
                break
            at += timedelta(minutes=1)
        env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
        subprocess.run(
            [sys.executable, "-c", _ADD_OLLE, json.dumps(subscription.info), f"{due:%H:%M}"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        # The server's clock moves on to a few seconds before the reminder is due (time is
        # an input; the run need not wait minutes): a jump of more than the worker's minute
        # between plans, so it plans at once, and it sends when the time comes.
        clock.write_clock_file(clock_file, due.astimezone(UTC) - timedelta(seconds=5))
        deliveries = _until(
            "the reminder reached the push receiver",
            lambda: receiver.deliveries_to(subscription.endpoint),
            60,
        )
    [delivery] = deliveries
    message = delivery.message
    assert (message["title"], message["body"]) == ("Nära", "Du har en påminnelse från Nära")
    assert [action["action"] for action in message["actions"]] == ["done", "snooze", "open"]
    assert TASK not in json.dumps(message, ensure_ascii=False)  # lock-screen privacy default
    assert receiver.rejections == []


def test_a_hung_worker_makes_readyz_fail_and_a_killed_one_is_restarted(
    app_url: str, app_data_dir: Path, page: Page
) -> None:
    _until("ready", lambda: _readyz(app_url)[0] == 200, 60)
    worker_id, pid = _newest_worker(app_data_dir)
    os.kill(pid, signal.SIGSTOP)  # hung: alive to the supervisor, silent to everyone else
    try:
        status, body = _until(
            "/readyz reports the silent worker",
            lambda: (r := _readyz(app_url))[0] == 503 and r,
            WORKER_STALE_SECONDS * 4,
        )
        assert body["checks"]["reminder_worker"] == "stale"
        assert body["status"] == "not ready"

        # Residents are told, in plain Swedish, on Profil → Aviseringar.
        sign_in(page, app_url)
        page.goto(f"{app_url}/profil/aviseringar")
        wait_for_app(page)
        warning = page.get_by_role("status").filter(has_text="Påminnelser kan komma sent just nu.")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("Dina tider och uppgifter finns kvar här i appen.")
        screenshot(page, "notifications-reminders-may-be-late")
        assert_accessible(page)
    finally:
        os.kill(pid, signal.SIGKILL)

    _until("/readyz ready again", lambda: _readyz(app_url)[0] == 200, 60)
    new_id, new_pid = _newest_worker(app_data_dir)
    assert (new_id, new_pid) != (worker_id, pid)
    log = _log_text()
    assert "exited: worker (terminated by SIGKILL; not expected)" in log
    assert f"spawned: 'worker' with pid {new_pid}" in log

    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Aviseringar")
    expect(page.get_by_text("Påminnelser kan komma sent just nu.")).to_have_count(0)


# What must never reach the log, sent where Reflex logs headers and arguments.
PASSWORD_SENT = "hemligt lösenord 123"
CODE_SENT = "Inv1tAti0nC0deXYZ0987"
PERSONNUMMER_SENT = "19121212-1212"


async def _provoke(app_url: str, cookie: str) -> None:
    from naranara.states.notifications import NotificationsState

    headers = {"Cookie": cookie, "Origin": app_url}
    payload = {
        "form_data": {"username": "anna", "password": PASSWORD_SENT, "code": CODE_SENT},
        "personnummer": PERSONNUMMER_SENT,
    }
    router = {"pathname": "/profil/aviseringar", "query": {}, "asPath": "/profil/aviseringar"}
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        f"{app_url}?token={uuid.uuid4()}",
        headers=headers,
        transports=["websocket"],
        socketio_path="/_event",
        namespaces=["/_event"],
    )
    # A handler that does not exist (a page left open across a release that renamed it).
    await client.emit(
        "event",
        {"name": "reflex___state____state.gone_handler", "payload": payload, "router_data": router},
        namespace="/_event",
    )
    # Event data as a string, which Reflex logs whole.
    await client.emit(
        "event",
        json.dumps({"name": "reflex___state____state.gone", "payload": payload}),
        namespace="/_event",
    )
    # A real handler with an argument of the wrong type: Reflex logs the conversion error.
    await client.emit(
        "event",
        {
            "name": f"{NotificationsState.get_full_name()}.remove_device",
            "payload": {"subscription_id": PERSONNUMMER_SENT},
            "router_data": router,
        },
        namespace="/_event",
    )
    await asyncio.sleep(2)
    await client.disconnect()
    # A socket without a token: Reflex logs the data of every event it sends.
    anonymous = socketio.AsyncClient(reconnection=False)
    await anonymous.connect(
        app_url,
        headers=headers,
        transports=["websocket"],
        socketio_path="/_event",
        namespaces=["/_event"],
    )
    await anonymous.emit("event", {"name": "x", "payload": payload}, namespace="/_event")
    await asyncio.sleep(1)
    await anonymous.disconnect()


def test_no_secret_reaches_the_log(app_url: str, page: Page) -> None:
    sign_in(page, app_url)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    session, device = cookies["nara_session"], cookies["nara_device"]
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    before = LOG.stat().st_size
    assert _readyz(app_url)[0] == 200  # a request of this test's own, for its log line
    # Playwright's sync API holds this thread's event loop: the socket client runs in its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _provoke(app_url, cookie)).result(timeout=60)
    time.sleep(1)
    with LOG.open(errors="replace") as log:
        log.seek(before)
        written = log.read()
    # Each path did log something (else this test would prove nothing)…
    assert "No registered handler found for event" in written, written[-3000:]
    assert "Received event data as a string" in written
    assert (
        "Error transforming event payload for handler NotificationsState.remove_device" in written
    )
    assert "no associated token" in written
    assert "[redacted]" in written
    # …and none of it holds a secret.
    for what, secret in {
        "session cookie": session,
        "device cookie": device,
        "password": PASSWORD_SENT,
        "invitation code": CODE_SENT,
        "personnummer": PERSONNUMMER_SENT,
    }.items():
        assert secret not in written, f"the {what} was written to the server's log"
    # One line per request and per event, with route or handler, status and time.
    assert " naranara.http: GET /readyz 200 " in written
    assert " naranara.events: event NotificationsState.remove_device ok " in written
