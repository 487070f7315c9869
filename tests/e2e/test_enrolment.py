"""The whole patient contract from the UI alone, in three browsers at phone size.

Alva (administrator) makes a care unit and a nurse's account; the nurse, Kim, enrols
Märta and prints the activation sheet; Märta activates on her own phone, sees the time
Kim recorded and asks for another; Kim sees the request and moves the time; Märta sees
the change in the history, invites her son, who has no account; he makes one from the
link and sees her time on Hem, and nothing she did not share; Märta turns the sharing
off, and his open page says so at his next click. Every page on the way is checked
with axe-core at 390 × 844, and photographed to be looked at.
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
STAFF_PASSWORD = "ett första lösenord för kim"
RELATIVE_PASSWORD = "min mammas son sedan länge"


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


def _tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name).click()


def test_the_patient_contract_from_the_ui_alone(browser: Browser, app_url: str) -> None:
    contexts = [_new_context(browser) for _ in range(3)]
    violations: list[str] = []
    for context in contexts:
        context.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
    try:
        kim, marta, nils = (context.new_page() for context in contexts)

        # Alva, the administrator: a new care unit, and a nurse's account in it.
        sign_in(kim, app_url, username="alva")
        _tab(kim, "Administration")
        kim.wait_for_url(re.compile(r"/admin/?$"))
        wait_for_app(kim)
        kim.get_by_role("button", name="Ny vårdenhet").click()
        kim.get_by_label("Enhetens namn").fill("Hälsocentralen Granloholm")
        kim.get_by_label("Organisation").fill("Region Västernorrland")
        _check_page(kim, "contract-admin-new-unit")
        kim.get_by_role("button", name="Spara").click()
        expect(kim.locator("main p[role=status]")).to_contain_text(
            "Sparat: Hälsocentralen Granloholm."
        )
        kim.get_by_label("Namn", exact=True).fill("Kim Lund")
        kim.get_by_label("Användarnamn").fill("kim.lund")
        kim.get_by_label("Arbetar på").select_option(label="Hälsocentralen Granloholm")
        kim.get_by_label("Första lösenord", exact=True).fill(STAFF_PASSWORD)
        kim.get_by_role("button", name="Skapa kontot").click()
        expect(kim.locator("main p[role=status]")).to_contain_text("Kontot för Kim Lund är klart.")
        _check_page(kim, "contract-admin")
        kim.get_by_role("link", name=re.compile("^Kim Lund")).click()
        kim.wait_for_url(re.compile(r"/admin/personal\?konto=\d+$"))
        wait_for_app(kim)
        # The account page, not the list it came from (which names the unit three times).
        expect(kim.get_by_role("heading", level=1, name="Kim Lund")).to_be_visible()
        expect(
            kim.get_by_role("region", name="Enheter").get_by_text(
                "Hälsocentralen Granloholm", exact=True
            )
        ).to_be_visible()
        _check_page(kim, "contract-admin-staff")
        contexts[0].clear_cookies()

        # Kim, the new nurse, with her first password: Invånare -> Skriv in en invånare.
        sign_in(kim, app_url, username="kim.lund", password=STAFF_PASSWORD)
        _check_page(kim, "contract-nurse-hem")
        _tab(kim, "Invånare")
        kim.wait_for_url(re.compile(r"/mina-invanare/?$"))
        wait_for_app(kim)
        residents_tab = kim.get_by_role("navigation", name="Huvudmeny").get_by_role(
            "link", name="Invånare"
        )
        expect(residents_tab).to_have_attribute("aria-current", "page")
        expect(kim.get_by_role("heading", name="Anna Lindqvist")).to_have_count(0)  # Sara's
        _check_page(kim, "enrol-my-residents")
        kim.get_by_role("link", name="Skriv in en invånare").click()
        kim.wait_for_url(re.compile(r"/mina-invanare/ny/?$"))
        wait_for_app(kim)
        _check_page(kim, "enrol-form")
        kim.get_by_label("Namn", exact=True).fill("Märta Ek")
        kim.get_by_label("Telefonnummer").fill("070-765 43 21")
        kim.get_by_label("Personnummer (frivilligt)").fill("19390807-4564")
        kim.get_by_role("button", name="Skriv in och gör aktiveringspappret").click()
        expect(
            kim.get_by_role("heading", name=re.compile("Välkommen till Nära, Märta Ek"))
        ).to_be_visible()
        expect(
            kim.get_by_role("img", name="QR-kod med länken för att aktivera ditt konto")
        ).to_be_visible()
        code = kim.locator("#activation-code").inner_text().strip()
        username = kim.locator("#activation-username").inner_text().strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code) and username == "marta.ek"
        # The page never shows the personnummer again, nor puts it in the address.
        assert "4564" not in kim.locator("body").inner_text() and "19390807" not in kim.url
        _check_page(kim, "enrol-activation-sheet")
        kim.get_by_role("button", name="Skriv ut").click()  # window.print(): headless returns
        kim.emulate_media(media="print")
        expect(kim.locator(".app-header")).to_be_hidden()
        expect(kim.get_by_role("button", name="Skriv ut")).to_be_hidden()
        expect(kim.locator(".print-sheet")).to_be_visible()
        kim.screenshot(path=str(ARTIFACTS / "enrol-activation-sheet-printed.png"), full_page=True)
        kim.emulate_media(media="screen")

        # Kim records a time for Märta; on a resident's times, Invånare is the current tab.
        kim.get_by_role("link", name="Lägg till en tid").click()
        kim.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(kim)
        expect(kim.get_by_role("heading", name="Tider för Märta Ek")).to_be_visible()
        expect(residents_tab).to_have_attribute("aria-current", "page")
        kim.get_by_role("link", name="Lägg till tid").click()
        wait_for_app(kim)
        kim.get_by_label("Vad gäller tiden?").fill("Blodprov och samtal")
        kim.get_by_label("Datum").fill(_day(10))
        kim.get_by_label("Börjar").fill("10:00")
        kim.get_by_label("Slutar").fill("10:30")
        _check_page(kim, "contract-nurse-new-time")
        kim.get_by_role("button", name="Spara").click()
        kim.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(kim)
        expect(kim.get_by_text("Blodprov och samtal")).to_be_visible()
        _check_page(kim, "contract-nurse-times")

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
        _check_page(marta, "contract-resident-welcome")

        # She sees the time Kim recorded, read-only, and asks for another.
        _tab(marta, "Tider")
        marta.wait_for_url(re.compile(r"/tider/?$"))
        wait_for_app(marta)
        card = marta.locator("article.card").filter(has_text="Blodprov och samtal")
        expect(card).to_contain_text("Tillagt av Kim Lund, Hälsocentralen Granloholm")
        expect(card.get_by_role("link", name="Ändra")).to_have_count(0)
        _check_page(marta, "contract-resident-times")
        card.get_by_role("button", name="Jag behöver en annan tid").click()
        card.get_by_label("Vad passar dig bättre?").fill("Jag kan bara på eftermiddagen.")
        _check_page(marta, "answer-other-time")
        card.get_by_role("button", name="Skicka").click()
        expect(marta.locator("main p[role=status]")).to_contain_text("Skickat")
        expect(card).to_contain_text("Svar: behöver en annan tid")

        # Kim sees the request in her list, and moves the time.
        _tab(kim, "Invånare")
        kim.wait_for_url(re.compile(r"/mina-invanare/?$"))
        wait_for_app(kim)
        resident = kim.locator("li.card").filter(has_text="Märta Ek")
        _check_page(kim, "contract-nurse-request-listed")
        resident.get_by_role("link", name="1 önskemål om en annan tid").click()
        kim.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(kim)
        request = kim.get_by_role("group", name="Önskemål om en annan tid")
        expect(request).to_contain_text(
            "Märta Ek ber om en annan tid: Jag kan bara på eftermiddagen."
        )
        _check_page(kim, "answer-request-for-staff")
        request.get_by_role("link", name="Flytta tiden").click()
        kim.wait_for_url(re.compile(r"/tider/andra\?tid=\d+&invanare=\d+$"))
        wait_for_app(kim)
        # The form of this time, loaded (not the empty one of the time she added before).
        expect(kim.get_by_label("Vad gäller tiden?")).to_have_value("Blodprov och samtal")
        kim.get_by_label("Datum").fill(_day(11))
        kim.get_by_label("Börjar").fill("14:00")
        kim.get_by_label("Slutar").fill("14:30")
        _check_page(kim, "contract-nurse-move-time")
        kim.get_by_role("button", name="Spara").click()
        kim.wait_for_url(re.compile(r"/tider\?invanare=\d+$"))
        wait_for_app(kim)
        moved = kim.locator("article.card").filter(has_text="Blodprov och samtal")
        screenshot(kim, "contract-nurse-moved")
        expect(moved).to_contain_text("kl. 14.00")
        expect(kim.get_by_role("group", name="Önskemål om en annan tid")).to_have_count(0)
        _check_page(kim, "contract-nurse-moved")

        # Märta sees the change, and in the history who did it.
        marta.reload()
        wait_for_app(marta)
        card = marta.locator("article.card").filter(has_text="Blodprov och samtal")
        expect(card).to_contain_text("kl. 14.00")
        expect(card).to_contain_text("Ändrad: tiden flyttades från")
        card.get_by_text("Historik").click()
        history = card.locator(".time-history")
        expect(history).to_contain_text("Kim Lund, Hälsocentralen Granloholm lade in tiden.")
        expect(history).to_contain_text("Du bad om en annan tid. Vårdenheten har svarat.")
        expect(history).to_contain_text("Jag kan bara på eftermiddagen.")
        expect(history).to_contain_text(
            re.compile(
                r"Kim Lund, Hälsocentralen Granloholm flyttade tiden från .* till .*kl\. 14\.00\."
            )
        )
        card.scroll_into_view_if_needed()
        _check_page(marta, "answer-history")

        # Märta invites her son to see her times and contacts, and nothing else.
        _tab(marta, "Profil")
        wait_for_app(marta)
        marta.get_by_role("link", name="Närstående").click()
        marta.wait_for_url(re.compile(r"/profil/narstaende/?$"))
        wait_for_app(marta)
        marta.get_by_label("Se mina tider och kontakter").check()
        _check_page(marta, "contract-resident-invites")
        marta.get_by_role("button", name="Skapa inbjudan").click()
        expect(marta.get_by_role("img", name="QR-kod med länken till inbjudan")).to_be_visible()
        invitation = marta.locator("#invite-code").inner_text().strip()
        assert len(invitation) >= 22
        marta.locator(".qr-code").evaluate("el => el.scrollIntoView({block: 'center'})")
        _check_page(marta, "contract-resident-invitation")

        # Nils has no account: the link offers one, and keeps the invitation meanwhile.
        nils.goto(f"{app_url}/inbjudan?kod={invitation}")
        wait_for_app(nils)
        expect(nils.get_by_role("heading", name="Skapa ett konto")).to_be_visible()
        expect(nils.locator("main")).not_to_contain_text("Märta")  # nothing before sign-in
        _check_page(nils, "contract-relative-new-account")
        nils.get_by_label("Ditt namn").fill("Nils Ek")
        nils.get_by_label("Användarnamn").fill("nils.ek")
        nils.get_by_label("Lösenord").fill(RELATIVE_PASSWORD)
        nils.get_by_role("button", name="Skapa konto").click()
        nils.wait_for_url(re.compile(re.escape(app_url) + r"/inbjudan/?$"))
        wait_for_app(nils)
        expect(nils.locator("main")).to_contain_text("Märta Ek vill ha din hjälp")
        _check_page(nils, "contract-relative-offer")
        nils.get_by_role("button", name="Tacka ja och hjälp till").click()
        nils.wait_for_url(re.compile(r"/jag-hjalper/?\?ny=1$"))
        wait_for_app(nils)
        # A way to what she shares, and none to what she did not.
        expect(nils.locator("main .card .actions a")).to_have_text(["Tider", "Kontakter", "Plan"])
        _check_page(nils, "contract-relative-acting-for")

        # Hem: Märta's next time, the one Kim moved; nothing of her self-care.
        _tab(nils, "Hem")
        nils.wait_for_url(f"{app_url}/")
        wait_for_app(nils)
        shared = nils.locator("section.helped-person").filter(has_text="Märta Ek")
        expect(shared.get_by_role("heading", name="Märta Ek")).to_be_visible()
        expect(shared).to_contain_text("Blodprov och samtal")
        expect(shared).to_contain_text("kl. 14.00")
        expect(shared.get_by_text("Egenvård i dag")).to_have_count(0)
        _check_page(nils, "contract-relative-hem")

        # Märta takes it back while Nils's page stays open.
        marta.goto(f"{app_url}/profil/narstaende")
        wait_for_app(marta)
        nils_card = marta.locator("li.card").filter(has_text="Nils Ek")
        toggle = nils_card.get_by_role("button", name="Se mina tider och kontakter")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        toggle.click()
        expect(nils_card).to_have_count(0)
        _check_page(marta, "contract-resident-stopped-sharing")

        # Nils's next click: her time goes, and the page says why, in plain words.
        shared.get_by_role("link", name="Alla tider").click()
        expect(nils.get_by_text("Märta Ek delar inte längre något med dig.")).to_be_visible()
        wait_for_app(nils)
        expect(nils.get_by_text("Blodprov och samtal")).to_have_count(0)
        expect(nils.get_by_text("Du hjälper")).to_have_count(0)
        expect(nils.get_by_text("Det gick inte att spara")).to_have_count(0)
        _check_page(nils, "contract-relative-sharing-ended")
    finally:
        for context in contexts:
            context.close()
    assert violations == [], violations


def test_the_care_sides_other_pages(browser: Browser, app_url: str) -> None:
    """Dela med vården (Anna), the resident's page and the unit's follow-up (Sara)."""
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
    finally:
        context.close()
