"""A relative who has no account, in two browsers: invited, an account made from the
link (a password, or a first sign-in through the identity provider), Hem showing what
is shared, and what happens on the relative's open page when the resident stops.

Each test makes its own resident, so the demo people (and the other tests) are left
alone. What reaches the relative's browser is captured frame by frame, through a
routed websocket that the test can also drop, as a lost connection would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.e2e.browser import (
    PHONE,
    assert_accessible,
    screenshot,
    small_touch_targets,
    wait_for_app,
)
from tests.utils.oidc import RunningProvider

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
RESIDENT_PASSWORD = "residentens eget lösenord"
HELPER_PASSWORD = "tre ord i rad för hjälparen"


@dataclass(frozen=True)
class Resident:
    id: int
    username: str
    name: str
    visit: str  # the purpose of her next agreed time (care_plan)
    task: str  # her daily self-care task (self_care)
    secret: str  # a measurement she never shares


_SETUP = """
import sys
from datetime import timedelta
from naranara import clock
from naranara.db import session_scope
from naranara.models import Measurement, Role
from naranara.services.accounts import create_user
from tests.utils.factories import make_agreed_time, make_task
username, name, visit, task, secret, password = sys.argv[1:7]
with session_scope() as db:
    resident = create_user(session=db, username=username, display_name=name,
                           role=Role.RESIDENT, password=password)
    make_agreed_time(db, resident, starts_at=clock.now() + timedelta(days=2), purpose=visit)
    make_task(db, resident, title=task, time_of_day="08:00")
    db.add(Measurement(resident_id=resident.id, kind="custom", value=1.0, unit="st",
                       custom_name=secret, measured_at=clock.now()))
    db.flush()
    print(resident.id)
"""


def _make_resident(app_data_dir: Path, key: str, name: str) -> Resident:
    values = (
        f"resident-{key}",
        name,
        f"Hembesök-{key}",
        f"Egenvårdsuppgift-{key}",
        f"Hemligt-{key}",
    )
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", _SETUP, *values, RESIDENT_PASSWORD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    resident_id = int(done.stdout.strip().splitlines()[-1])
    return Resident(resident_id, *values)


def _new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def two_browsers(browser: Browser) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    resident, helper = _new_context(browser), _new_context(browser)
    violations: list[str] = []
    for context in (resident, helper):
        context.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
    yield resident, helper
    resident.close()
    helper.close()
    assert violations == [], violations


def _check_page(page: Page, name: str) -> None:
    """A screenshot to look at, axe-core, and touch targets of the app's own shell."""
    screenshot(page, name)
    assert_accessible(page)
    own = page.evaluate(
        "() => [...document.querySelectorAll('.app a[href], .app button, .app input')]"
        ".map(el => el.outerHTML.slice(0, 120))"
    )
    assert [target for target in small_touch_targets(page) if target in own] == [], name


def _header_fits_one_row(page: Page, name: str) -> None:
    """At 360 px wide: brand, "Jag hjälper" and the first name side by side."""
    page.set_viewport_size({"width": 360, "height": 844})
    header = page.locator(".app-header")
    tops = header.evaluate(
        "h => [...h.children].map(c => Math.round(c.getBoundingClientRect().top))"
    )
    assert len(tops) == 3 and max(tops) - min(tops) <= 8, tops
    assert header.bounding_box()["height"] <= 72
    screenshot(page, f"{name}-360")
    assert_accessible(page)
    page.set_viewport_size(PHONE)


@dataclass
class Sockets:
    """Every websocket the helper's tab opens, what the server sent on it, and a way to
    drop it as a lost connection would."""

    routes: list[WebSocketRoute] = field(default_factory=list)
    frames: list[list[str]] = field(default_factory=list)

    def route(self, page: Page) -> None:
        page.route_web_socket(re.compile(r"/_event"), self._open)

    def _open(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        received: list[str] = []
        self.routes.append(ws)
        self.frames.append(received)

        def from_server(message: str | bytes) -> None:
            received.append(
                message if isinstance(message, str) else message.decode("utf-8", "replace")
            )
            ws.send(message)

        server.on_message(from_server)

    def everything(self) -> str:
        return "\n".join(frame for frames in self.frames for frame in frames)


def _resident_invites(page: Page, app_url: str, resident: Resident) -> str:
    page.goto(f"{app_url}/logga-in?next=/profil/narstaende")
    wait_for_app(page)
    page.get_by_label("Användarnamn").fill(resident.username)
    page.get_by_label("Lösenord").fill(RESIDENT_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"/profil/narstaende/?$"))
    wait_for_app(page)
    page.get_by_label("Se mina tider och kontakter").check()
    page.get_by_label("Se och bocka av min egenvård").check()
    page.get_by_role("button", name="Skapa inbjudan").click()
    code = page.locator("#invite-code").inner_text().strip()
    assert len(code) >= 22
    return code


