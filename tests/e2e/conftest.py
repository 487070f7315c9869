"""The production build, started once per test session, driven by real Chromium.

The build lives in a directory of its own (``.web-e2e``, Reflex's ``REFLEX_WEB_WORKDIR``),
so a test run never touches the build that ``make run`` serves from ``.web``; a second
run reuses it while its inputs are unchanged. The build does not depend on the port (the
pages reach the backend at their own origin, naranara/frontend_plugins.py), so any port
serves it without a rebuild.

Every module starts at the run's instant (tests/conftest.py), the server, the scripts
the tests run and the browser's ``Date`` included: the server and the scripts follow
a clock file (``NARA_CLOCK_FILE``) rewritten at the start of each module, the tests'
own process follows the same timeline, and the browser gets Playwright's clock.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from naranara import clock
from tests.conftest import run_instant
from tests.e2e.browser import ARTIFACTS, PHONE
from tests.utils.oidc import RunningProvider, start_provider

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The first start builds the JavaScript bundle with npm: minutes on a cold machine.
START_TIMEOUT_S = 600
# The port the browser tests' server listens on (any port reuses the same build).
E2E_PORT = int(os.environ.get("NARA_E2E_PORT", "3917"))
WEB_DIR = ROOT / ".web-e2e"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the app exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            if httpx.get(f"{base_url}/ping", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app did not start in {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")


def _port_is_free(port: int) -> bool:
    """Nothing answers on ``localhost:port``, over IPv4 or IPv6, and we can bind it.

    The browser opens ``localhost``, which Chromium tries as ::1 first: a server left
    running on [::1] would otherwise answer in place of the one these tests start.
    """
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        with socket.socket(family) as probe:
            probe.settimeout(1)
            if probe.connect_ex((address, port)) == 0:
                return False
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="session")
def app_port() -> int:
    if _port_is_free(E2E_PORT):
        return E2E_PORT
    port = _free_port()
    print(f"port {E2E_PORT} is taken (NARA_E2E_PORT): serving on {port}")
    return port


@pytest.fixture(scope="session")
def clock_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The clock the server and every script the tests start follow (naranara/clock.py).
    It starts at the run's instant: the demo data is seeded before the first module's
    timeline begins, and seeded by the machine's clock it would lie months away from a
    pinned run's instant (``NARA_TEST_NOW``)."""
    path = tmp_path_factory.mktemp("clock") / "now"
    clock.write_clock_file(path, run_instant())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(clock.FILE_VARIABLE, str(path))
        yield path


@pytest.fixture(scope="module", autouse=True)
def _module_timeline(clock_file: Path) -> datetime:
    """Each module starts at the run's instant, and its tests follow one timeline from
    there: data a module's fixtures make (published "now") stays in the past for every
    test after it. Returns the machine time at which the module's timeline began."""
    clock.write_clock_file(clock_file, run_instant())
    return clock.real_now()


@pytest.fixture
def instant(_module_timeline: datetime) -> Iterator[datetime]:
    """This test's process follows the module's timeline, as the server does (it
    overrides the per-test instant of tests/conftest.py)."""
    at = run_instant() + (clock.real_now() - _module_timeline)
    with clock.travel(at):
        yield at


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nara-data")


@pytest.fixture(scope="session")
def oidc_provider(app_port: int) -> Iterator[RunningProvider]:
    """A real OpenID Provider on 127.0.0.1 (the app is on localhost: no shared cookies)."""
    app = f"http://localhost:{app_port}"
    provider = start_provider(
        redirect_uris=[f"{app}/auth/oidc/testid/callback"],
        post_logout_redirect_uris=[f"{app}/"],
    )
    yield provider
    provider.stop()


# The reminder worker counts as gone after this many silent seconds (production: 120), so
# test_operations.py sees /readyz fail and recover within seconds.
WORKER_STALE_SECONDS = 8


@pytest.fixture(scope="session")
def app_url(
    app_port: int, app_data_dir: Path, oidc_provider: RunningProvider, clock_file: Path
) -> Iterator[str]:
    """Base URL of the app in prod mode, with fresh demo data.

    Started exactly as `make run` starts it: ``naranara run``, the web app and the reminder
    worker under supervisord (its log, both programs' output, in app-server.log).
    """
    data_dir = app_data_dir
    env = {
        **os.environ,
        "NARA_DATA_DIR": str(data_dir),
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
        "REFLEX_USE_NPM": "1",
        "NARA_OIDC_PROVIDERS": json.dumps([oidc_provider.config("testid", label="Test-ID")]),
        # The push test's receiver listens on loopback http, not a push service's https.
        "NARA_PUSH_ALLOW_LOCAL_ENDPOINTS": "1",
        "NARA_WORKER_STALE_SECONDS": str(WORKER_STALE_SECONDS),
    }
    naranara = [sys.executable, "-m", "naranara.cli"]
    subprocess.run([*naranara, "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run([*naranara, "seed"], cwd=ROOT, env=env, check=True)
    port = app_port
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "app-server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*naranara, "run", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl+C reaches supervisord alone, like this
        )
    base_url = f"http://localhost:{port}"
    try:
        _wait_until_up(base_url, process, log)
        yield base_url
    finally:
        _stop(process)


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (granian's server and workers, the worker, node…)."""
    found: dict[int, str] = {}
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        direct = [int(child) for child in children.read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return found
    for child in direct:
        try:
            found[child] = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
        except FileNotFoundError:
            continue
        found.update(descendants(child))
    return found


def _still_running(processes: dict[int, str]) -> list[str]:
    alive = []
    for pid, cmdline in processes.items():
        try:
            same = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace") == cmdline
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        if same and state != "Z":
            alive.append(f"{pid}: {cmdline.replace(chr(0), ' ')}")
    return alive


def _stop(process: subprocess.Popen) -> None:
    """Ctrl+C, as a terminal sends it to `make run`: supervisord stops web and worker, each
    with its whole process group, and nothing is left behind."""
    below = descendants(process.pid)
    try:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        for pid in below:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        raise
    deadline = time.monotonic() + 10
    while _still_running(below) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _still_running(below)
    assert left == [], f"processes left running after Ctrl+C: {left}"


# Per module: the sync API holds an event loop while it runs, which would stop the
# asyncio tests that pytest-xdist may give this worker after an end-to-end module.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, instant: datetime) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    context.clock.install(time=clock.now())  # the page's Date agrees with the server
    # The Content-Security-Policy must let the app work: any violation fails the test.
    violations: list[str] = []
    context.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield context
    context.close()
    assert violations == [], violations


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
