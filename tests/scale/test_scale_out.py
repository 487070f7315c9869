"""Scale-out as a region would run it: two web workers and two reminder workers on one
PostgreSQL database, with Redis holding every tab's state.

One ``naranara serve`` with ``NARA_WEB_WORKERS=2`` and ``NARA_REDIS_URL`` (a redis-server
of this module's own, on a free port), two ``naranara worker`` processes, a database of
their own seeded with the demo data, driven by Chromium at phone size. Which web worker
handled an event is read from the server's JSON log (one line per event, with its
``pid``); a tab is moved to the other worker by reloading it until its new socket lands
there (granian's workers share one listening socket).

Runs with the browser tests, after them, on the same build (``.web-e2e``, which does not
depend on the port).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, create_engine, select

from naranara import clock
from naranara.models import ReminderOccurrence, ReminderStatus
from tests.conftest import (
    POSTGRES_URL,
    create_pg_database,
    drop_pg_database,
    run_instant,
    url_of,
)
from tests.e2e import conftest as e2e_conftest
from tests.e2e.browser import ARTIFACTS, PHONE, sign_in, wait_for_app
from tests.e2e.conftest import WEB_DIR, _stop, descendants
from tests.utils.push_receiver import PushReceiver
from tests.utils.reminder_load import make_due_reminders
from tests.utils.servers import free_port, start_redis_server

ROOT = Path(__file__).resolve().parents[2]
NARANARA = [sys.executable, "-m", "naranara.cli"]
# The first start may build the frontend (when the browser tests have not run first).
START_TIMEOUT_S = 600
# A reload lands on either worker; this many all on one would be a broken balance.
MAX_RELOADS = 16
WORKER_BATCH = 10  # reminders a reminder worker claims at a time

# With the browser tests, on one pytest-xdist worker (tests/conftest.py): one build, one
# at a time.
pytestmark = pytest.mark.scale


class ServerLog:
    """The web server's JSON log: which worker (pid) ran which event."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def _events(self) -> list[dict]:
        with self.path.open("rb") as log:
            log.seek(self.offset)
            text = log.read().decode(errors="replace")
        found = []
        for line in text.splitlines():
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if record.get("handler") and record.get("message", "").startswith("event "):
                found.append(record)
        return found

    def pid_of(self, handler: str, timeout: float = 10.0) -> int:
        """The pid of the worker that ran ``handler`` since the mark (once, or each time
        on the same worker). Lines of a reloaded page's old socket, cancelled as the page
        went, may come after the mark: only completed runs of ``handler`` count."""
        deadline = time.monotonic() + timeout
        while True:
            runs = [e for e in self._events() if e["handler"] == handler and e["status"] == "ok"]
            if runs:
                pids = {e["pid"] for e in runs}
                assert len(pids) == 1, f"{handler} ran on several workers: {runs}"
                return pids.pop()
            if time.monotonic() > deadline:
                raise AssertionError(f"no completed {handler} event since the mark")
            time.sleep(0.05)