def _resident_turns_off(
    page: Page, app_url: str, helper_name: str, scope_label: str, *, last: bool = False
) -> None:
    """The resident turns one scope off; the ``last`` one takes the helper off her list."""
    page.goto(f"{app_url}/profil/narstaende")
    wait_for_app(page)
    card = page.locator("li.card").filter(has_text=helper_name)
    toggle = card.get_by_role("button", name=scope_label)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    if last:
        expect(card).to_have_count(0)
    else:
        expect(toggle).to_have_attribute("aria-pressed", "false")


def _accept_and_go_home(helper: Page, app_url: str, resident: Resident, name: str) -> None:
    """On plain /inbjudan after the detour: the invitation, accepted; then Hem."""
    helper.wait_for_url(re.compile(re.escape(app_url) + r"/inbjudan/?$"))
    wait_for_app(helper)
    expect(helper.locator("main")).to_contain_text(f"{resident.name} vill ha din hjälp")
    expect(helper.locator("main")).to_contain_text(f"{resident.name} kan ändra eller avsluta")
    _check_page(helper, f"{name}-offer")
    helper.get_by_role("button", name="Tacka ja och hjälp till").click()
    helper.wait_for_url(re.compile(r"/jag-hjalper/?\?ny=1$"))
    wait_for_app(helper)
    _check_page(helper, f"{name}-acting-for")
    helper.locator(".tab-bar").get_by_role("link", name="Hem").click()
    helper.wait_for_url(f"{app_url}/")
    wait_for_app(helper)
    shared = helper.locator("section.helped-person").filter(has_text=resident.name)
    expect(shared.get_by_role("heading", name=resident.name)).to_be_visible()
    expect(shared).to_contain_text(resident.visit)
    expect(shared.get_by_role("checkbox", name=re.compile(resident.task))).to_be_visible()


def _code_only_in_the_invitation_link(urls: list[str], app_url: str, code: str) -> None:
    carrying = [url for url in urls if code in url]
    assert carrying, "the capture works: the link itself carries the code"
    link = re.compile(re.escape(app_url) + r"/inbjudan/?\?kod=")
    assert all(link.match(url) for url in carrying), carrying


def test_a_relative_makes_an_account_from_the_link_helps_and_is_told_when_it_ends(
    two_browsers: tuple[BrowserContext, BrowserContext], app_url: str, app_data_dir: Path
) -> None:
    resident = _make_resident(app_data_dir, "greta", "Greta Ek")
    resident_context, helper_context = two_browsers
    greta, helper = resident_context.new_page(), helper_context.new_page()
    urls: list[str] = []
    helper_context.on("request", lambda request: urls.append(request.url))
    sockets = Sockets()
    sockets.route(helper)

    code = _resident_invites(greta, app_url, resident)

    # The helper has no account: the link offers one.
    helper.goto(f"{app_url}/inbjudan?kod={code}")
    wait_for_app(helper)
    expect(helper.get_by_role("heading", name="Skapa ett konto")).to_be_visible()
    expect(helper.locator("main")).not_to_contain_text(resident.name)  # not before sign-in
    _check_page(helper, "helper-invitation-new-account")
    helper.get_by_label("Ditt namn").fill("Hugo Hjälpare")
    helper.get_by_label("Användarnamn").fill("hugo-hjalpare")
    helper.get_by_label("Lösenord").fill("kort")
    helper.get_by_role("button", name="Skapa konto").click()
    expect(helper.get_by_text("Välj ett lösenord med minst 12 tecken.")).to_be_visible()
    expect(helper.get_by_label("Ditt namn")).to_have_value("Hugo Hjälpare")  # nothing lost
    _check_page(helper, "helper-invitation-password-refused")
    helper.get_by_label("Lösenord").fill(HELPER_PASSWORD)
    helper.get_by_role("button", name="Skapa konto").click()
    _accept_and_go_home(helper, app_url, resident, "helper-password")
    _check_page(helper, "helper-hem")
    _header_fits_one_row(helper, "helper-hem-header")

    # Her self-care page: the banner says whose it is, once, under a one-row header.
    helper.get_by_role("link", name="All egenvård").click()
    helper.wait_for_url(re.compile(rf"/egenvard/mina-uppgifter/?\?invanare={resident.id}$"))
    wait_for_app(helper)
    expect(helper.locator(".acting-for-banner")).to_have_text(re.compile(r"Du hjälper Greta Ek"))
    expect(helper.get_by_text(resident.task)).to_be_visible()
    _check_page(helper, "helper-self-care-banner")
    _header_fits_one_row(helper, "helper-self-care-header")

    # Greta stops sharing her self-care while the helper's page stays open.
    _resident_turns_off(greta, app_url, "Hugo Hjälpare", "Se och bocka av min egenvård")
    # The helper's next click: her tasks go, and the page says why, in plain words.
    helper.get_by_role("button", name="Klar").first.click()
    ended = "Greta Ek har slutat dela sin egenvård med dig."
    expect(helper.get_by_text(ended)).to_be_visible()
    wait_for_app(helper)
    expect(helper.get_by_text(resident.task)).to_have_count(0)
    expect(helper.get_by_text("Du hjälper")).to_have_count(0)
    expect(helper.get_by_text("Det gick inte att spara")).to_have_count(0)
    _check_page(helper, "helper-self-care-ended")
    # After a reload: nothing of hers, no claim that he helps her, and the same reason.
    helper.reload()
    wait_for_app(helper)
    expect(helper.get_by_text(ended)).to_be_visible()
    expect(helper.get_by_text(resident.task)).to_have_count(0)
    expect(helper.get_by_text("Du hjälper")).to_have_count(0)
    _check_page(helper, "helper-self-care-ended-reloaded")

    # Hem keeps what she still shares: her next time, no tasks.
    helper.locator(".tab-bar").get_by_role("link", name="Hem").click()
    helper.wait_for_url(f"{app_url}/")
    wait_for_app(helper)
    expect(helper.locator("section.helped-person")).to_contain_text(resident.visit)
    expect(helper.get_by_text(resident.task)).to_have_count(0)

    # Greta ends the rest; the helper's connection drops and comes back.
    _resident_turns_off(greta, app_url, "Hugo Hjälpare", "Se mina tider och kontakter", last=True)
    opened = len(sockets.routes)
    sockets.routes[-1].close()
    _wait_for(
        helper, lambda: len(sockets.routes) > opened and _first_state_frame(sockets.frames[-1])
    )
    first = _first_state_frame(sockets.frames[-1])
    # The first state the server sends the reconnected tab holds nothing of hers (her
    # name only in the sentence that says she stopped sharing).
    assert "helped" in first, "the reconnected tab's first state, Hem's vars in it"
    stopped = "Greta Ek delar inte längre något med dig."
    assert resident.visit not in first and resident.task not in first
    assert "Greta Ek" not in first.replace(stopped, "")
    # Hem says so, in plain words, and shows nothing else of hers.
    expect(helper.get_by_text(stopped)).to_be_visible()
    expect(helper.get_by_text(resident.visit)).to_have_count(0)
    expect(helper.locator("section.helped-person")).to_have_count(0)
    _check_page(helper, "helper-hem-reconnected-ended")

    # Greta's log says what happened, with his name.
    greta.goto(f"{app_url}/profil/vem-har-sett")
    wait_for_app(greta)
    accepted = greta.locator(".log-entry").filter(has_text="Hugo Hjälpare").last
    expect(accepted).to_contain_text("Tackade ja till din inbjudan och kan nu hjälpa dig")
    accepted.scroll_into_view_if_needed()
    _check_page(greta, "resident-access-log-new-helper")

    _code_only_in_the_invitation_link(urls, app_url, code)
    frames = sockets.everything()
    assert resident.visit in frames and resident.task in frames  # the capture works
    assert resident.secret not in frames  # never shared: never sent


