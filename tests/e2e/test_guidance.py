"""Egenvård in Chromium at phone size: a resident searches and reads; two staff members
write, review and publish; residents only ever see what is published."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.browser import (
    PHONE,
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

_SECOND_EDITOR = """
from naranara.db import session_scope
from naranara.models import Role
from naranara.services.accounts import create_user
with session_scope() as db:
    create_user(session=db, username="ulf", display_name="Ulf Redaktör",
                role=Role.STAFF, password="ulfs-losenord-12")
"""


def _check(page: Page, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)
    assert small_touch_targets(page) == []


def test_a_resident_finds_blood_pressure_advice_and_reads_it(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    page.goto(app_url + "/egenvard")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Egenvårdsråd")).to_be_visible()
    _check(page, "guidance-library")

    page.get_by_role("link", name="Högt blodtryck").click()
    page.wait_for_url(re.compile(r"/egenvard/?\?kategori=hogt-blodtryck$"))
    wait_for_app(page)
    expect(page.get_by_role("link", name="Mät ditt blodtryck hemma")).to_be_visible()
    expect(page.get_by_role("link", name="Sov bättre")).to_have_count(0)

    page.get_by_label("Sök bland råden").fill("blodtryck")
    page.get_by_label("Sök bland råden").press("Enter")
    page.wait_for_url(re.compile(r"/egenvard/?\?q=blodtryck$"))
    wait_for_app(page)
    expect(page.get_by_role("status")).to_contain_text("träffar för ”blodtryck”")
    page.get_by_role("status").scroll_into_view_if_needed()
    _check(page, "guidance-search-results")

    page.get_by_role("link", name="Mät ditt blodtryck hemma").first.click()
    page.wait_for_url(re.compile(r"/egenvard/mat-blodtrycket-hemma/?$"))
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mät ditt blodtryck hemma")
    warning = page.get_by_role("note")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("112")
    adding = page.get_by_role("link", name="Lägg till i min egenvård").first
    expect(adding).to_have_attribute(
        "href",
        re.compile(r"/egenvard/ny-uppgift\?artikel=mat-blodtrycket-hemma&mall="),
    )
    _check(page, "guidance-article-warning")

    page.get_by_role("link", name="Lättläst").click()
    page.wait_for_url(re.compile(r"/egenvard/mat-blodtrycket-hemma/?\?variant=sv-lattlast$"))
    wait_for_app(page)
    expect(page.get_by_role("link", name="Svenska")).to_be_visible()
    _check(page, "guidance-article-easy-read")


# Three English articles with a warning box and task templates: weighing (a threshold that
# rises), exercise with heart failure (a pulse above 100) and COPD breathing (no measurement).
ENGLISH_ARTICLES = {
    "vag-dig-vid-hjartsvikt": ("Weigh yourself every day", "Weigh yourself every morning"),
    "rorelse-vid-hjartsvikt": ("Exercise safely with heart failure", "Take your resting pulse"),
    "andningsovningar-vid-kol": ("Breathing exercises for COPD", "Do your breathing exercises"),
}


def test_the_library_shows_each_articles_versions_and_leads_to_the_english_one(
    page: Page, app_url: str
) -> None:
    sign_in(page, app_url)
    page.goto(app_url + "/egenvard?kategori=hjartsvikt")
    wait_for_app(page)
    card = page.locator(".card-list > li").filter(has_text="Väg dig varje dag")
    expect(card).to_contain_text("Finns också som:")
    english = card.get_by_role("link", name="English")
    expect(english).to_have_attribute("lang", "en")
    expect(card.get_by_role("link", name="Lättläst")).to_be_visible()
    card.scroll_into_view_if_needed()
    _check(page, "guidance-library-versions")

    english.click()
    page.wait_for_url(re.compile(r"/egenvard/vag-dig-vid-hjartsvikt/?\?variant=en$"))
    for slug, (title, task) in ENGLISH_ARTICLES.items():
        page.goto(f"{app_url}/egenvard/{slug}?variant=en")
        wait_for_app(page)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text(title)
        expect(heading).to_have_attribute("lang", "en")  # the article's words, not Nära's
        versions = page.get_by_role("navigation", name="Rådets versioner")
        expect(versions).to_contain_text("Läs rådet på:")
        expect(versions.get_by_role("link", name="Svenska")).to_have_attribute("lang", "sv")
        expect(versions.get_by_role("link", name="English")).to_have_count(0)  # on screen
        warning = page.get_by_role("note")
        expect(warning).to_contain_text("Call 112")
        expect(warning).to_contain_text("1177")
        _check(page, f"guidance-english-{slug}")
        tasks = page.get_by_role("region", name="Gör det till en del av din dag")
        expect(tasks.get_by_text(task)).to_have_attribute("lang", "en")
        expect(tasks.get_by_role("link", name="Lägg till i min egenvård").first).to_have_attribute(
            "href", re.compile(rf"artikel={slug}&mall=[a-z-]+&variant=en$")
        )
        tasks.scroll_into_view_if_needed()
        screenshot(page, f"guidance-english-{slug}-tasks")

    page.get_by_role("link", name="Lägg till i min egenvård").first.click()
    wait_for_app(page)
    expect(page.get_by_label("Vad vill du göra?")).to_have_value("Do your breathing exercises")


def test_a_visitor_reading_in_english_sees_the_other_versions_named(
    second_context: BrowserContext, app_url: str
) -> None:
    second_context.add_cookies([{"name": "nara_lang", "value": "en", "url": app_url}])
    page = second_context.new_page()
    page.goto(app_url + "/egenvard?kategori=somn")
    wait_for_app(page)
    card = page.locator(".card-list > li").filter(has_text="Sleep better")
    expect(card).to_contain_text("Also available as:")
    expect(card.get_by_role("link", name="Svenska")).to_have_attribute("lang", "sv")
    expect(card.get_by_role("link", name="English")).to_have_count(0)
    _check(page, "guidance-library-english")
    card.get_by_role("link", name="Sleep better").click()
    page.wait_for_url(re.compile(r"/egenvard/sov-battre/?$"))
    wait_for_app(page)
    versions = page.get_by_role("navigation", name="Versions of this advice")
    expect(versions).to_contain_text("Read this advice in:")
    expect(page.get_by_role("note")).to_contain_text("Call 1177")
    _check(page, "guidance-english-visitor-article")


def test_a_swedish_letter_is_not_its_plain_neighbour(page: Page, app_url: str) -> None:
    page.goto(app_url + "/egenvard?q=f%C3%B6tterna")  # "fötterna"
    wait_for_app(page)
    found = page.locator(".card-list li").count()
    page.goto(app_url + "/egenvard?q=fotterna")
    wait_for_app(page)
    expect(page.get_by_text("Inga råd passade. Prova ett annat ord.")).to_be_visible()
    assert found > 0


@pytest.fixture
def second_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _fill_article(page: Page, *, title: str, body: str) -> None:
    page.get_by_label("Rubrik").fill(title)
    page.get_by_label("Sammanfattning").fill("Drick lagom mycket varje dag.")
    page.get_by_label("Kategori").select_option("hjartsvikt")
    page.get_by_label("Lästid i minuter").fill("2")
    page.get_by_label("Ansvarig enhet").fill("Hälsocentralen Nacksta")
    page.get_by_label("Granskad den").fill("2026-11-01")
    page.get_by_label("När man ska ringa 1177 eller 112 (Markdown)").fill(
        "Ring **112** om du plötsligt får svårt att andas."
    )
    page.get_by_label("Brödtext (Markdown)").fill(body)


def test_one_staff_member_drafts_another_publishes_residents_see_only_what_is_published(
    page: Page, second_context: BrowserContext, app_url: str, app_data_dir: Path
) -> None:
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    subprocess.run([sys.executable, "-c", _SECOND_EDITOR], cwd=ROOT, env=env, check=True)

    # Sara drafts and sends for review; she cannot publish her own text.
    sign_in(page, app_url, username="sara")
    page.goto(app_url + "/redaktion")
    wait_for_app(page)
    _check(page, "guidance-editor-list")
    page.get_by_role("link", name="Ny artikel eller översättning").click()
    wait_for_app(page)
    page.get_by_label("Namn i adressen").fill("drick-lagom")
    _fill_article(page, title="Drick lagom vid hjärtsvikt", body="## Så gör du\n\nDrick jämnt.")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url(re.compile(r"/redaktion/artikel/?\?artikel=\d+$"))
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Status: Utkast")).to_be_visible()
    page.get_by_role("button", name="Skicka för granskning").click()
    expect(page.get_by_role("heading", name="Status: Klar för granskning")).to_be_visible()
    # She is not offered "Godkänn och publicera" on her own text, and is told why.
    expect(page.get_by_text("någon annan måste granska")).to_be_visible()
    expect(page.get_by_role("button", name="Godkänn och publicera")).to_have_count(0)
    editor_address = page.url
    _check(page, "guidance-editor")
    preview = page.locator(".preview-frame")
    preview.scroll_into_view_if_needed()
    expect(preview.get_by_role("note")).to_contain_text("112")
    screenshot(page, "guidance-editor-preview")

    # Not published yet: a visitor finds nothing.
    visitor = second_context.new_page()
    visitor.goto(app_url + "/egenvard/drick-lagom")
    wait_for_app(visitor)
    expect(visitor.get_by_role("heading", name="Vi hittade inte det rådet")).to_be_visible()

    # Ulf reviews and publishes.
    reviewer_context = page.context.browser.new_context(
        viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm"
    )
    reviewer = reviewer_context.new_page()
    sign_in(reviewer, app_url, username="ulf", password="ulfs-losenord-12")
    reviewer.goto(editor_address)
    wait_for_app(reviewer)
    reviewer.get_by_role("button", name="Godkänn och publicera").click()
    expect(reviewer.get_by_role("heading", name="Status: Publicerad")).to_be_visible()
    reviewer_context.close()

    visitor.goto(app_url + "/egenvard/drick-lagom")
    wait_for_app(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Drick lagom vid hjärtsvikt")

    # Sara changes it again: residents keep the published text until it is reviewed.
    page.goto(editor_address)
    wait_for_app(page)
    page.get_by_label("Rubrik").fill("Hemligt nytt utkast")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("status").first).to_contain_text("Invånarna ser det inte än")
    visitor.goto(app_url + "/egenvard/drick-lagom")
    wait_for_app(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Drick lagom vid hjärtsvikt")
    visitor.goto(app_url + "/egenvard?q=hemligt")
    wait_for_app(visitor)
    expect(visitor.get_by_text("Inga råd passade. Prova ett annat ord.")).to_be_visible()

    # The history shows what changed, as text.
    page.get_by_role("button", name="Visa ändringar").first.click()
    diff = page.locator(".diff")
    expect(diff).to_contain_text("Rubrik: Hemligt nytt utkast")
    diff.scroll_into_view_if_needed()
    screenshot(page, "guidance-editor-diff")
    assert_accessible(page)


def test_residents_cannot_open_the_editor(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    page.goto(app_url + "/redaktion")
    wait_for_app(page)
    # The editor's page, loaded, telling Anna it has nothing for her; no way to write.
    expect(page.get_by_role("heading", level=1)).to_have_text("Egenvårdsråd: redaktion")
    expect(page.locator("main")).to_contain_text("Här finns inget för ditt konto än.")
    expect(page.get_by_role("link", name="Ny artikel eller översättning")).to_have_count(0)
    expect(page.locator("main .card-list")).to_have_count(0)
