"""Signing in through a real OpenID Provider in Chromium: login and consent at the provider."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.browser import assert_accessible, screenshot, small_touch_targets, wait_for_app
from tests.utils.oidc import RunningProvider

pytestmark = pytest.mark.e2e


def _through_provider(page: Page, app_url: str, issuer: str, login: str) -> None:
    """From the sign-in page, through the provider's login and consent pages, back to the app."""
    page.goto(f"{app_url}/logga-in")
    wait_for_app(page)
    page.get_by_role("link", name="Logga in med Test-ID").click()
    page.wait_for_url(re.compile(re.escape(issuer) + r"/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any-password")
    page.locator("button[type=submit]").click()
    # The provider asks for consent on a page of its own (a new browser asks again).
    page.wait_for_url(lambda url: url.startswith(app_url) or "/interaction/" in url)
    if not page.url.startswith(app_url):
        expect(page.locator("input[name=prompt]")).to_have_value("consent")
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: url.startswith(app_url) and "/auth/oidc/" not in url)
    wait_for_app(page)


def _count(data_dir: Path, sql: str, *params: str) -> int:
    with sqlite3.connect(data_dir / "nara.db") as db:
        return db.execute(sql, params).fetchone()[0]


def test_sign_in_page_offers_the_identity_provider(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/logga-in")
    wait_for_app(page)
    button = page.get_by_role("link", name="Logga in med Test-ID")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("href", "/auth/oidc/testid/login?next=%2F")
    expect(page.get_by_label("Användarnamn")).to_be_visible()
    screenshot(page, "sign-in-providers")
    assert_accessible(page)
    assert small_touch_targets(page) == []


def test_new_resident_is_welcomed_then_the_same_person_is_recognised(
    page: Page,
    context: BrowserContext,
    app_url: str,
    app_data_dir: Path,
    oidc_provider: RunningProvider,
) -> None:
    _through_provider(page, app_url, oidc_provider.issuer, "e2e-ella")
    assert re.fullmatch(re.escape(app_url) + r"/valkommen/?", page.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ditt konto är klart")
    expect(page.locator("main")).to_contain_text("Test e2e-ella")
    expect(page.get_by_role("heading", name="Vad är viktigt för dig?")).to_be_visible()
    session_cookie = next(c for c in context.cookies() if c["name"] == "nara_session")
    assert session_cookie["httpOnly"] is True
    screenshot(page, "welcome")
    assert_accessible(page)
    assert small_touch_targets(page) == []

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is ready")
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ditt konto är klart")
    page.get_by_role("link", name="Fortsätt till Hem").click()
    page.wait_for_url(f"{app_url}/")
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Test")

    # Another browser, the same person at the provider: the same account, no welcome.
    other = context.browser.new_context(viewport=page.viewport_size, locale="sv-SE")
    try:
        again = other.new_page()
        _through_provider(again, app_url, oidc_provider.issuer, "e2e-ella")
        assert again.url == f"{app_url}/"
        expect(again.get_by_role("heading", level=1)).to_have_text("Hej Test")
    finally:
        other.close()
    assert (
        _count(app_data_dir, "SELECT count(*) FROM external_identity WHERE subject = ?", "e2e-ella")
        == 1
    )
    assert (
        _count(
            app_data_dir,
            "SELECT count(*) FROM user_account WHERE display_name = ?",
            "Test e2e-ella",
        )
        == 1
    )


def test_signing_out_also_signs_out_at_the_provider(
    page: Page, context: BrowserContext, app_url: str, oidc_provider: RunningProvider
) -> None:
    _through_provider(page, app_url, oidc_provider.issuer, "e2e-utloggning")
    page.goto(f"{app_url}/profil")
    wait_for_app(page)
    page.get_by_role("button", name="Logga ut", exact=True).click()
    # The provider's own sign-out page, reached with our id_token_hint.
    page.wait_for_url(re.compile(re.escape(oidc_provider.issuer) + r"/session/end"))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(app_url) + r"/"))
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen till Nära")
    assert not any(c["name"] == "nara_session" for c in context.cookies())


def test_a_forged_callback_is_refused_with_a_clear_message(
    page: Page, context: BrowserContext, app_url: str
) -> None:
    page.goto(f"{app_url}/auth/oidc/testid/callback?code=forged&state=forged")
    page.wait_for_url(re.compile(re.escape(app_url) + r"/logga-in/?\?fel=oidc-state$"))
    wait_for_app(page)
    expect(page.get_by_role("alert")).to_have_text(
        "Inloggningen kunde inte slutföras: den har redan använts eller påbörjades "
        "i ett annat fönster. Börja om."
    )
    assert not any(c["name"] == "nara_session" for c in context.cookies())
    assert_accessible(page)
