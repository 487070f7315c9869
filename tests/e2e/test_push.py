"""Reminders end to end: the real service worker, a real encrypted push, a real button.

Headless Chromium cannot subscribe to a push service without the internet, so the
page's ``PushManager.subscribe`` is replaced by one that returns a subscription on
a local push receiver (tests/utils/push_receiver.py), with keys the test holds. The
server then sends a real push (VAPID-signed, RFC 8291-encrypted) to the receiver,
which checks and decrypts it; the test hands that very message to the real service
worker through the DevTools Protocol and presses "Klart" with the worker's own handler.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import (
    PHONE,
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.utils.push_receiver import BrowserSubscription, PushReceiver

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

USERNAME, PASSWORD = "pia", "pias-eget-losenord"
TASK = "Ta blodtrycket"
PRIVATE_TEXT = "Du har en påminnelse från Nära"

_ADD_PIA = f"""
from datetime import date, timedelta
from naranara import clock
from naranara.db import session_scope
from naranara.models import Role, SelfCareTask
from naranara.services.accounts import create_user
with session_scope() as db:
    pia = create_user(session=db, username="{USERNAME}", display_name="Pia Persson",
                      role=Role.RESIDENT, password="{PASSWORD}")
    db.add(SelfCareTask(resident_id=pia.id, title="{TASK}", recurrence="RRULE:FREQ=DAILY",
                        time_of_day="00:01", starts_on=clock.today() - timedelta(days=1)))
"""

# A self-care reminder for today's occurrence, due now, as the planner would write it.
_DUE_REMINDER = f"""
from datetime import timedelta
from sqlmodel import select
from naranara import clock
from naranara.db import session_scope
from naranara.models import ReminderKind, ReminderOccurrence, ReminderStatus, User
from naranara.services import self_care
from naranara.settings import DISPLAY_TIMEZONE
now = clock.now()
with session_scope() as db:
    pia = db.exec(select(User).where(User.username == "{USERNAME}")).one()
    today = now.astimezone(DISPLAY_TIMEZONE).date()
    due = self_care.occurrences_on(session=db, resident_id=pia.id, day=today)[0]
    db.add(ReminderOccurrence(
        key=f"e2e:{{due.task_id}}:{{due.at.isoformat()}}", recipient_id=pia.id,
        resident_id=pia.id, kind=ReminderKind.SELF_CARE, task_id=due.task_id,
        occurrence_at=due.at, offset="at_time", due_at=now, send_after=now,
        expires_at=now + timedelta(hours=1), status=ReminderStatus.PENDING))
"""


def _run(app_data_dir: Path, *args: str) -> str:
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def resident(app_url: str, app_data_dir: Path) -> str:
    """A resident of this module's own, with one self-care task every day."""
    _run(app_data_dir, "-c", _ADD_PIA)
    return USERNAME


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


def _fake_push_manager(subscription: BrowserSubscription) -> str:
    """The page's PushManager hands out ``subscription`` (the service worker's stays real)."""
    info = json.dumps(subscription.info)
    return f"""(() => {{
        const info = {info};
        let current = null;
        const make = () => ({{
            endpoint: info.endpoint, expirationTime: null, options: {{userVisibleOnly: true}},
            toJSON: () => ({{endpoint: info.endpoint, expirationTime: null, keys: info.keys}}),
            unsubscribe: async () => {{ current = null; return true; }},
        }});
        PushManager.prototype.subscribe = async function () {{ current = make(); return current; }};
        PushManager.prototype.getSubscription = async function () {{ return current; }};
    }})();"""


def _until(page: Page, script: str, arg: object = None, *, what: str) -> object:
    """The first truthy result of an async page script, tried again for up to 15 s.

    (``wait_for_function`` does not await a promise: it would take one as truthy.)
    """
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        result = page.evaluate(script, arg)
        if result:
            return result
        page.wait_for_timeout(100)
    raise AssertionError(f"never happened: {what}")


def _wait_for_worker(page: Page) -> None:
    """Until push.js has registered /sw.js and the worker is active."""
    _until(
        page,
        """async () => {
            const registration = await navigator.serviceWorker.getRegistration("/");
            return !!(registration && registration.active);
        }""",
        what="the service worker is active",
    )


def _registration_id(page: Page, context: BrowserContext, origin: str) -> tuple[object, str]:
    """The CDP session and the live registration id of the app's service worker."""
    _wait_for_worker(page)
    cdp = context.new_cdp_session(page)
    found: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        live = [r for r in found if r["scopeURL"] == origin + "/" and not r["isDeleted"]]
        if live:
            return cdp, live[-1]["registrationId"]
        page.wait_for_timeout(100)
    raise AssertionError(f"no service worker registration for {origin}: {found}")


