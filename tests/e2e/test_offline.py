"""Nära without signal, in real Chromium: the offline page, the offline copy a resident
chose to keep, check-offs made offline that arrive once, the connection banner, and
signing out that leaves nothing behind.

``context.set_offline(True)`` takes the page's network away; a service worker's own
fetches are cut too by aborting every request the worker makes (``_offline``), so the
worker really answers from its caches, as on a phone without signal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.browser import (
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)
from tests.e2e.conftest import WEB_DIR

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# Her own account: the other browser tests share this server and its database.
USERNAME, PASSWORD = "elsa", "elsas-eget-losenord"
TASK = "Gå en promenad"
HEM_TASK = "Ta blodtrycket"  # checked off on Hem without a network
STOPPED_TASK = "Mät vikten"  # checked off on Hem without a network, stopped meanwhile
SYNC_TASK = "Drick ett glas vatten"  # checked off offline, sent by Background Sync
SKIP_TASK = "Läs en stund"  # skipped on Mina uppgifter without a network
CONTACT = "Maria Ek"
PURPOSE = "Hembesök av distriktssköterskan"
IMPORTANT = "Att få fortsätta sjunga i kören."

_ADD_ELSA = f"""
from datetime import timedelta
from naranara import clock
from naranara.db import session_scope
from naranara.models import AgreedTime, CareContact, Role, SelfCareTask
from naranara.services import profile
from naranara.services.accounts import create_user
now = clock.now()
with session_scope() as db:
    elsa = create_user(session=db, username="{USERNAME}", display_name="Elsa Nord",
                       role=Role.RESIDENT, password="{PASSWORD}")
    db.add(SelfCareTask(resident_id=elsa.id, title="{TASK}", recurrence="RRULE:FREQ=DAILY",
                        time_of_day="00:01", starts_on=clock.today() - timedelta(days=1)))
    db.add(SelfCareTask(resident_id=elsa.id, title="{HEM_TASK}", recurrence="RRULE:FREQ=DAILY",
                        time_of_day="00:02", starts_on=clock.today() - timedelta(days=1)))
    db.add(SelfCareTask(resident_id=elsa.id, title="{STOPPED_TASK}",
                        recurrence="RRULE:FREQ=DAILY", time_of_day="00:03",
                        starts_on=clock.today() - timedelta(days=1)))
    db.add(SelfCareTask(resident_id=elsa.id, title="{SYNC_TASK}",
                        recurrence="RRULE:FREQ=DAILY", time_of_day="00:04",
                        starts_on=clock.today() - timedelta(days=1)))
    db.add(SelfCareTask(resident_id=elsa.id, title="{SKIP_TASK}",
                        recurrence="RRULE:FREQ=DAILY", time_of_day="00:05",
                        starts_on=clock.today() - timedelta(days=1)))
    db.add(CareContact(resident_id=elsa.id, name="{CONTACT}", role_title="Distriktssköterska",
                       organisation="Hälsocentralen Haga", phone="+46601234500"))
    db.add(AgreedTime(resident_id=elsa.id, starts_at=now + timedelta(days=2),
                      ends_at=now + timedelta(days=2, minutes=45), purpose="{PURPOSE}",
                      with_whom="{CONTACT}", place="Hemma"))
    profile.save(session=db, resident_id=elsa.id, changes={{"important_to_me": "{IMPORTANT}"}},
                 expected_version=0, changed_by_id=elsa.id)
"""

_CHECKS = f"""
from sqlmodel import select
from naranara.db import session_scope
from naranara.models import CheckOffReceipt, SelfCareCheck, SelfCareTask, User
with session_scope() as db:
    elsa = db.exec(select(User).where(User.username == "{USERNAME}")).one()
    checks = db.exec(select(SelfCareCheck).join(SelfCareTask,
        SelfCareTask.id == SelfCareCheck.task_id).where(SelfCareTask.resident_id == elsa.id)).all()
    receipts = db.exec(select(CheckOffReceipt).where(CheckOffReceipt.sender_id == elsa.id)).all()
    print(len(checks), len(receipts), *(c.status.value for c in checks))
