"""A visitor and a resident use the app in Chromium at phone size."""

from __future__ import annotations

import base64
import os
import re
import socket
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.browser import (
    PHONE,
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def test_visitor_sees_a_welcome_in_swedish(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen till Nära")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    menu = page.get_by_role("navigation", name="Huvudmeny")
    expect(menu.get_by_role("link")).to_have_text(["Hem", "Egenvård", "Logga in"])
    screenshot(page, "start")
    assert_accessible(page)
    assert small_touch_targets(page) == []


@pytest.mark.parametrize("path", ["/tider", "/kontakter", "/profil"])
def test_personal_pages_need_sign_in(page: Page, app_url: str, path: str) -> None:
    page.goto(app_url + path)
    page.wait_for_url(re.compile(r"/logga-in\?next="))
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    assert page.get_by_text("Anna Lindqvist").count() == 0


def test_wrong_password_is_explained_and_the_username_kept(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/logga-in")
    wait_for_app(page)
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Användarnamnet eller lösenordet stämmer inte. Kontrollera och försök igen."
    )
    expect(page.get_by_label("Användarnamn")).to_have_value("anna")
    assert page.context.cookies() and not any(
        c["name"] == "nara_session" for c in page.context.cookies()
    )
    screenshot(page, "sign-in-error")
    assert_accessible(page)


def test_resident_sees_today_from_the_database(
    page: Page, context: BrowserContext, app_url: str
) -> None:
    sign_in(page, app_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Anna")
    # The first name keeps the header to one row; the link's name is the whole name.
    expect(page.locator("header").get_by_role("link", name="Anna Lindqvist")).to_have_text("Anna")
    next_time = page.get_by_role("region", name="Din nästa tid")
    expect(next_time).to_contain_text("Uppföljning av hjärtsvikt")
    expect(next_time).to_contain_text(
        re.compile(r"(måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag) \d{1,2} \w+ kl\. 10\.00")
    )
    tasks = page.get_by_role("region", name="Egenvård i dag").get_by_role("checkbox")
    expect(tasks).to_have_count(3)
    expect(tasks.first).to_contain_text("Väg dig")
    expect(page.get_by_role("region", name="Råd till dig").get_by_role("listitem")).to_have_count(3)
    session_cookie = next(c for c in context.cookies() if c["name"] == "nara_session")
    assert session_cookie["httpOnly"] is True
    assert session_cookie["sameSite"] == "Lax"
    assert "nara_session" not in page.evaluate("document.cookie")
    screenshot(page, "home-today")
    assert_accessible(page)
    assert small_touch_targets(page) == []


def test_marking_a_task_done_is_saved(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    task = page.get_by_role("checkbox", name=re.compile("Promenera 20 minuter"))
    expect(task).to_have_attribute("aria-checked", "false")
    task.click()
    expect(task).to_have_attribute("aria-checked", "true")
    page.reload()
    wait_for_app(page)
    task = page.get_by_role("checkbox", name=re.compile("Promenera 20 minuter"))
    expect(task).to_have_attribute("aria-checked", "true")
    task.click()
    expect(task).to_have_attribute("aria-checked", "false")


@pytest.mark.parametrize(
    ("path", "heading", "shot"),
    [
        ("/tider", "Dina överenskomna tider", "times"),
        ("/kontakter", "Dina vårdkontakter", "contacts"),
        ("/egenvard", "Egenvårdsråd", "guidance"),
        (
            "/egenvard/vag-dig-vid-hjartsvikt",
            "Väg dig varje dag när du har hjärtsvikt",
            "guidance-article",
        ),
        ("/profil", "Profil", "profile"),
    ],
)
def test_each_tab_for_a_resident(
    page: Page, app_url: str, path: str, heading: str, shot: str
) -> None:
    sign_in(page, app_url)
    page.goto(app_url + path)
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    menu = page.get_by_role("navigation", name="Huvudmeny")
    expect(menu.get_by_role("link")).to_have_text(
        ["Hem", "Tider", "Kontakter", "Egenvård", "Profil"]
    )
    screenshot(page, shot)
    assert_accessible(page)
    assert small_touch_targets(page) == []


def test_agreed_times_show_changes_openly(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    page.goto(f"{app_url}/tider")
    wait_for_app(page)
    upcoming = page.get_by_role("region", name="Kommande")
    expect(upcoming.get_by_role("article")).to_have_count(3)
    expect(upcoming.get_by_role("article").nth(1)).to_contain_text("Ändrad")
    expect(page.get_by_role("region", name="Tidigare")).to_contain_text(
        "Samordnad individuell plan"
    )


def test_contacts_can_be_called(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    page.goto(f"{app_url}/kontakter")
    wait_for_app(page)
    call = page.get_by_role("link", name="Ring 060-123 45 00").first
    expect(call).to_have_attribute("href", "tel:+46601234500")


def test_guidance_is_public_and_safe(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/egenvard")
    wait_for_app(page)
    expect(page.get_by_role("link", name=re.compile("Så förebygger du fall hemma"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Väg dig varje dag")).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=2, name="Så väger du dig")).to_be_visible()
    expect(page.locator(".warning-box")).to_contain_text("Ring 112")
    screenshot(page, "guidance-article-visitor")
    assert_accessible(page)


def test_language_is_switched_at_run_time_and_kept_per_account(page: Page, app_url: str) -> None:
    sign_in(page, app_url, username="erik")
    page.goto(f"{app_url}/profil")
    wait_for_app(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Profile")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link")).to_have_text(
        ["Home", "Times", "Contacts", "Self-care", "Profile"]
    )
    screenshot(page, "profile-english")
    # Stored on the account: a new browser signing in as the same person gets English.
    other = page.context.browser.new_context(viewport=PHONE)
    try:
        other_page = other.new_page()
        other_page.goto(f"{app_url}/logga-in")
        wait_for_app(other_page)
        other_page.get_by_label("Användarnamn").fill("erik")
        other_page.get_by_label("Lösenord").fill("nara-demo")
        other_page.get_by_role("button", name="Logga in").click()
        other_page.wait_for_url(f"{app_url}/")
        wait_for_app(other_page)
        expect(other_page.get_by_role("heading", level=1)).to_have_text("Hello Erik")
    finally:
        other.close()
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Profil")


def test_visitor_language_is_kept_in_a_cookie(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Nära")
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Nära")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_signing_out_ends_the_session_on_the_server(
    page: Page, context: BrowserContext, app_url: str
) -> None:
    sign_in(page, app_url)
    old_cookie = next(c for c in context.cookies() if c["name"] == "nara_session")
    page.goto(f"{app_url}/profil")
    wait_for_app(page)
    page.get_by_role("button", name="Logga ut", exact=True).click()
    page.wait_for_url(f"{app_url}/")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen till Nära")
    # The old cookie value, replayed, no longer signs anyone in.
    context.add_cookies([old_cookie])
    page.goto(f"{app_url}/tider")
    page.wait_for_url(re.compile(r"/logga-in"))


def test_keyboard_reaches_the_skip_link_first(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_double_text_size_does_not_scroll_sideways(browser, app_url: str) -> None:  # noqa: ANN001
    # 200 % zoom on a 390 px phone leaves 195 CSS px of width.
    context = browser.new_context(viewport={"width": 195, "height": 422}, device_scale_factor=2)
    try:
        page = context.new_page()
        sign_in(page, app_url)
        pages = [
            ("/", "home-200pct", "Hej Anna", "Uppföljning av hjärtsvikt"),
            ("/kontakter", "contacts-200pct", "Dina vårdkontakter", "Maria Sjöberg"),
        ]
        for path, name, heading, content in pages:
            page.goto(app_url + path)
            wait_for_app(page)
            # The page is there, with Anna's data, before its width says anything.
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            expect(page.locator("main")).to_contain_text(content)
            screenshot(page, name)
            too_wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
                        || el.scrollWidth > el.clientWidth + 1)
                    .map(el => el.outerHTML.slice(0, 80))"""
            )
            assert too_wide == [], f"{path} scrolls sideways: {too_wide}"
    finally:
        context.close()


def test_still_good_on_a_desktop(browser, app_url: str) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, app_url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Hej Anna")
        main = page.locator("main").bounding_box()
        # One calm column in the middle, not a phone layout stretched across the screen.
        assert main["width"] <= 760
        assert abs((main["x"] + main["width"] / 2) - 640) < 10
        screenshot(page, "home-desktop")
        assert_accessible(page)
    finally:
        context.close()


def _websocket_handshake_status(app_url: str, origin: str) -> int:
    """The status line a WebSocket upgrade of Reflex's event socket gets for ``origin``."""
    url = urlsplit(app_url)
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {url.netloc}\r\n"
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(request.encode())
        status_line = conn.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


@pytest.mark.parametrize(("origin", "accepted"), [("own", True), ("http://evil.example", False)])
def test_the_websocket_refuses_pages_of_other_origins(
    app_url: str, origin: str, accepted: bool
) -> None:
    status = _websocket_handshake_status(app_url, app_url if origin == "own" else origin)
    assert (status == 101) is accepted, status


def test_each_change_of_person_starts_a_fresh_reflex_client(page: Page, app_url: str) -> None:
    """A shared computer: the next person's tab must not resume the previous person's state."""
    token = "sessionStorage.getItem('token')"
    page.goto(app_url)
    wait_for_app(page)
    visitor = page.evaluate(token)
    sign_in(page, app_url)
    resident = page.evaluate(token)
    assert resident and resident != visitor
    page.goto(f"{app_url}/profil")
    wait_for_app(page)
    page.get_by_role("button", name="Logga ut", exact=True).click()
    page.wait_for_url(f"{app_url}/")
    wait_for_app(page)
    after = page.evaluate(token)
    assert after and after not in (visitor, resident)