def _deliver(page: Page, cdp: object, origin: str, registration: str, message: dict) -> dict:
    """Hand a decrypted push to the real service worker; the notification it showed."""
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration, "data": json.dumps(message)},
    )
    return _until(
        page,
        """async (tag) => {
            const registration = await navigator.serviceWorker.ready;
            const [n] = await registration.getNotifications({tag});
            return n && {title: n.title, body: n.body, tag: n.tag, data: n.data,
                         actions: n.actions.map(a => a.action)};
        }""",
        message["tag"],
        what=f"a notification tagged {message['tag']}",
    )


def _wait_for_deliveries(receiver: PushReceiver, endpoint: str, count: int) -> list[dict]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(receiver.deliveries_to(endpoint)) < count:
        time.sleep(0.1)
    deliveries = receiver.deliveries_to(endpoint)
    assert len(deliveries) >= count, (receiver.rejections, receiver.answered)
    return [d.message for d in deliveries]


def test_the_app_can_be_installed(browser: Browser, app_url: str, tmp_path: Path) -> None:
    # A context with a profile of its own: Chromium never offers to install from incognito.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path="/usr/bin/chromium",
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        locale="sv-SE",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(app_url)
        wait_for_app(page)
        expect(page.locator("link[rel=manifest]")).to_have_attribute(
            "href", "/manifest.webmanifest"
        )
        expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#0f5f5c")
        expect(page.locator("link[rel=apple-touch-icon]")).to_have_count(1)
        _wait_for_worker(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()
    data = httpx.get(f"{app_url}/manifest.webmanifest").json()
    assert (data["name"], data["start_url"], data["display"]) == ("Nära", "/", "standalone")
    assert any(icon["purpose"] == "maskable" for icon in data["icons"])


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/sw.js", "javascript"),
        ("/push.js", "javascript"),
        ("/offline.js", "javascript"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ],
)
def test_worker_and_manifest_are_never_served_stale(app_url: str, path: str, kind: str) -> None:
    response = httpx.get(app_url + path)
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert response.headers["cache-control"] == "no-cache"


def test_the_worker_leaves_the_apps_own_traffic_alone(app_url: str) -> None:
    response = httpx.get(f"{app_url}/sw.js")
    assert response.status_code == 200
    served = response.text
    # It is the worker (minified by the build: naranara/frontend_plugins.py), listening
    # the way it does for what it handles ...
    assert re.search(r"self\.addEventListener\([\"'`]push[\"'`]", served)
    # ... and its fetch handler (issue 15: Nära without signal) returns before answering
    # anything on the list it never touches: /_event, /_upload and /ping go untouched, and
    # so do sign-in, push and exports. tests/e2e/test_offline.py checks it in Chromium.
    source = (ROOT / "assets" / "sw.js").read_text()
    for script in (source, served):
        [never] = re.findall(r"\bNEVER ?= ?\[(.*?)\]", script, flags=re.S)
        for path in ("_event", "_upload", "ping", "auth", "push", "export", "kalender"):
            assert f"/^\\/{path}" in never, path
    assert re.search(r"NEVER\.some\(.*\)\) \{\s*return;", source), "the list is used first"


