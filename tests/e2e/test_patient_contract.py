"""The resident's profile and patient contract in Chromium at phone size."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from icalendar import Calendar
from playwright.sync_api import Page, expect

from naranara import clock
from tests.e2e.browser import (
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


# name: (address, its heading, a text in it that shows the page holds what it should)
RESIDENT_PAGES = {
    "what-matters": ("/viktigt", "Vad är viktigt för dig?", "Det här är viktigt för mig"),
    "what-matters-guide": ("/viktigt/fyll-i", "Det här är viktigt för mig", "Fråga 1 av 8"),
    "what-matters-history": ("/viktigt/historik", "Vad som har ändrats", "Inget har sparats ännu."),
    "what-matters-summary": (
        "/viktigt/sammanfattning",
        "Det här är viktigt för mig",
        "Anna Lindqvist",
    ),
    "times": ("/tider", "Dina överenskomna tider", "Uppföljning av hjärtsvikt"),
    "time-new": ("/tider/ny", "Lägg till tid", "Vad gäller tiden?"),
    "contacts": ("/kontakter", "Dina vårdkontakter", "Maria Sjöberg"),
    "contact-new": ("/kontakter/ny", "Lägg till kontakt", "Telefonnummer"),
    "care-plan": ("/plan", "Min plan", "Jag vill kunna gå till affären själv igen."),
    "staff-list-as-resident": (
        "/mina-invanare",
        "Mina invånare",
        "Här finns inget för ditt konto än.",
    ),
    # The demo's first contact and first time (the moved phone call) were entered by her
    # care unit: hers to answer, theirs to change. Her own entries' forms: see below.
    "contact-edit": ("/kontakter/andra?kontakt=1", "Ändra kontakt", "Din vårdenhet har lagt in"),
    "time-edit": ("/tider/andra?tid=1", "Ändra tid", "Din vårdenhet har lagt in"),
    "sign-in-again": ("/logga-in?bekrafta=1&next=/tider", "Bekräfta att det är du", "Lösenord"),
}
# The edit forms open with the entry in them (a value, not text on the page).
EDITING = {
    "own-time-edit": ("Vad gäller tiden?", "Hembesök av fysioterapeut"),
}


_NEW_RESIDENT = """
from naranara.db import session_scope
from naranara.models import Role
from naranara.services.accounts import create_user
with session_scope() as db:
    create_user(session=db, username="greta", display_name="Greta Gustafsson",
                role=Role.RESIDENT, password="gretas-losenord")