"""


# What waits in the browser's queue (IndexedDB), as offline.js keeps it (opened at the
# version offline.js made, or made as it makes it when no page has yet).
_QUEUE = """async () => await new Promise((resolve, reject) => {
    const open = indexedDB.open("nara-offline");
    open.onupgradeneeded = () => open.result.createObjectStore("check-offs", {keyPath: "key"});
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
        if (!open.result.objectStoreNames.contains("check-offs")) {
            open.result.close();
            resolve([]);
            return;
        }
        const request = open.result.transaction("check-offs").objectStore("check-offs").getAll();
        request.onsuccess = () => { open.result.close(); resolve(request.result); };
    };
})"""


# What assets/sw.js may keep for anyone: the offline page, its files, hashed build files.
SHELL_FILES = {"/utan-nat", "/nara.css", "/offline.js", "/icon.svg", "/icon-192.png"}
BUILD_FILE = re.compile(r"^/assets/.+-[A-Za-z0-9_-]{8,}\.(?:js|mjs|css|woff2?|png|svg|jpg|webp)$")


def _cached_paths(context: BrowserContext, page: Page, app_url: str) -> set[str]:
    """Every path in the app origin's Cache Storage, as DevTools sees it."""
    devtools = context.new_cdp_session(page)
    try:
        names = devtools.send("CacheStorage.requestCacheNames", {"securityOrigin": app_url})
        paths = set()
        for cache in names["caches"]:
            entries = devtools.send(
                "CacheStorage.requestEntries",
                {"cacheId": cache["cacheId"], "skipCount": 0, "pageSize": 1000},
            )
            paths |= {urlsplit(entry["requestURL"]).path for entry in entries["cacheDataEntries"]}
        return paths
    finally:
        devtools.detach()


def _run(app_data_dir: Path, *args: str) -> str:
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def resident(app_url: str, app_data_dir: Path) -> str:
    """A resident of this module's own: a daily task, a contact, a time in two days."""
    _run(app_data_dir, "-c", _ADD_ELSA)
    return USERNAME