@dataclass
class Cluster:
    url: str
    env: dict[str, str]
    log: ServerLog
    web: subprocess.Popen
    workers: list[subprocess.Popen]
    receiver: PushReceiver
    database_url: str

    def web_worker_pids(self) -> set[int]:
        """granian's worker processes (the serve process is their parent)."""
        return {
            pid
            for pid, cmdline in descendants(self.web.pid).items()
            if "naranara" in cmdline or "granian" in cmdline or "python" in cmdline
        }


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"did not start in {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this module's own: the shared one on 6379 is never flushed."""
    process, url = start_redis_server(tmp_path_factory.mktemp("redis"))
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Cluster]:
    if not POSTGRES_URL:
        pytest.skip("NARA_TEST_POSTGRES_URL is empty: the scale-out test needs PostgreSQL")
    data_dir = tmp_path_factory.mktemp("nara-scale")
    clock_file = data_dir / "clock"
    # The run's instant, as this module's tests see it: by the machine's clock, a pinned
    # run's reminders would be months old to the workers, and given up unsent.
    clock.write_clock_file(clock_file, run_instant())
    name = create_pg_database("nara_scale")
    database_url = url_of(name)
    port = free_port()
    env = {
        **os.environ,
        "NARA_DATA_DIR": str(data_dir),
        "NARA_DATABASE_URL": database_url,
        "NARA_REDIS_URL": redis_url,
        "NARA_WEB_WORKERS": "2",
        "NARA_LOG_FORMAT": "json",
        "NARA_PUSH_ALLOW_LOCAL_ENDPOINTS": "1",
        clock.FILE_VARIABLE: str(clock_file),
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
        "REFLEX_USE_NPM": "1",
    }
    env.pop("REFLEX_REDIS_URL", None)
    subprocess.run([*NARANARA, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*NARANARA, "seed"], cwd=ROOT, env=env, check=True, capture_output=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "scale-web.log"
    receiver = PushReceiver(delay=0.02)
    receiver.start()
    with log_path.open("w") as out:
        web = subprocess.Popen(
            [*NARANARA, "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    workers: list[subprocess.Popen] = []
    url = f"http://localhost:{port}"
    try:
        _wait_for(url, web, log_path)
        for n, extra in enumerate(([], ["--no-plan"])):
            with (ARTIFACTS / f"scale-worker-{n}.log").open("w") as out:
                workers.append(
                    subprocess.Popen(
                        [*NARANARA, "worker", "--batch-size", str(WORKER_BATCH), *extra],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        yield Cluster(
            url=url,
            env=env,
            log=ServerLog(log_path),
            web=web,
            workers=workers,
            receiver=receiver,
            database_url=database_url,
        )
    finally:
        for process in [*workers, web]:
            if process.poll() is None:
                _stop(process)
        receiver.stop()
        drop_pg_database(name)


# The browser tests' Chromium (one per module), here too.
browser = e2e_conftest.browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _worker_after(cluster: Cluster, action: Callable[[], None], handler: str) -> int:
    cluster.log.mark()
    action()
    return cluster.log.pid_of(handler)


def _reload_onto_another_worker(
    cluster: Cluster, page: Page, handler: str, away_from: int, check: Callable[[], None]
) -> int:
    """Reload the tab until its new socket lands on a worker other than ``away_from``;
    ``check`` runs after every reload. Returns the new worker's pid."""
    for _ in range(MAX_RELOADS):
        pid = _worker_after(cluster, lambda: (page.reload(), wait_for_app(page)), handler)
        check()
        if pid != away_from:
            return pid
    raise AssertionError(f"{MAX_RELOADS} reloads all landed on worker {away_from}")


def test_the_server_runs_two_web_workers_and_is_ready_with_redis(cluster: Cluster) -> None:
    pids = cluster.web_worker_pids()
    assert len(pids) >= 2, pids
    deadline = time.monotonic() + 30
    while True:
        ready = httpx.get(f"{cluster.url}/readyz", timeout=5)
        if ready.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["redis"] == "ok"


def test_a_tab_keeps_its_state_on_the_other_worker(
    cluster: Cluster, context: BrowserContext
) -> None:
    page = context.new_page()
    sign_in(page, cluster.url)
    page.goto(f"{cluster.url}/matvarden")
    wait_for_app(page)
    ninety = page.get_by_role("button", name="90 dagar")
    # A choice that lives only in the tab's state (no page load resets it).
    first = _worker_after(cluster, ninety.click, "MeasurementsState.set_period")
    expect(ninety).to_have_attribute("aria-pressed", "true")

    def still_ninety() -> None:
        expect(page.get_by_role("button", name="90 dagar")).to_have_attribute(
            "aria-pressed", "true"
        )

    other = _reload_onto_another_worker(
        cluster, page, "MeasurementsState.load", away_from=first, check=still_ninety
    )
    assert {first, other} <= cluster.web_worker_pids()
    # The other worker goes on from that state.
    seven = page.get_by_role("button", name="7 dagar")
    assert _worker_after(cluster, seven.click, "MeasurementsState.set_period") == other
    expect(seven).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="90 dagar")).to_have_attribute("aria-pressed", "false")


def _task(page: Page, name: str):  # noqa: ANN202 - a Locator
    return page.get_by_role("region", name="Egenvård i dag").get_by_role(
        "checkbox", name=re.compile(name)
    )


def test_a_save_on_one_worker_is_seen_on_the_other(
    cluster: Cluster, context: BrowserContext
) -> None:
    writer = context.new_page()
    sign_in(writer, cluster.url)
    walk = _task(writer, "Promenera 20 minuter")
    expect(walk).to_have_attribute("aria-checked", "false")
    saved_on = _worker_after(cluster, walk.click, "TodayState.toggle_done")
    expect(walk).to_have_attribute("aria-checked", "true")

    reader = context.new_page()
    reader.goto(cluster.url)
    wait_for_app(reader)
    _reload_onto_another_worker(
        cluster, reader, "TodayState.load", away_from=saved_on, check=lambda: None
    )
    expect(_task(reader, "Promenera 20 minuter")).to_have_attribute("aria-checked", "true")


def test_signing_out_on_one_worker_applies_on_the_other(
    cluster: Cluster, context: BrowserContext, browser: Browser
) -> None:
    leaving = context.new_page()
    sign_in(leaving, cluster.url)
    leaving.goto(f"{cluster.url}/profil")
    wait_for_app(leaving)
    # The next reload of the profile page tells which worker this tab is on.
    signs_out_on = _worker_after(
        cluster, lambda: (leaving.reload(), wait_for_app(leaving)), "PageOpenState.require_sign_in"
    )
    staying = context.new_page()
    staying.goto(cluster.url)
    wait_for_app(staying)
    other = _reload_onto_another_worker(
        cluster, staying, "TodayState.load", away_from=signs_out_on, check=lambda: None
    )
    weigh = _task(staying, "Väg dig")
    expect(weigh).to_have_attribute("aria-checked", "false")
    # While signed in, this tab writes through the other worker…
    assert _worker_after(cluster, weigh.click, "TodayState.toggle_done") == other
    expect(weigh).to_have_attribute("aria-checked", "true")

    leaving.get_by_role("button", name="Logga ut", exact=True).click()
    leaving.wait_for_url(f"{cluster.url}/")

    # …and after the sign-out on the first worker, its socket acts for nobody.
    assert _worker_after(cluster, weigh.click, "TodayState.toggle_done") == other
    expect(staying.get_by_text("Det gick inte att spara")).to_be_visible()
    fresh = browser.new_context(viewport=PHONE, locale="sv-SE")
    try:
        check = fresh.new_page()
        sign_in(check, cluster.url)
        expect(_task(check, "Väg dig")).to_have_attribute("aria-checked", "true")
    finally:
        fresh.close()


def test_two_reminder_workers_send_each_reminder_once(cluster: Cluster) -> None:
    engine = create_engine(cluster.database_url)
    try:
        # The push service holds every request until both workers have a batch in
        # flight: otherwise the first to wake may send all before the other polls.
        cluster.receiver.hold_after(0)
        with Session(engine) as session:
            total = make_due_reminders(
                session, cluster.receiver, residents=30, times_each=4, prefix="scale"
            )
        deadline = time.monotonic() + 40
        while cluster.receiver.held_count() < 2 * WORKER_BATCH and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cluster.receiver.held_count() >= 2 * WORKER_BATCH, "both workers have a batch out"
        cluster.receiver.release()
        while cluster.receiver.delivery_count() < total and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # a second copy, if one were coming
        received = Counter(d.message["tag"] for d in cluster.receiver.deliveries)
        assert len(received) == total
        assert set(received.values()) == {1}
        with Session(engine) as session:
            rows = session.exec(select(ReminderOccurrence)).all()
            sent = [row for row in rows if row.status == ReminderStatus.SENT]
        assert len(sent) >= total
        # Both workers took part (SKIP LOCKED gave each its own rows).
        assert len({row.claimed_by for row in sent}) == 2
        assert cluster.receiver.rejections == []
    finally:
        engine.dispose()


@pytest.fixture
def as_another_process(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable]:
    """Runs the `naranara` CLI in this process with the cluster's settings (and any
    changed), as a second server or machine would start: no second import of the app."""
    from click.testing import CliRunner

    from naranara.cli import main
    from naranara.db import get_engine
    from naranara.settings import get_settings

    def run(*args: str, **changed: str):  # noqa: ANN202 - a click Result
        for name in ("NARA_DATA_DIR", "NARA_DATABASE_URL", "NARA_REDIS_URL", "NARA_WEB_WORKERS"):
            monkeypatch.setenv(name, changed.get(name, cluster.env[name]))
        # `serve` sets it for the server it would start; this process gets its own back.
        monkeypatch.setenv("NARA_PORT", os.environ.get("NARA_PORT", "3000"))
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            return CliRunner().invoke(main, list(args))
        finally:
            get_engine().dispose()
            get_engine.cache_clear()
            get_settings.cache_clear()

    yield run


def test_a_second_server_on_the_same_port_is_refused(
    cluster: Cluster, as_another_process: Callable
) -> None:
    port = cluster.url.rsplit(":", 1)[1]
    result = as_another_process("serve", "--port", port, "--host", "127.0.0.1")
    assert result.exit_code == 2, result.output
    assert f"Port {port} is already served by another process" in result.output


def test_a_machine_with_another_secret_key_is_refused(
    as_another_process: Callable, tmp_path: Path
) -> None:
    """A second machine: its own data directory and keys, the same database and Redis."""
    elsewhere = {"NARA_DATA_DIR": str(tmp_path)}
    port = str(free_port())
    result = as_another_process("serve", "--port", port, "--host", "127.0.0.1", **elsewhere)
    assert result.exit_code == 2, result.output
    assert "Nära cannot start: This machine's secret_key" in result.output
    assert "naranara keys adopt" in result.output
    worker = as_another_process("worker", "--once", **elsewhere)
    assert worker.exit_code == 2, worker.output
    assert "Nära cannot start: This machine's secret_key" in worker.output
