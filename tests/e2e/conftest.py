"""The production build, started once per test session, driven by real Chromium."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

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


@pytest.fixture(scope="session")
def app_port() -> int:
    return _free_port()


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


@pytest.fixture(scope="session")
def app_url(app_port: int, app_data_dir: Path, oidc_provider: RunningProvider) -> Iterator[str]:
    """Base URL of the app in prod mode on a free port, with fresh demo data."""
    data_dir = app_data_dir
    env = {
        **os.environ,
        "NARA_DATA_DIR": str(data_dir),
        "REFLEX_USE_NPM": "1",
        "NARA_OIDC_PROVIDERS": json.dumps([oidc_provider.config("testid", label="Test-ID")]),
        # The push test's receiver listens on loopback http, not a push service's https.
        "NARA_PUSH_ALLOW_LOCAL_ENDPOINTS": "1",
    }
    naranara = [sys.executable, "-m", "naranara.cli"]
    subprocess.run([*naranara, "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run([*naranara, "seed"], cwd=ROOT, env=env, check=True)
    port = app_port
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "app-server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*naranara, "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: granian workers go with it
        )
    base_url = f"http://localhost:{port}"
    try:
        _wait_until_up(base_url, process, log)
        yield base_url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
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