def _until(page: Page, script: str, *, what: str, seconds: float = 15) -> object:
    """The first truthy result of an async page script, tried again until ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = page.evaluate(script)
        if result:
            return result
        page.wait_for_timeout(150)
    raise AssertionError(f"never happened: {what}")


def _worker_ready(page: Page) -> None:
    """The worker is active, controls the page, and kept the offline page at install."""
    _until(
        page,
        """async () => {
            const registration = await navigator.serviceWorker.getRegistration("/");
            if (!registration || !registration.active) return false;
            return !!(await caches.match("/utan-nat"));
        }""",
        what="the service worker is active and kept /utan-nat",
    )
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()
        wait_for_app(page)
    assert page.evaluate("() => !!navigator.serviceWorker.controller")


def _turn_on(page: Page, button: str, said: str) -> Locator:
    """Press a keep-on-this-phone toggle that is off; it says so, pressed and in words."""
    keep = page.get_by_role("button", name=button)
    expect(keep).to_have_attribute("aria-pressed", "false")
    keep.click()
    expect(keep).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").filter(has_text=said)).to_be_visible()
    return keep


def _abort_worker_requests(route: Route) -> None:
    if route.request.service_worker is not None:
        route.abort("internetdisconnected")
    else:
        route.continue_()


def _offline(context: BrowserContext, offline: bool) -> None:
    if offline:
        context.set_offline(True)
        context.route("**/*", _abort_worker_requests)
    else:
        context.unroute("**/*", _abort_worker_requests)
        context.set_offline(False)


def _back_online(context: BrowserContext, page: Page) -> None:
    """The network back, and the page told so at once. The page may already be loading
    anew: the worker's Background Sync, or the browser's own "online" event, can send
    the queue first (the page then reloads to show it), and that is what is tested."""
    _offline(context, False)
    try:
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
    except PlaywrightError as error:
        if "Execution context was destroyed" not in str(error):
            raise


def test_the_worker_answers_build_files_and_leaves_the_apps_own_traffic_alone(
    page: Page, app_url: str
) -> None:
    page.goto(f"{app_url}/egenvard")
    wait_for_app(page)
    _worker_ready(page)
    answered: list[tuple[str, bool]] = []
    page.on("response", lambda r: answered.append((r.url, r.from_service_worker)))
    page.reload()
    wait_for_app(page)
    build_files = [kept for url, kept in answered if "/assets/" in url and url.endswith(".js")]
    assert build_files and all(build_files), "hashed build files come from the worker's cache"
    for path in ("/ping", "/push/nyckel", "/utan-nat/avbockningar"):
        with page.expect_response(lambda r, path=path: r.url.endswith(path)) as info:
            page.evaluate("(path) => fetch(path).then((r) => r.status)", path)
        assert info.value.from_service_worker is False, path
    # The socket reached the server through it all: the page has its data.
    expect(page.get_by_role("heading", level=1)).to_have_text("Egenvårdsråd")


def test_a_page_that_cannot_load_shows_the_offline_page_in_swedish(
    page: Page, context: BrowserContext, app_url: str
) -> None:
    page.goto(app_url)
    wait_for_app(page)
    _worker_ready(page)
    _offline(context, True)
    page.goto(f"{app_url}/tider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utan nät just nu")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Det här fungerar utan nät")).to_be_visible()
    # Nobody's data: a signed-out visitor is told how to keep a copy.
    expect(page.get_by_text("Välj Spara på den här telefonen under Profil")).to_be_visible()
    expect(page.get_by_role("heading", name="Dina kontakter")).to_have_count(0)
    screenshot(page, "offline-page")
    assert_accessible(page)
    assert small_touch_targets(page) == []
    _offline(context, False)


def test_the_copy_a_resident_keeps_shows_offline_and_a_check_off_arrives_once(
    page: Page, context: BrowserContext, app_url: str, app_data_dir: Path, resident: str
) -> None:
    sign_in(page, app_url, resident, PASSWORD)
    _worker_ready(page)
    page.goto(f"{app_url}/profil")
    wait_for_app(page)
    _turn_on(page, "Spara på den här telefonen", "Sparat på den här telefonen")
    _until(
        page,
        "async () => !!(await caches.match('/utan-nat/kopia'))",
        what="the worker kept the offline copy",
    )
    screenshot(page, "offline-profile-kept")
    assert_accessible(page)

    _offline(context, True)
    page.goto(f"{app_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utan nät just nu")
    times = page.get_by_role("region", name="Dina överenskomna tider")
    expect(times).to_contain_text(PURPOSE)
    contacts = page.get_by_role("region", name="Dina kontakter")
    expect(contacts).to_contain_text(CONTACT)
    call = contacts.get_by_role("link", name=f"Ring {CONTACT}")
    expect(call).to_have_attribute("href", "tel:+46601234500")
    tasks = page.get_by_role("region", name="Din egenvård")
    expect(tasks).to_contain_text(TASK)
    what_matters = page.get_by_role("region", name="Det här är viktigt för mig")
    expect(what_matters).to_contain_text(IMPORTANT)
    what_matters.scroll_into_view_if_needed()
    screenshot(page, "offline-copy-what-matters")
    expect(page.get_by_text("Uppdaterad i dag")).to_be_visible()
    screenshot(page, "offline-copy")
    assert_accessible(page)
    assert small_touch_targets(page) == []

    tasks.get_by_role("button", name=f"Klar: {TASK}").first.click()
    expect(tasks.get_by_text("Sparas när du har nät igen").first).to_be_visible()
    screenshot(page, "offline-check-off-queued")
    assert _run(app_data_dir, "-c", _CHECKS).split()[:2] == ["0", "0"]
    [queued] = page.evaluate(_QUEUE)
    assert queued["status"] == "done" and len(queued["key"]) == 32

    _back_online(context, page)
    expect(page.get_by_text("Det du bockade av utan nät är nu sparat.")).to_be_visible()
    assert page.evaluate(_QUEUE) == []
    assert _run(app_data_dir, "-c", _CHECKS).split() == ["1", "1", "done"]
    # The same check-off sent again (its answer was lost, another tab sent it too): the
    # server answers as before and counts it once.
    again = page.evaluate(
        """async (item) => {
            const response = await fetch("/utan-nat/avbockningar", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({checkOffs: [item, item]})});
            return (await response.json()).results;
        }""",
        queued,
    )
    assert [(r["outcome"], r["repeated"]) for r in again] == [("recorded", True)] * 2
    assert _run(app_data_dir, "-c", _CHECKS).split() == ["1", "1", "done"]


def test_signing_out_leaves_no_copy_and_no_caches(
    page: Page, context: BrowserContext, app_url: str, resident: str
) -> None:
    sign_in(page, app_url, resident, PASSWORD)
    _worker_ready(page)
    page.goto(f"{app_url}/profil")
    wait_for_app(page)
    keep = page.get_by_role("button", name="Spara på den här telefonen")
    if keep.get_attribute("aria-pressed") == "false":
        keep.click()
    _until(
        page,
        "async () => !!(await caches.match('/utan-nat/kopia'))",
        what="the worker kept the offline copy",
    )
    # A check-off still waiting in the queue when Elsa signs out.
    page.evaluate(
        """async () => await new Promise((resolve) => {
            const open = indexedDB.open("nara-offline");
            open.onupgradeneeded = () => open.result.createObjectStore("check-offs", {keyPath: "key"});
            open.onsuccess = () => {
                const t = open.result.transaction("check-offs", "readwrite");
                t.objectStore("check-offs").put({key: "w".repeat(32), taskId: 1,
                    occurrenceAt: new Date().toISOString(), status: "done"});
                t.oncomplete = () => { open.result.close(); resolve(); };
            };
        })"""
    )
    assert len(page.evaluate(_QUEUE)) == 1
    assert page.evaluate("() => localStorage.getItem('nara-offline-copy')") == "on"
    assert "/utan-nat/kopia" in _cached_paths(context, page, app_url)  # DevTools sees it
    page.get_by_role("button", name="Logga ut", exact=True).click()
    page.wait_for_url(f"{app_url}/")
    wait_for_app(page)
    kept = page.evaluate(
        """async () => ({
            caches: await caches.keys(),
            copy: !!(await caches.match('/utan-nat/kopia')),
            flag: localStorage.getItem('nara-offline-copy'),
        })"""
    )
    # The worker starts again on the next page and keeps only the offline page and its
    # files; nothing of Elsa's is left: no copy, no queue, no flag.
    assert kept["copy"] is False
    assert "nara-personal" not in kept["caches"]
    assert kept["flag"] is None
    assert page.evaluate(_QUEUE) == []
    # And as the browser itself keeps them (DevTools, not the page's own view): every
    # response still cached is the offline page, its files or a hashed build file.
    cached = _cached_paths(context, page, app_url)
    assert {
        path for path in cached if path not in SHELL_FILES and not BUILD_FILE.match(path)
    } == set()


def test_the_connection_banner_speaks_swedish_and_covers_nothing(
    page: Page, context: BrowserContext, app_url: str
) -> None:
    page.goto(f"{app_url}/egenvard")
    wait_for_app(page)
    banner = page.locator(".connection-banner")
    expect(banner).to_have_attribute("aria-live", "polite")
    # The page's own messages keep the one status role: the banner adds none.
    assert banner.get_attribute("role") is None
    expect(banner.get_by_role("status")).to_have_count(0)
    heading_before = page.get_by_role("heading", level=1).bounding_box()
    _offline(context, True)
    # The socket drops as when the phone leaves the network (Reflex closes it itself on
    # beforeunload), and the page tries again when it becomes visible: that fails offline.
    page.evaluate("() => window.dispatchEvent(new Event('beforeunload'))")
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(banner).to_contain_text("Ingen anslutning.", timeout=30_000)
    expect(page.get_by_text("Cannot connect to server")).to_have_count(0)
    screenshot(page, "offline-banner")
    assert_accessible(page)
    # In the flow above the app: the page moves down, nothing is drawn over it.
    heading_after = page.get_by_role("heading", level=1).bounding_box()
    banner_box = banner.bounding_box()
    assert heading_after["y"] >= banner_box["y"] + banner_box["height"]
    assert heading_after["y"] >= heading_before["y"]
    _offline(context, False)
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(banner).not_to_contain_text("Ingen anslutning.", timeout=30_000)


_STOP_TASK = f"""
from sqlmodel import select
from naranara.db import session_scope
from naranara.models import SelfCareTask
with session_scope() as db:
    task = db.exec(select(SelfCareTask).where(SelfCareTask.title == "{STOPPED_TASK}")).one()
    task.active = False
    db.add(task)