def _wait_for(page: Page, condition: Callable[[], object], timeout_s: float = 15.0) -> None:
    """Until ``condition`` holds; Playwright's events (the routed socket) run meanwhile."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the reconnect"
        page.wait_for_timeout(50)


def _first_state_frame(frames: list[str]) -> str:
    """The first socket.io event the server sent on a connection: the state it hydrates."""
    return next((frame for frame in frames if frame.startswith("42")), "")


def test_a_first_sign_in_through_the_identity_provider_keeps_the_invitation(
    two_browsers: tuple[BrowserContext, BrowserContext],
    app_url: str,
    app_data_dir: Path,
    oidc_provider: RunningProvider,
) -> None:
    resident = _make_resident(app_data_dir, "sigrid", "Sigrid Berg")
    resident_context, helper_context = two_browsers
    sigrid, helper = resident_context.new_page(), helper_context.new_page()
    urls: list[str] = []
    helper_context.on("request", lambda request: urls.append(request.url))
    code = _resident_invites(sigrid, app_url, resident)

    helper.goto(f"{app_url}/inbjudan?kod={code}")
    wait_for_app(helper)
    helper.get_by_role("link", name="Logga in med Test-ID").click()
    helper.wait_for_url(re.compile(re.escape(oidc_provider.issuer) + r"/interaction/"))
    helper.locator("input[name=login]").fill("e2e-hjalpare")
    helper.locator("input[name=password]").fill("any-password")
    helper.locator("button[type=submit]").click()
    helper.wait_for_url(lambda url: url.startswith(app_url) or "/interaction/" in url)
    if not helper.url.startswith(app_url):
        helper.get_by_role("button", name="Continue").click()
    # Back at the invitation, not at /valkommen: the browser held it on the detour.
    _accept_and_go_home(helper, app_url, resident, "helper-oidc")
    _check_page(helper, "helper-oidc-hem")

    _resident_turns_off(sigrid, app_url, "Test e2e-hjalpare", "Se och bocka av min egenvård")
    shared = helper.locator("section.helped-person").filter(has_text=resident.name)
    shared.get_by_role("checkbox", name=re.compile(resident.task)).click()
    expect(helper.get_by_text("Sigrid Berg har slutat dela sin egenvård med dig.")).to_be_visible()
    wait_for_app(helper)
    expect(helper.get_by_text(resident.task)).to_have_count(0)
    expect(shared).to_contain_text(resident.visit)  # what she still shares stays
    _check_page(helper, "helper-oidc-hem-ended")
    _code_only_in_the_invitation_link(urls, app_url, code)
