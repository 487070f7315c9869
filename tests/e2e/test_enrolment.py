"""A nurse enrols a new resident, who activates on her own phone; a time agreed from both sides.

From the UI alone, in two browsers at phone size: Sara enrols Märta and prints the
activation sheet; Märta activates with the code from the sheet, sees the time Sara
recorded and asks for another; Sara sees the request and moves the time; Märta sees
the change in the time's history. Every page added for this is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from naranara import clock
from tests.e2e.browser import (
    ARTIFACTS,
    PHONE,
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)

pytestmark = pytest.mark.e2e
PASSWORD = "tre ord om sommaren"


def _new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    return context


def _check_page(page: Page, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)
    # The app's own shell only: a service worker's "new version" notice is not a page's.
    own = page.evaluate(
        "() => [...document.querySelectorAll('.app a[href], .app button, .app input, "
        ".app select')].map(el => el.outerHTML.slice(0, 120))"
    )
    assert [target for target in small_touch_targets(page) if target in own] == [], name


def _day(days_ahead: int) -> str:
    return (clock.local_now() + timedelta(days=days_ahead)).date().isoformat()


def test_enrol_activate_answer_and_move_a_time(browser: Browser, app_url: str) -> None:
    sara_context, marta_context = _new_context(browser), _new_context(browser)
    try:
        sara, marta = sara_context.new_page(), marta_context.new_page()

        # Sara: Invånare -> Skriv in en invånare.
        sign_in(sara, app_url, username="sara")
        sara.get_by_role("navigation", name="Huvudmeny").get_by_role(
            "link", name="Invånare"
        ).click()
        sara.wait_for_url(re.compile(r"/mina-invanare/?$"))
        wait_for_app(sara)
        expect(sara.get_by_role("heading", name="Anna Lindqvist")).to_be_visible()
        _check_page(sara, "enrol-my-residents")
        sara.get_by_role("link", name="Skriv in en invånare").click()
        sara.wait_for_url(re.compile(r"/mina-invanare/ny/?$"))
        wait_for_app(sara)
        _check_page(sara, "enrol-form")
        sara.get_by_label("Namn", exact=True).fill("Märta Ek")
        sara.get_by_label("Telefonnummer").fill("070-765 43 21")
        sara.get_by_label("Personnummer (frivilligt)").fill("19390807-4564")
        sara.get_by_role("button", name="Skriv in och gör aktiveringspappret").click()
        expect(
            sara.get_by_role("heading", name=re.compile("Välkommen till Nära, Märta Ek"))
        ).to_be_visible()
        expect(
            sara.get_by_role("img", name="QR-kod med länken för att aktivera ditt konto")
        ).to_be_visible()
        code = sara.locator("#activation-code").inner_text().strip()
        username = sara.locator("#activation-username").inner_text().strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code) and username == "marta.ek"
        # The page never shows the personnummer again, nor puts it in the address.
        assert "4564" not in sara.locator("body").inner_text() and "19390807" not in sara.url
        _check_page(sara, "enrol-activation-sheet")
        sara.get_by_role("button", name="Skriv ut").click()  # window.print(): headless returns
        sara.emulate_media(media="print")
        expect(sara.locator(".app-header")).to_be_hidden()
        expect(sara.get_by_role("button", name="Skriv ut")).to_be_hidden()
        expect(sara.locator(".print-sheet")).to_be_visible()
        sara.screenshot(path=str(ARTIFACTS / "enrol-activation-sheet-printed.png"), full_page=True)
        sara.emulate_media(media="screen")

        # Sara records a time for Märta.
        sara.get_by_role("link", name="Lägg till en tid").click()
        sara.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(sara)
        expect(sara.get_by_role("heading", name="Tider för Märta Ek")).to_be_visible()
        sara.get_by_role("link", name="Lägg till tid").click()
        wait_for_app(sara)
        sara.get_by_label("Vad gäller tiden?").fill("Blodprov och samtal")
        sara.get_by_label("Datum").fill(_day(10))
        sara.get_by_label("Börjar").fill("10:00")
        sara.get_by_label("Slutar").fill("10:30")
        sara.get_by_role("button", name="Spara").click()
        sara.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(sara)
        expect(sara.get_by_text("Blodprov och samtal")).to_be_visible()

        # Märta, on her own phone: the address and the code from the sheet.
        marta.goto(f"{app_url}/aktivera")
        wait_for_app(marta)
        _check_page(marta, "activation-code")
        marta.get_by_label("Koden på ditt papper").fill(code.lower())
        marta.get_by_role("button", name="Fortsätt").click()
        marta.wait_for_url(re.compile(r"/aktivera\?kod=[0-9A-Z]{12}$"))
        wait_for_app(marta)
        expect(marta.locator("main")).to_contain_text("Märta Ek")
        expect(marta.locator("#activation-username")).to_have_text("marta.ek")
        _check_page(marta, "activation-password")
        marta.get_by_label("Välj ett lösenord").fill("kort")
        marta.get_by_label("Skriv lösenordet en gång till").fill("kort")
        marta.get_by_role("button", name="Aktivera mitt konto").click()
        expect(marta.locator("#activation-password-error")).to_contain_text("minst 12 tecken")
        marta.get_by_label("Välj ett lösenord").fill(PASSWORD)
        marta.get_by_label("Skriv lösenordet en gång till").fill(PASSWORD)
        marta.get_by_role("button", name="Aktivera mitt konto").click()
        marta.wait_for_url(re.compile(r"/valkommen/?$"))
        wait_for_app(marta)
        expect(marta.get_by_role("heading", level=1)).to_have_text("Ditt konto är klart")

        # She sees the time Sara recorded, read-only, and asks for another.
        marta.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Tider").click()
        marta.wait_for_url(re.compile(r"/tider/?$"))
        wait_for_app(marta)
        card = marta.locator("article.card").filter(has_text="Blodprov och samtal")
        expect(card).to_contain_text("Tillagt av Sara Holm, Hälsocentralen Nacksta")
        expect(card.get_by_role("link", name="Ändra")).to_have_count(0)
        card.get_by_role("button", name="Jag behöver en annan tid").click()
        card.get_by_label("Vad passar dig bättre?").fill("Jag kan bara på eftermiddagen.")
        _check_page(marta, "answer-other-time")
        card.get_by_role("button", name="Skicka").click()
        expect(marta.locator("main p[role=status]")).to_contain_text("Skickat")
        expect(card).to_contain_text("Svar: behöver en annan tid")

        # Sara sees the request in her list, and moves the time.
        sara.goto(f"{app_url}/mina-invanare")
        wait_for_app(sara)
        resident = sara.locator("li.card").filter(has_text="Märta Ek")
        resident.get_by_role("link", name="1 önskemål om en annan tid").click()
        sara.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(sara)
        request = sara.get_by_role("group", name="Önskemål om en annan tid")
        expect(request).to_contain_text(
            "Märta Ek ber om en annan tid: Jag kan bara på eftermiddagen."
        )
        _check_page(sara, "answer-request-for-staff")
        request.get_by_role("link", name="Flytta tiden").click()
        sara.wait_for_url(re.compile(r"/tider/andra\?tid=\d+&invanare=\d+$"))
        wait_for_app(sara)
        sara.get_by_label("Datum").fill(_day(11))
        sara.get_by_label("Börjar").fill("14:00")
        sara.get_by_label("Slutar").fill("14:30")
        sara.get_by_role("button", name="Spara").click()
        sara.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(sara)
        expect(sara.get_by_role("group", name="Önskemål om en annan tid")).to_have_count(0)

        # Märta sees the change, and in the history who did it.
        marta.reload()
        wait_for_app(marta)
        card = marta.locator("article.card").filter(has_text="Blodprov och samtal")
        expect(card).to_contain_text("kl. 14.00")
        expect(card).to_contain_text("Ändrad: tiden flyttades från")
        card.get_by_text("Historik").click()
        history = card.locator(".time-history")
        expect(history).to_contain_text("Sara Holm, Hälsocentralen Nacksta lade in tiden.")
        expect(history).to_contain_text("Du bad om en annan tid. Vårdenheten har svarat.")
        expect(history).to_contain_text("Jag kan bara på eftermiddagen.")
        expect(history).to_contain_text(
            re.compile(
                r"Sara Holm, Hälsocentralen Nacksta flyttade tiden från .* till .*kl\. 14\.00\."
            )
        )
        card.scroll_into_view_if_needed()
        _check_page(marta, "answer-history")
    finally:
        sara_context.close()
        marta_context.close()


def test_the_care_sides_other_pages(browser: Browser, app_url: str) -> None:
    """Dela med vården (Anna), the resident's page and the unit's follow-up (Sara), /admin."""
    context = _new_context(browser)
    try:
        page = context.new_page()
        sign_in(page, app_url, username="anna")
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Profil").click()
        wait_for_app(page)
        page.get_by_role("link", name="Dela med vården").click()
        wait_for_app(page)
        share = page.get_by_role("button", name="Mina mätvärden")
        expect(share).to_have_attribute("aria-pressed", "false")
        share.click()
        expect(share).to_have_attribute("aria-pressed", "true")
        _check_page(page, "care-sharing")
        context.clear_cookies()

        sign_in(page, app_url, username="sara")
        page.goto(f"{app_url}/mina-invanare")
        wait_for_app(page)
        follow_up = page.get_by_role("region", name="Att följa upp")
        expect(follow_up).to_contain_text("Anna Lindqvist")
        _check_page(page, "my-residents-follow-up")
        follow_up.get_by_role("link").first.click()
        page.wait_for_url(re.compile(r"/mina-invanare/invanare\?invanare=\d+$"))
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Anna Lindqvist", level=1)).to_be_visible()
        expect(page.locator("main")).to_contain_text("19450312-••••")
        _check_page(page, "resident-overview")
        page.goto(f"{app_url}/mina-invanare")
        wait_for_app(page)
        page.locator("li.card").filter(has_text="Greta Nilsson").get_by_role(
            "link", name="Greta Nilsson"
        ).click()
        wait_for_app(page)
        page.get_by_role("button", name="Gör ett nytt aktiveringspapper").click()
        expect(page.locator("#activation-username")).to_have_text("greta.nilsson")
        _check_page(page, "resident-overview-new-sheet")
        context.clear_cookies()

        sign_in(page, app_url, username="alva")
        page.get_by_role("navigation", name="Huvudmeny").get_by_role(
            "link", name="Administration"
        ).click()
        page.wait_for_url(re.compile(r"/admin/?$"))
        wait_for_app(page)
        page.get_by_role("button", name="Ny vårdenhet").click()
        page.get_by_label("Enhetens namn").fill("Hälsocentralen Granloholm")
        page.get_by_label("Organisation").fill("Region Västernorrland")
        _check_page(page, "admin-new-unit")
        page.get_by_role("button", name="Spara").click()
        expect(page.get_by_role("status")).to_contain_text("Sparat: Hälsocentralen Granloholm.")
        page.get_by_label("Namn", exact=True).fill("Kim Lund")
        page.get_by_label("Användarnamn").fill("kim.lund")
        page.get_by_label("Arbetar på").select_option(label="Hälsocentralen Granloholm")
        page.get_by_label("Första lösenord", exact=True).fill("ett första lösenord för kim")
        page.get_by_role("button", name="Skapa kontot").click()
        expect(page.get_by_role("status")).to_contain_text("Kontot för Kim Lund är klart.")
        _check_page(page, "admin")
        page.get_by_role("link", name=re.compile("^Kim Lund")).click()
        page.wait_for_url(re.compile(r"/admin/personal\?konto=\d+$"))
        wait_for_app(page)
        expect(page.get_by_text("Hälsocentralen Granloholm")).to_be_visible()
        _check_page(page, "admin-staff")
    finally:
        context.close()
