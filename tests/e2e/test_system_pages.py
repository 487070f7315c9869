"""Reflex's system pages in Nära's own words: the 404 page and the "new version" banner."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, WebSocketRoute, expect

from naranara.frontend_plugins import BANNER_BUTTON, BANNER_TEXT
from tests.e2e.browser import (
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def test_an_unknown_address_gets_a_swedish_page_in_the_shell(page: Page, app_url: str) -> None:
    response = page.goto(f"{app_url}/finns-inte/alls")
    assert response is not None and response.status == 404
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    expect(page).to_have_title("Sidan finns inte – Nära")
    expect(page.locator("header").get_by_role("link", name="Nära, till startsidan")).to_be_visible()
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_visible()
    expect(page.get_by_text("404: Page not found")).to_have_count(0)
    screenshot(page, "not-found")
    assert_accessible(page)
    assert small_touch_targets(page) == []
    page.get_by_role("link", name="Gå till startsidan").click()
    page.wait_for_url(f"{app_url}/")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen till Nära")


def test_a_signed_in_resident_keeps_her_header_on_the_404_page(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    response = page.goto(f"{app_url}/tider/finns-inte")
    assert response is not None and response.status == 404
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    expect(page.locator("header").get_by_role("link", name="Anna Lindqvist")).to_have_text("Anna")


def test_the_404_answer_itself_is_the_app_not_reflex_text(app_url: str) -> None:
    response = httpx.get(f"{app_url}/ingen-sadan-sida")
    assert response.status_code == 404
    assert "404: Page not found" not in response.text


def _as_an_older_bundle(route: WebSocketRoute) -> None:
    """The page's socket, passed through, except that its connect packet claims another
    state schema: what an open tab built for the previous release says after an upgrade."""
    server = route.connect_to_server()

    def to_server(message: str | bytes) -> None:
        if isinstance(message, str) and message.startswith("40") and "state_schema" in message:
            prefix, _, payload = message.partition("{")
            auth = json.loads("{" + payload)
            auth["state_schema"] = "an-older-release"
            message = prefix + json.dumps(auth)
        server.send(message)

    route.on_message(to_server)


def test_a_new_version_is_announced_in_swedish_with_a_large_button(
    context: BrowserContext, page: Page, app_url: str
) -> None:
    context.route_web_socket(re.compile(r"/_event"), _as_an_older_bundle)
    page.goto(app_url)
    # Reflex reloads once on a mismatch; within its cooldown, the banner shows instead.
    banner = page.locator("#reflex-new-version-banner")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text(BANNER_TEXT)
    expect(banner).not_to_contain_text("A new version of this app")
    button = banner.get_by_role("button", name=BANNER_BUTTON)
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    screenshot(page, "new-version-banner")
    assert_accessible(page)
    with page.expect_navigation():
        button.click()
