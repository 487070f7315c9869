"""Relatives in two browsers: Anna invites, Ingrid accepts and helps, Anna takes it back.

Anna and Ingrid each have their own browser context (own cookies, own socket). What
reaches Ingrid's browser is captured frame by frame: nothing of what Anna did not share.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import (
    PHONE,
    assert_accessible,
    screenshot,
    small_touch_targets,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# Anna's data in scopes she does not share with Ingrid: must never reach Ingrid's browser.
MEASUREMENT_MARKER = "Hemligmätning-Zeta"
PROFILE_MARKER = "Hemlig-Profiltext-Ypsilon"

_SETUP = f"""
from datetime import UTC, datetime
from sqlmodel import select
from naranara import clock
from naranara.db import session_scope
from naranara.models import Measurement, Role, User
from naranara.services import profile
from naranara.services.accounts import create_user
with session_scope() as db:
    create_user(session=db, username="ingrid", display_name="Ingrid Granne",
                role=Role.RELATIVE, password="ingrids-losenord-1")
    anna = db.exec(select(User).where(User.username == "anna")).one()
    db.add(Measurement(resident_id=anna.id, kind="custom", value=1.0, unit="st",
                       custom_name="{MEASUREMENT_MARKER}", measured_at=clock.now()))
    found = profile.get(session=db, resident_id=anna.id)
    profile.save(session=db, resident_id=anna.id, changes={{"important_to_me": "{PROFILE_MARKER}"}},
                 expected_version=found.version, changed_by_id=anna.id)
    print(anna.id)
"""
_EXPIRED_INVITATION = """
from datetime import timedelta
from sqlmodel import select
from naranara import clock
from naranara.db import session_scope
from naranara.models import ProxyScope, User
from naranara.services import invitations
with session_scope() as db:
    anna = db.exec(select(User).where(User.username == "anna")).one()
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.PROFILE},
                              now=clock.now() - timedelta(days=8))
    print(made.code)