"""

_TASK_CHECKS = """
import sys
from sqlmodel import select
from naranara.db import session_scope
from naranara.models import SelfCareCheck, SelfCareTask
with session_scope() as db:
    checks = db.exec(select(SelfCareCheck).join(SelfCareTask,
        SelfCareTask.id == SelfCareCheck.task_id).where(SelfCareTask.title == sys.argv[1])).all()
    print(len(checks), *(c.status.value for c in checks))
"""


def _checks_of(app_data_dir: Path, title: str) -> list[str]:
    """How many check-offs the server has of the task with this title, and their states."""
    return _run(app_data_dir, "-c", _TASK_CHECKS, title).split()


def _waits_on_the_phone(
    page: Page, app_data_dir: Path, title: str, status: str, waiting: Locator, shot: str
) -> None:
    """One tap made offline waits: said on its row, the only one in the queue, not yet on
    the server; looked at and checked with axe-core."""
    expect(waiting).to_be_visible()
    [queued] = page.evaluate(_QUEUE)
    assert queued["status"] == status
    assert _checks_of(app_data_dir, title) == ["0"]
    waiting.scroll_into_view_if_needed()
    screenshot(page, shot)
    assert_accessible(page)


def test_klar_on_hem_without_a_network_waits_on_the_phone_and_is_saved_once(
    page: Page, context: BrowserContext, app_url: str, app_data_dir: Path, resident: str
) -> None:
    sign_in(page, app_url, resident, PASSWORD)
    task = page.get_by_role("checkbox", name=re.compile(HEM_TASK))
    expect(task).to_have_attribute("aria-checked", "false")
    _offline(context, True)
    task.click()
    # Said on the row, kept on the phone, and not yet on the server.
    row = page.get_by_role("listitem").filter(has=task)
    waiting = row.get_by_text("Sparas när du har nät igen")
    expect(task).to_have_attribute("aria-checked", "false")
    _waits_on_the_phone(
        page, app_data_dir, HEM_TASK, "done", waiting, "offline-hem-check-off-waiting"
    )

    _back_online(context, page)
    # Sent, and the page, loaded again, shows what the server now has.
    expect(task).to_have_attribute("aria-checked", "true", timeout=20_000)
    expect(waiting).to_be_hidden()
    assert page.evaluate(_QUEUE) == []
    assert _checks_of(app_data_dir, HEM_TASK) == ["1", "done"]

    # A check-off that can no longer apply (the task was stopped while the phone was
    # offline) is said in plain words after it is sent, not dropped without a word.
    stopped = page.get_by_role("checkbox", name=re.compile(STOPPED_TASK))
    _offline(context, True)
    stopped.click()
    expect(
        page.get_by_role("listitem").filter(has=stopped).get_by_text("Sparas när du har nät igen")
    ).to_be_visible()
    _run(app_data_dir, "-c", _STOP_TASK)
    _back_online(context, page)
    expect(
        page.get_by_text(f"”{STOPPED_TASK}” sparades inte: uppgiften har avslutats eller pausats")
    ).to_be_visible(timeout=20_000)
    assert page.evaluate(_QUEUE) == []
    screenshot(page, "offline-hem-check-off-refused")
    assert_accessible(page)


def test_hoppa_over_on_my_tasks_without_a_network_waits_and_is_saved(
    page: Page, context: BrowserContext, app_url: str, app_data_dir: Path, resident: str
) -> None:
    sign_in(page, app_url, resident, PASSWORD)
    page.goto(f"{app_url}/egenvard/mina-uppgifter")
    wait_for_app(page)
    card = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=SKIP_TASK, exact=True)
    )
    _offline(context, True)
    card.get_by_role("button", name="Hoppa över idag").click()
    waiting = card.get_by_text("Sparas när du har nät igen")
    expect(waiting).to_be_visible()
    # Its other choice waits with it: a second tap queues nothing more.
    card.get_by_role("button", name="Klar").click()
    _waits_on_the_phone(
        page, app_data_dir, SKIP_TASK, "skipped", waiting, "offline-plan-skip-waiting"
    )

    _back_online(context, page)
    expect(card.get_by_text("Hoppade över")).to_be_visible(timeout=20_000)
    expect(waiting).to_be_hidden()
    assert _checks_of(app_data_dir, SKIP_TASK) == ["1", "skipped"]


def _dispatch_background_sync(context: BrowserContext, page: Page, app_url: str) -> None:
    """What the browser does when the network is back: the worker's "sync" event, fired
    here over DevTools (Chromium fires it by its own network state, which
    ``set_offline`` does not change)."""
    devtools = context.new_cdp_session(page)
    try:
        registrations: list[dict] = []
        devtools.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        devtools.send("ServiceWorker.enable")
        deadline = time.monotonic() + 10
        while not any(r["scopeURL"] == f"{app_url}/" for r in registrations):
            assert time.monotonic() < deadline, "DevTools never named the app's worker"
            page.wait_for_timeout(100)
        [registration] = [
            r for r in registrations if r["scopeURL"] == f"{app_url}/" and not r["isDeleted"]
        ][-1:]
        devtools.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": app_url,
                "registrationId": registration["registrationId"],
                "tag": "nara-check-offs",
                "lastChance": False,
            },
        )
    finally:
        devtools.detach()


def test_a_check_off_made_offline_is_sent_by_background_sync_with_no_tab_open(
    page: Page, context: BrowserContext, app_url: str, app_data_dir: Path, resident: str
) -> None:
    sign_in(page, app_url, resident, PASSWORD)
    _worker_ready(page)
    task = page.get_by_role("checkbox", name=re.compile(SYNC_TASK))
    _offline(context, True)
    task.click()
    expect(
        page.get_by_role("listitem").filter(has=task).get_by_text("Sparas när du har nät igen")
    ).to_be_visible()
    assert _checks_of(app_data_dir, SYNC_TASK) == ["0"]
    # The tab is closed before the network is back: only the worker can send it now.
    blank = context.new_page()
    page.close()
    _offline(context, False)
    _dispatch_background_sync(context, blank, app_url)
    deadline = time.monotonic() + 20
    while _checks_of(app_data_dir, SYNC_TASK) != ["1", "done"]:
        assert time.monotonic() < deadline, "the worker never sent the check-off"
        time.sleep(0.3)
    blank.goto(app_url)
    wait_for_app(blank)
    expect(blank.get_by_role("checkbox", name=re.compile(SYNC_TASK))).to_have_attribute(
        "aria-checked", "true"
    )
    assert blank.evaluate(_QUEUE) == []


READ_ARTICLE = ("vag-dig-vid-hjartsvikt", "Väg dig varje dag när du har hjärtsvikt")
SAVED_ARTICLE = ("balansovningar", "Balansövningar")


def _kept(page: Page, cache: str, slug: str) -> bool:
    return page.evaluate(
        "async ([cache, path]) => !!(await caches.match(path, {cacheName: cache}))",
        [cache, f"/utan-nat/artikel/sv/{slug}"],
    )


def test_articles_read_or_saved_open_without_a_network(
    page: Page, context: BrowserContext, app_url: str
) -> None:
    # Nobody signed in: public advice is kept for anyone who read it on this device.
    page.goto(f"{app_url}/egenvard/{READ_ARTICLE[0]}")
    wait_for_app(page)
    _worker_ready(page)
    _until(
        page,
        f"""async () => !!(await caches.match("/utan-nat/artikel/sv/{READ_ARTICLE[0]}",
                                              {{cacheName: "nara-articles-read"}}))""",
        what="the worker kept the article read",
    )
    page.goto(f"{app_url}/egenvard/{SAVED_ARTICLE[0]}")
    wait_for_app(page)
    keep = _turn_on(page, "Spara för att läsa utan nät", "Sparad på den här telefonen")
    assert _kept(page, "nara-articles-saved", SAVED_ARTICLE[0])
    keep.scroll_into_view_if_needed()
    screenshot(page, "offline-article-saved")
    assert_accessible(page)
    assert small_touch_targets(page) == []

    _offline(context, True)
    # The address of the article read: the offline page, with that article open first.
    page.goto(f"{app_url}/egenvard/{READ_ARTICLE[0]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utan nät just nu")
    articles = page.get_by_role("region", name="Artiklar att läsa utan nät")
    expect(articles.locator("summary")).to_have_text([READ_ARTICLE[1], SAVED_ARTICLE[1]])
    opened = articles.locator("details[open]")
    expect(opened).to_have_count(1)
    expect(opened.locator("summary")).to_have_text(READ_ARTICLE[1])
    expect(opened.get_by_role("note", name="När du ska söka vård")).to_contain_text("Ring 112")
    screenshot(page, "offline-article-read")
    assert_accessible(page)
    assert small_touch_targets(page) == []
    # The saved one opens too, at a tap.
    articles.locator("summary").filter(has_text=SAVED_ARTICLE[1]).click()
    expect(articles.locator("details[open]")).to_have_count(2)
    _offline(context, False)

    # Saved is a choice that can be taken back.
    page.goto(f"{app_url}/egenvard/{SAVED_ARTICLE[0]}")
    wait_for_app(page)
    keep = page.get_by_role("button", name="Spara för att läsa utan nät")
    expect(keep).to_have_attribute("aria-pressed", "true")
    keep.click()
    expect(keep).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("status").filter(has_text="Borttaget från")).to_be_visible()
    assert not _kept(page, "nara-articles-saved", SAVED_ARTICLE[0])


_RESOURCES = "() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"


def test_an_open_tab_goes_on_after_a_new_build(
    page: Page, context: BrowserContext, app_url: str
) -> None:
    """A new build while a tab is open, as the tab meets it: a new worker script (here
    the same script with another CACHE_VERSION), and code of a page the tab has not
    opened yet gone from the server."""
    page.goto(f"{app_url}/egenvard")
    wait_for_app(page)
    _worker_ready(page)
    page.reload()  # through the worker: it keeps the build files
    wait_for_app(page)
    _until(page, "async () => (await caches.keys()).includes('nara-build')", what="build kept")
    # The server's copy of the worker changes, as a deployment changes it (a route cannot
    # stand in: Chromium fetches a worker's script past Playwright's interception).
    served = WEB_DIR / "build" / "client" / "sw.js"
    script = served.read_text()
    # The build minifies the worker (frontend_plugins): the shell cache's name is written
    # out where CACHE_VERSION was used.
    assert script.count("nara-shell-v1") == 1
    # The compressed copies the server prefers are set aside meanwhile.
    compressed = {path: path.read_bytes() for path in served.parent.glob("sw.js.*")}
    try:
        for path in compressed:
            path.unlink()
        served.write_text(script.replace("nara-shell-v1", "nara-shell-v2"))
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration('/')).update()")
        # The new worker takes over: its own shell cache, the old one gone, build files kept.
        _until(
            page,
            """async () => {
                const names = await caches.keys();
                return names.includes("nara-shell-v2") && !names.includes("nara-shell-v1")
                    && names.includes("nara-build");
            }""",
            what="the new worker activated and kept the build files",
        )
    finally:
        served.write_text(script)
        for path, content in compressed.items():
            path.write_bytes(content)

    loaded = set(page.evaluate(_RESOURCES))
    gone: list[str] = []

    def vanished(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path.endswith(".js") and path not in loaded and not gone:
            gone.append(path)  # the new build has other names: this one is no more
            route.fulfill(status=404, body="")
        else:
            route.fallback()

    context.route("**/assets/**", vanished)
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    # The tab, on the old build, opens a page whose code it has not loaded yet: React
    # Router cannot import it and loads the tab anew, on the build the server has now.
    sign_in_tab = page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Logga in"
    )
    sign_in_tab.click()
    deadline = time.monotonic() + 15
    while not loads:
        assert time.monotonic() < deadline, "the tab was not loaded anew after its code was gone"
        page.wait_for_timeout(100)
    assert gone, "the sign-in page's code was already loaded: nothing was missing"
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Egenvårdsråd")
    # And it works: the same tap now opens the page.
    sign_in_tab.click()
    page.wait_for_url(f"{app_url}/logga-in")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_label("Användarnamn")).to_be_editable()
