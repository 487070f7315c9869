"""After signing in, the browser stays on the app: every open-redirect bypass form, as
Chromium resolves it (issue 17). The same corpus runs through ``routes.safe_next`` in
tests/unit/test_safe_next.py; here each one goes through a real sign-in.

A request to any host but the app's is recorded and aborted (there is no network here
anyway), so a redirect that escaped would show as a foreign request or a final URL
on another origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route

from tests.e2e.browser import screenshot, wait_for_app
from tests.utils.redirect_payloads import BYPASSES

pytestmark = pytest.mark.e2e


@pytest.fixture
def foreign(context: BrowserContext, app_url: str) -> Iterator[list[str]]:
    """Every request the pages of this context try to send to another origin."""
    own = urlsplit(app_url).netloc
    tried: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield tried


def _left_the_sign_in(url: str) -> bool:
    path = urlsplit(url).path
    return not path.rstrip("/").endswith("/logga-in") and not path.startswith("/auth/")


def _sign_in_with_next(page: Page, app_url: str, next_value: str) -> str:
    page.goto(f"{app_url}/logga-in?{urlencode({'next': next_value})}")
    wait_for_app(page)
    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord").fill("nara-demo")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(_left_the_sign_in)
    page.wait_for_load_state("load")
    return page.url


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_a_page_of_the_app_is_where_the_sign_in_leads(
    page: Page, app_url: str, foreign: list[str]
) -> None:
    # The control: ``next`` is followed when it is a page, so the corpus below is tested
    # against a working way back, not a flow that ignores it.
    final = _sign_in_with_next(page, app_url, "/tider")
    assert urlsplit(final).path.rstrip("/") == "/tider"
    assert foreign == []


@pytest.mark.parametrize("next_value", BYPASSES)
def test_no_bypass_form_leaves_the_app_after_a_real_sign_in(
    page: Page, app_url: str, foreign: list[str], next_value: str
) -> None:
    final = _sign_in_with_next(page, app_url, next_value)
    assert _origin(final) == app_url, final
    assert foreign == [], foreign
    wait_for_app(page)
    assert urlsplit(page.url).path == "/", page.url  # not a page: home
    if next_value == "//evil.example":
        screenshot(page, "redirects-after-sign-in")


@pytest.mark.parametrize("next_value", BYPASSES)
def test_no_bypass_form_leaves_the_app_through_the_fresh_client_page(
    page: Page, app_url: str, foreign: list[str], next_value: str
) -> None:
    # Written into the address as an attacker's link would be, unencoded: Chromium parses
    # it, the server reads ``next`` from what Chromium sent, the page's script navigates.
    page.goto(f"{app_url}/auth/fresh?next={next_value}")
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/auth/"))
    page.wait_for_load_state("load")
    assert _origin(page.url) == app_url, page.url
    assert foreign == [], foreign