"""


@pytest.fixture(scope="module")
def greta(app_url: str, app_data_dir: Path) -> str:
    """A resident of her own, so what these tests add leaves the demo resident as she was."""
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    subprocess.run([sys.executable, "-c", _NEW_RESIDENT], cwd=ROOT, env=env, check=True)
    return "greta"


def _sign_in_as_greta(page: Page, app_url: str, greta: str) -> None:
    sign_in(page, app_url, username=greta, password="gretas-losenord")


def test_every_page_of_the_contract_is_accessible(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    page.goto(app_url + "/tider")
    wait_for_app(page)
    own = page.locator(".card", has_text="Hembesök av fysioterapeut").get_by_role("link", name="Ändra")
    pages = {**RESIDENT_PAGES, "own-time-edit": (own.get_attribute("href"), "Ändra tid", "")}
    problems = {}
    for name, (path, heading, content) in pages.items():
        page.goto(app_url + path)
        wait_for_app(page)
        # The page itself, with what it is for, before its accessibility means anything.
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if content:
            expect(page.locator("main")).to_contain_text(content)
        if name in EDITING:
            label, value = EDITING[name]
            expect(page.get_by_label(label, exact=True)).to_have_value(value)
        page.wait_for_timeout(300)
        screenshot(page, name)
        page.screenshot(path=f"tests/artifacts/{name}-full.png", full_page=True)
        if small := small_touch_targets(page):
            problems[path] = small
        assert_accessible(page)
    assert problems == {}


def test_resident_fills_the_profile_and_it_is_saved(page: Page, app_url: str, greta: str) -> None:
    _sign_in_as_greta(page, app_url, greta)
    page.goto(app_url + "/viktigt/fyll-i")
    wait_for_app(page)
    expect(page.get_by_text("Fråga 1 av 8")).to_be_visible()
    first = page.get_by_label("Vad är viktigast för dig i ditt liv just nu?")
    first.fill("Att få bo kvar hemma med katten Sigge.")
    expect(page.get_by_role("status")).to_contain_text("Sparat kl.", timeout=10_000)
    screenshot(page, "what-matters-guide-saved")
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_text("Fråga 2 av 8")).to_be_visible()
    page.get_by_role("button", name="Hoppa över").click()
    expect(page.get_by_text("Fråga 3 av 8")).to_be_visible()
    page.get_by_role("textbox").first.fill("Att ramla i trappan när det är halt.")
    page.get_by_role("textbox").first.blur()
    expect(page.get_by_role("status")).to_contain_text("Sparat kl.", timeout=10_000)
    assert_accessible(page)

    # Another visit, another page load: the words are in the database.
    page.goto(app_url + "/viktigt")
    wait_for_app(page)
    expect(page.get_by_text("Att få bo kvar hemma med katten Sigge.")).to_be_visible()
    expect(page.get_by_text("Att ramla i trappan när det är halt.")).to_be_visible()
    screenshot(page, "what-matters-filled")
    page.goto(app_url + "/viktigt/historik")
    wait_for_app(page)
    # Newest first, each saving with who made it: her own, so "Du".
    entries = page.get_by_role("main").get_by_role("listitem")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Ändrat av: Du")
    expect(entries.nth(0)).to_contain_text("Att ramla i trappan när det är halt.")
    expect(entries.nth(1)).to_contain_text("Ändrat av: Du")
    expect(entries.nth(1)).to_contain_text("Att få bo kvar hemma med katten Sigge.")
    screenshot(page, "what-matters-history-filled")


def test_resident_adds_a_contact_with_a_callable_number(
    page: Page, app_url: str, greta: str
) -> None:
    _sign_in_as_greta(page, app_url, greta)
    page.goto(app_url + "/kontakter/ny")
    wait_for_app(page)
    page.get_by_label("Namn").fill("Lena Ek")
    page.get_by_label("Roll").fill("Fast vårdkontakt, diabetessköterska")
    page.get_by_label("Organisation", exact=True).fill("Region Västernorrland")
    page.get_by_label("Telefonnummer").fill("inte ett nummer")
    page.get_by_label("Telefon", exact=True).check()
    page.get_by_role("button", name="Spara").click()
    # Refused with a reason, and nothing typed is lost.
    expect(page.locator(".field-error")).to_have_count(1)
    expect(page.get_by_label("Namn")).to_have_value("Lena Ek")
    screenshot(page, "contact-new-error")
    assert_accessible(page)
    page.get_by_label("Telefonnummer").fill("060-123 45 67")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(app_url + "/kontakter")
    wait_for_app(page)
    card = page.locator(".card", has_text="Lena Ek")
    expect(card).to_contain_text("diabetessköterska")
    expect(card.locator('a[href="tel:+46601234567"]')).to_be_visible()
    expect(card).to_contain_text("Tillag")  # who added it
    screenshot(page, "contacts-added")
    # Her own contact is hers to change: the form opens with it filled in.
    card.get_by_role("link", name="Ändra").click()
    wait_for_app(page)
    expect(page.get_by_label("Namn", exact=True)).to_have_value("Lena Ek")
    screenshot(page, "contact-edit-own")
    assert_accessible(page)


def _tomorrow() -> date:
    return clock.today() + timedelta(days=1)


def test_resident_adds_a_time_and_subscribes_to_the_calendar(
    page: Page, app_url: str, greta: str
) -> None:
    _sign_in_as_greta(page, app_url, greta)
    page.goto(app_url + "/tider/ny")
    wait_for_app(page)
    day = _tomorrow()
    page.get_by_label("Vad gäller tiden?").fill("Provtagning inför årskontroll")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Börjar").fill("09:15")
    page.get_by_label("Slutar").fill("08:00")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".field-error")).to_have_count(1)  # ends before it starts
    expect(page.get_by_label("Vad gäller tiden?")).to_have_value("Provtagning inför årskontroll")
    page.get_by_label("Slutar").fill("09:30")
    page.get_by_label("Plats").fill("Hälsocentralen Nacksta")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(app_url + "/tider")
    wait_for_app(page)
    card = page.locator(".card", has_text="Provtagning inför årskontroll")
    expect(card).to_contain_text("kl. 09.15")
    screenshot(page, "times-added")

    page.get_by_role("button", name="Skapa kalenderlänk").click()
    link = page.get_by_label("Din kalenderlänk")
    expect(link).not_to_have_value("")
    feed_url = link.input_value()
    assert feed_url.startswith(f"{app_url}/kalender/prenumeration/")
    # The link names nobody: not Greta, who made it (the test once looked for "anna").
    assert "greta" not in feed_url.lower() and "gustafsson" not in feed_url.lower()
    page.get_by_role(
        "region", name="Prenumerera i din mobils kalender"
    ).scroll_into_view_if_needed()
    screenshot(page, "times-calendar-link")
    assert_accessible(page)

    # A phone calendar fetches the feed without any cookie.
    response = httpx.get(feed_url)
    assert response.status_code == 200 and "text/calendar" in response.headers["content-type"]
    calendar = Calendar.from_ical(response.content)
    events = [e for e in calendar.walk("VEVENT") if "Provtagning" in str(e.get("SUMMARY"))]
    assert len(events) == 1
    start = events[0].decoded("DTSTART")
    assert start.tzinfo is not None
    assert start.astimezone(STOCKHOLM).replace(tzinfo=None) == datetime.combine(day, time(9, 15))
    assert str(events[0]["DTSTART"].params.get("TZID")) == "Europe/Stockholm"

    # Stopping the sharing makes the old link worthless.
    page.get_by_role("button", name="Sluta dela").click()
    expect(page.get_by_label("Din kalenderlänk")).to_have_count(0)
    assert httpx.get(feed_url).status_code == 404


def test_resident_exports_the_record_as_a_valid_fhir_bundle(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    page.goto(app_url + "/plan")
    wait_for_app(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ned min journal som FHIR").click()
    download = download_info.value
    bundle = Bundle.model_validate_json(Path(download.path()).read_text())
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"Patient", "CareTeam", "Appointment", "CarePlan", "Goal"} <= kinds
    text = Path(download.path()).read_text()
    assert "Uppföljning av hjärtsvikt" in text and "Maria Sjöberg" in text


_STAFF_CARING_FOR_ANNA = """
from sqlmodel import select
from naranara.db import session_scope
from naranara.models import Role, User
from naranara.services import access
from naranara.services.accounts import create_user
with session_scope() as db:
    vera = create_user(session=db, username="vera", display_name="Vera Vårdsson",
                       role=Role.STAFF, password="veras-losenord-1")
    anna = db.exec(select(User).where(User.username == "anna")).one()
    access.record_care_relationship(session=db, staff_id=vera.id, resident_id=anna.id)
"""


def test_staff_with_a_care_relationship_opens_the_residents_plan(
    page: Page, app_url: str, app_data_dir: Path
) -> None:
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    subprocess.run([sys.executable, "-c", _STAFF_CARING_FOR_ANNA], cwd=ROOT, env=env, check=True)
    sign_in(page, app_url, username="vera", password="veras-losenord-1")
    page.get_by_role("link", name="Mina invånare").click()
    page.wait_for_url(app_url + "/mina-invanare")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Anna Lindqvist")).to_be_visible()
    screenshot(page, "staff-my-residents")
    assert_accessible(page)
    page.get_by_role("link", name="Plan", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("Jag vill kunna gå till affären själv igen.")).to_be_visible()
    screenshot(page, "staff-resident-plan")
    assert_accessible(page)
