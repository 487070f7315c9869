"""What reaches a browser: only the signed-in person's own data, checked on the wire."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.browser import PHONE, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/tider", "/kontakter", "/egenvard", "/profil"]
MARKER = "Hemligt-Bertil"

_ADD_RESIDENT_B = f"""
from datetime import UTC, datetime, timedelta, date
from naranara import clock
from naranara.db import session_scope
from naranara.models import AgreedTime, CareContact, Role, SelfCareTask
from naranara.services.accounts import create_user
with session_scope() as db:
    bertil = create_user(session=db, username="bertil", display_name="Bertil {MARKER}",
                         role=Role.RESIDENT, password="bertils-losenord")
    start = clock.now() + timedelta(days=1)
    db.add(AgreedTime(resident_id=bertil.id, starts_at=start, ends_at=start + timedelta(hours=1),
                      purpose="Besök {MARKER}"))
    db.add(CareContact(resident_id=bertil.id, name="Kontakt {MARKER}", role_title="Läkare",
                       organisation="Region", phone="060-000 00 00"))
    db.add(SelfCareTask(resident_id=bertil.id, title="Uppgift {MARKER}", recurrence="RRULE:FREQ=DAILY",
                        time_of_day="00:01", starts_on=clock.today() - timedelta(days=1)))
"""


@pytest.fixture(scope="module")
def resident_b(app_data_dir: Path) -> str:
    """A second resident whose every record carries MARKER."""
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    subprocess.run([sys.executable, "-c", _ADD_RESIDENT_B], cwd=ROOT, env=env, check=True)
    return "bertil"


def _frames_while_browsing(page: Page, app_url: str, username: str, password: str) -> list[str]:
    frames: list[str] = []
    page.on(
        "websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload)))
    )
    sign_in(page, app_url, username=username, password=password)
    for path in PAGES:
        page.goto(app_url + path)
        wait_for_app(page)
    return frames


def test_no_data_of_another_resident_reaches_the_browser(
    browser: Browser, app_url: str, resident_b: str
) -> None:
    anna = browser.new_context(viewport=PHONE)
    bertil = browser.new_context(viewport=PHONE)
    try:
        annas_frames = _frames_while_browsing(anna.new_page(), app_url, "anna", "nara-demo")
        bertils_frames = _frames_while_browsing(
            bertil.new_page(), app_url, resident_b, "bertils-losenord"
        )
    finally:
        anna.close()
        bertil.close()
    # The capture sees data: Anna's own, and Bertil's in Bertil's browser.
    assert any("Uppföljning av hjärtsvikt" in frame for frame in annas_frames)
    for record in ("Besök", "Kontakt", "Uppgift"):
        assert any(f"{record} {MARKER}" in frame for frame in bertils_frames), record
    leaked = [frame[:200] for frame in annas_frames if MARKER in frame or "bertil" in frame.lower()]
    assert leaked == []


def test_a_client_token_copied_into_another_browser_opens_nothing(
    browser: Browser, app_url: str, resident_b: str
) -> None:
    """Reflex sends a tab the state stored under its token; a copied token must not find Bertil's."""
    bertil = browser.new_context(viewport=PHONE)
    try:
        bertils_page = bertil.new_page()
        bertils_frames = _frames_while_browsing(
            bertils_page, app_url, resident_b, "bertils-losenord"
        )
        bertils_token = bertils_page.evaluate("sessionStorage.getItem('token')")
    finally:
        bertil.close()  # disconnected, so Reflex will not hand the token a fresh one
    assert bertils_token and any(MARKER in frame for frame in bertils_frames)

    thief = browser.new_context(viewport=PHONE)
    try:
        page = thief.new_page()
        frames: list[str] = []
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))),
        )
        page.add_init_script(f"sessionStorage.setItem('token', {json.dumps(bertils_token)})")
        for path in PAGES:
            page.goto(app_url + path)
            wait_for_app(page)
        sign_in(page, app_url, username="anna", password="nara-demo")
        for path in PAGES:
            page.goto(app_url + path)
            wait_for_app(page)
        assert page.evaluate("sessionStorage.getItem('token')") == bertils_token
    finally:
        thief.close()
    assert any("Uppföljning av hjärtsvikt" in frame for frame in frames)
    assert [frame[:200] for frame in frames if MARKER in frame] == []