def test_turning_reminders_on_and_answering_one(
    page: Page,
    context: BrowserContext,
    app_url: str,
    app_data_dir: Path,
    resident: str,
    receiver: PushReceiver,
) -> None:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(app_url))
    subscription = receiver.new_subscription()
    context.grant_permissions(["notifications"], origin=origin)
    context.add_init_script(_fake_push_manager(subscription))
    sign_in(page, app_url, username=resident, password=PASSWORD)
    page.goto(f"{app_url}/profil")
    wait_for_app(page)
    page.get_by_role("link", name="Ställ in påminnelser").click()
    page.wait_for_url(f"{app_url}/profil/aviseringar")
    wait_for_app(page)

    # First the explanation and the button; nothing is asked before the tap.
    expect(page.get_by_role("heading", level=1)).to_have_text("Aviseringar")
    turn_on = page.get_by_role("button", name="Slå på påminnelser")
    expect(turn_on).to_be_visible()
    expect(page.get_by_text("Ingen enhet får påminnelser än.")).to_be_visible()
    screenshot(page, "notifications-before")
    assert_accessible(page)
    assert small_touch_targets(page) == []

    turn_on.click()
    this_device = page.get_by_role("region", name="Den här enheten")
    expect(this_device).to_contain_text("Påminnelser är på i den här enheten.")
    devices = page.get_by_role("region", name="Dina enheter")
    expect(devices.get_by_role("listitem")).to_have_count(1)
    expect(devices.get_by_role("listitem")).to_contain_text("Chrome, Linux")
    expect(devices.get_by_role("listitem")).to_contain_text("Senaste påminnelse: Inte än")
    screenshot(page, "notifications-on")
    assert_accessible(page)
    assert small_touch_targets(page) == []

    # "Skicka testavisering": the server pushes at once, to the receiver, encrypted.
    devices.get_by_role("button", name="Skicka testavisering").click()
    expect(page.get_by_text("En testavisering är på väg.")).to_be_visible()
    [test_message] = _wait_for_deliveries(receiver, subscription.endpoint, 1)
    assert test_message["title"] == "Nära"
    # The device now says when it last got one: a day and a time, no longer "Inte än".
    # (The pattern runs in the browser, where \w knows no å, ä or ö.)
    expect(devices.get_by_role("listitem")).to_contain_text(
        re.compile(r"Senaste påminnelse: [a-zåäö]+dag \d{1,2} [a-zåäö]+ kl\. \d\d\.\d\d")
    )
    devices.scroll_into_view_if_needed()
    screenshot(page, "notifications-devices")

    cdp, registration = _registration_id(page, context, origin)
    shown = _deliver(page, cdp, origin, registration, test_message)
    assert (shown["title"], shown["body"]) == (test_message["title"], test_message["body"])
    assert shown["actions"] == ["open"]

    # A self-care reminder, sent by the worker: private text on the lock screen by default.
    _run(app_data_dir, "-c", _DUE_REMINDER)
    _run(app_data_dir, "-m", "naranara.cli", "worker", "--once", "--no-plan")
    messages = _wait_for_deliveries(receiver, subscription.endpoint, 2)
    reminder = next(m for m in messages if "done" in [a["action"] for a in m["actions"]])
    assert TASK not in json.dumps(reminder, ensure_ascii=False)
    shown = _deliver(page, cdp, origin, registration, reminder)
    assert (shown["title"], shown["body"]) == ("Nära", PRIVATE_TEXT)
    # Every button is sent; the platform shows as many as it can (Linux: two).
    assert [a["action"] for a in reminder["actions"]] == ["done", "snooze", "open"]
    shown_at_most = page.evaluate("Notification.maxActions")
    assert shown["actions"] == ["done", "snooze", "open"][:shown_at_most]
    assert shown["data"]["token"] == reminder["token"]

    # "Klart", pressed through the worker's own click handler (CDP cannot click a
    # notification): it posts the token and opens nothing.
    workers = context.service_workers or [context.wait_for_event("serviceworker")]
    worker = next(w for w in workers if w.url.endswith("/sw.js"))
    outcome = worker.evaluate(
        """async (tag) => {
            const [n] = await self.registration.getNotifications({tag});
            return handleNotificationClick(n, "done");
        }""",
        reminder["tag"],
    )
    assert outcome == "answered"
    cdp.detach()
    page.goto(app_url)
    task = page.get_by_role("checkbox", name=re.compile(TASK))
    expect(task).to_have_attribute("aria-checked", "true", timeout=15_000)
    screenshot(page, "home-after-done-from-notification")

    # Taken away in the list: this browser stays off when the app opens again.
    page.goto(f"{app_url}/profil/aviseringar")
    wait_for_app(page)
    page.get_by_role("button", name="Ta bort Chrome, Linux").click()
    expect(page.get_by_text("Enheten är borttagen.")).to_be_visible()
    expect(page.get_by_text("Ingen enhet får påminnelser än.")).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Slå på påminnelser")).to_be_visible()
    expect(page.get_by_text("Ingen enhet får påminnelser än.")).to_be_visible()


def test_on_an_iphone_the_home_screen_comes_first(
    browser: Browser, app_url: str, resident: str
) -> None:
    iphone = browser.new_context(
        viewport=PHONE,
        locale="sv-SE",
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    )
    try:
        page = iphone.new_page()
        sign_in(page, app_url, username=resident, password=PASSWORD)
        page.goto(f"{app_url}/profil/aviseringar")
        wait_for_app(page)
        this_device = page.get_by_role("region", name="Den här enheten")
        expect(this_device).to_contain_text("Välj Lägg till på hemskärmen.")
        expect(this_device.get_by_role("button")).to_have_count(0)  # nothing to ask yet
        screenshot(page, "notifications-iphone")
        assert_accessible(page)
    finally:
        iphone.close()


def test_settings_keep_what_was_typed_and_explain(page: Page, app_url: str, resident: str) -> None:
    sign_in(page, app_url, username=resident, password=PASSWORD)
    page.goto(f"{app_url}/profil/aviseringar")
    wait_for_app(page)
    settings = page.get_by_role("region", name="När och hur")
    expect(settings.get_by_label("Från", exact=True)).to_have_value("21:00")
    expect(settings.get_by_label("Till", exact=True)).to_have_value("07:00")
    expect(settings.get_by_label("Bara ”Du har en påminnelse från Nära”")).to_be_checked()
    settings.get_by_label("Från", exact=True).fill("22:30")
    settings.get_by_label("Vad påminnelsen gäller, till exempel ”Väg dig”").check()
    settings.get_by_role("button", name="Spara").click()
    expect(settings.get_by_role("status")).to_have_text("Sparat.")
    page.reload()
    wait_for_app(page)
    settings = page.get_by_role("region", name="När och hur")
    expect(settings.get_by_label("Från", exact=True)).to_have_value("22:30")
    expect(settings.get_by_label("Vad påminnelsen gäller, till exempel ”Väg dig”")).to_be_checked()
    assert_accessible(page)
    assert small_touch_targets(page) == []