"""


def _python(app_data_dir: Path, script: str) -> str:
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def _sign_in_here(page: Page, app_url: str, username: str, password: str) -> None:
    """On the sign-in page the invitation sent us to; it brings us back afterwards."""
    wait_for_app(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def _check_page(page: Page, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)
    # The app's own shell only: a service worker's "new version" notice is not a page's.
    own = page.evaluate(
        "() => [...document.querySelectorAll('.app a[href], .app button, .app input')]"
        ".map(el => el.outerHTML.slice(0, 120))"
    )
    assert [target for target in small_touch_targets(page) if target in own] == [], name


def _new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    return context


def test_invite_accept_help_revoke_and_the_log(
    browser: Browser, app_url: str, app_data_dir: Path
) -> None:
    anna_id = _python(app_data_dir, _SETUP)
    anna_context, ingrid_context = _new_context(browser), _new_context(browser)
    try:
        anna = anna_context.new_page()
        ingrid = ingrid_context.new_page()
        frames: list[str] = []
        ingrid.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))),
        )

        # Anna invites: a fresh sign-in is recent enough to share.
        anna.goto(f"{app_url}/logga-in?next=/profil/narstaende")
        _sign_in_here(anna, app_url, "anna", "nara-demo")
        anna.wait_for_url(re.compile(r"/profil/narstaende/?$"))
        wait_for_app(anna)
        expect(anna.get_by_role("heading", name="Närstående", level=1)).to_be_visible()
        expect(anna.get_by_role("heading", name="Erik Lindqvist")).to_be_visible()
        _check_page(anna, "relatives")
        anna.get_by_label("Se mina tider och kontakter").check()
        anna.get_by_label("Se och bocka av min egenvård").check()
        anna.get_by_role("button", name="Skapa inbjudan").click()
        expect(anna.get_by_role("img", name="QR-kod med länken till inbjudan")).to_be_visible()
        code = anna.locator("#invite-code").inner_text().strip()
        assert len(code) >= 22
        anna.locator(".qr-code").evaluate("el => el.scrollIntoView({block: 'center'})")
        _check_page(anna, "relatives-invitation-qr")

        # Ingrid opens the link in her own browser, signs in and accepts.
        ingrid.goto(f"{app_url}/inbjudan?kod={code}")
        wait_for_app(ingrid)
        ingrid.locator("main").get_by_role("link", name="Logga in", exact=True).click()
        ingrid.wait_for_url("**/logga-in?**")
        _sign_in_here(ingrid, app_url, "ingrid", "ingrids-losenord-1")
        # Back on plain /inbjudan: the browser held the invitation, the code is in no address.
        ingrid.wait_for_url(re.compile(r"/inbjudan/?$"))
        wait_for_app(ingrid)
        expect(ingrid.get_by_text("Anna Lindqvist", exact=True)).to_be_visible()
        expect(ingrid.get_by_text("Se och bocka av min egenvård")).to_be_visible()
        _check_page(ingrid, "invitation-accept")
        ingrid.get_by_role("button", name="Tacka ja och hjälp till").click()
        ingrid.wait_for_url(re.compile(r"/jag-hjalper/?\?ny=1$"))
        wait_for_app(ingrid)
        expect(ingrid.get_by_role("heading", name="Anna Lindqvist")).to_be_visible()
        # A way to each thing Anna shares, and none to her measurements, which she did not.
        expect(ingrid.locator("main .card .actions a")).to_have_text(
            ["Tider", "Kontakter", "Plan", "Egenvård"]
        )
        expect(ingrid.locator("main").get_by_role("link", name="Mätvärden")).to_have_count(0)
        _check_page(ingrid, "acting-for")

        # Anna sees Ingrid as active, with exactly what she chose.
        anna.goto(f"{app_url}/profil/narstaende")
        wait_for_app(anna)
        ingrid_card = anna.locator("li.card").filter(has_text="Ingrid Granne")
        expect(
            ingrid_card.get_by_role("button", name="Se mina tider och kontakter")
        ).to_have_attribute("aria-pressed", "true")
        expect(ingrid_card.get_by_role("button", name="Se mina mätvärden")).to_have_attribute(
            "aria-pressed", "false"
        )

        # Ingrid acts for Anna: her times, with the banner, then a self-care task ticked off.
        ingrid.locator("main").get_by_role("link", name="Tider").click()
        ingrid.wait_for_url(re.compile(rf"/tider/?\?invanare={anna_id}$"))
        wait_for_app(ingrid)
        expect(ingrid.get_by_text("Uppföljning av hjärtsvikt").first).to_be_visible()
        banner = ingrid.locator(".acting-for-banner")
        expect(banner).to_contain_text("Du hjälper Anna Lindqvist")
        # The header only leads to the list; the banner is the one place that names Anna.
        expect(ingrid.locator(".switcher")).to_have_text("Jag hjälper")
        _check_page(ingrid, "acting-for-times-banner")
        ingrid.goto(f"{app_url}/egenvard/mina-uppgifter?invanare={anna_id}")
        wait_for_app(ingrid)
        expect(banner).to_be_visible()
        ingrid.get_by_role("button", name="Klar").first.click()
        expect(ingrid.get_by_role("button", name="Ångra").first).to_be_visible()

        # Anna ends the times and contacts while Ingrid's tab stays open.
        ingrid_card.get_by_role("button", name="Se mina tider och kontakter").click()
        expect(
            ingrid_card.get_by_role("button", name="Se mina tider och kontakter")
        ).to_have_attribute("aria-pressed", "false")
        # Ingrid's next step in the same tab: the switcher, then back to Anna's times.
        ingrid.locator(".switcher").click()
        ingrid.wait_for_url(re.compile(r"/jag-hjalper/?$"))
        wait_for_app(ingrid)
        expect(ingrid.locator("main .card .actions a")).to_have_text(["Egenvård"])
        expect(ingrid.locator("main").get_by_role("link", name="Tider")).to_have_count(0)
        ingrid.goto(f"{app_url}/tider?invanare={anna_id}")
        wait_for_app(ingrid)
        # In place of the times page: why it is closed, the way back, nothing of Anna's.
        expect(ingrid.locator("main")).to_contain_text(
            "Anna Lindqvist har slutat dela sina tider, kontakter och sin plan med dig."
        )
        expect(ingrid.locator("main").get_by_role("link", name="Jag hjälper")).to_be_visible()
        expect(ingrid.get_by_text("Uppföljning av hjärtsvikt")).to_have_count(0)
        _check_page(ingrid, "acting-for-times-closed")

        # Used, changed and expired codes: each refused with its own message.
        for bad_code, message in (
            (code, "Inbjudan har redan använts."),
            (code[:-2] + ("AA" if not code.endswith("AA") else "BB"), "Koden till inbjudan"),
            (_python(app_data_dir, _EXPIRED_INVITATION), "Inbjudan har gått ut."),
        ):
            ingrid.goto(f"{app_url}/inbjudan?kod={bad_code}")
            wait_for_app(ingrid)
            expect(ingrid.get_by_role("alert")).to_contain_text(message)
            expect(ingrid.get_by_role("button", name="Tacka ja och hjälp till")).to_have_count(0)
        _check_page(ingrid, "invitation-refused")

        # Anna's log: exactly what Ingrid did, newest first.
        anna.goto(f"{app_url}/profil/vem-har-sett")
        wait_for_app(anna)
        anna.get_by_label("Vem").select_option(label="Ingrid Granne")
        anna.get_by_role("button", name="Visa").click()
        entries = anna.locator(".log-entry")
        expect(entries.first).to_contain_text("Ingrid Granne")
        # Until the filtered list has replaced the whole log (Erik's and Sara's rows too).
        expect(entries.filter(has_not_text="Ingrid Granne")).to_have_count(0)
        texts = [[line for line in text.split("\n") if line] for text in entries.all_inner_texts()]
        whats = [lines[1] for lines in texts]
        assert all(lines[0] == "Ingrid Granne, närstående" for lines in texts)
        assert whats[-2:] == [
            "Läste dina tider",
            "Tackade ja till din inbjudan och kan nu hjälpa dig",
        ]
        # Between them, what she did for Anna's self-care: read it and ticked a task off.
        assert set(whats[:-2]) == {"Läste din egenvård", "Ändrade din egenvård"}
        _check_page(anna, "access-log")
    finally:
        anna_context.close()
        ingrid_context.close()

    # The capture works (Anna's times did reach Ingrid while shared) …
    assert any("Uppföljning av hjärtsvikt" in frame for frame in frames)
    # … and nothing from what Anna never shared did, on any page Ingrid opened.
    leaked = [f[:200] for f in frames if MEASUREMENT_MARKER in f or PROFILE_MARKER in f]
    assert leaked == []
