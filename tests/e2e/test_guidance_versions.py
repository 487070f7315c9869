"""Lättläst for every article, LIX in the editor, versions kept together, and "Råd till dig"
chosen by fit, in Chromium at phone size."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    ARTIFACTS,
    assert_accessible,
    screenshot,
    sign_in,
    small_touch_targets,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def _whole_page(page: Page, name: str) -> None:
    """The whole page, top to bottom, for a person to read."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("slug", "title"),
    [
        ("andningsovningar-vid-kol", "Andas lättare när du har KOL"),
        ("nar-oron-tar-over", "När du är mycket orolig"),
        ("fotvard-vid-diabetes", "Ta hand om fötterna när du har diabetes"),
    ],
)
def test_a_visitor_reads_an_article_in_lattlast(
    page: Page, app_url: str, slug: str, title: str
) -> None:
    page.goto(f"{app_url}/egenvard/{slug}")
    wait_for_app(page)
    page.get_by_role("link", name="Lättläst").click()
    page.wait_for_url(re.compile(rf"/egenvard/{slug}\?variant=sv-lattlast$"))
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    warning = page.get_by_role("note")
    expect(warning).to_contain_text("Ring 112")
    expect(warning).to_contain_text("1177")
    screenshot(page, f"lattlast-{slug}")
    _whole_page(page, f"lattlast-{slug}-whole")
    assert_accessible(page)
    assert small_touch_targets(page) == []


def test_staff_see_lix_change_as_they_write_and_the_versions_to_keep_in_step(
    page: Page, app_url: str
) -> None:
    sign_in(page, app_url, "sara")
    page.goto(app_url + "/redaktion")
    wait_for_app(page)
    page.get_by_role("link", name=re.compile(r"^Sov bättre\s*Svenska")).click()
    page.wait_for_url(re.compile(r"/redaktion/artikel\?artikel=\d+$"))
    wait_for_app(page)

    readability = page.get_by_role("group", name="Läsbarhet (LIX)")
    figure = readability.get_by_role("status")
    expect(figure).to_have_text(re.compile(r"^\d+ lätt$"))
    before = int(figure.inner_text().split()[0])

    body = page.get_by_label("Brödtext (Markdown)")
    body.press("End")
    body.press("Control+End")
    body.type(
        "\n\nVid långvariga sömnsvårigheter rekommenderas kontakt med primärvårdens"
        " sjuksköterskemottagning avseende utredning, behandlingsalternativ,"
        " läkemedelsgenomgång och eventuell remittering till specialistvården."
    )
    expect(figure).not_to_have_text(f"{before} lätt")
    after = int(figure.inner_text().split()[0])
    assert after > before
    readability.evaluate("element => element.scrollIntoView({block: 'center'})")
    screenshot(page, "editor-lix")

    page.get_by_label("Granskad den").fill("2026-12-01")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("status").filter(has_text="Utkastet är sparat")).to_be_visible()
    versions = page.get_by_role("region", name="Andra versioner")
    expect(versions).to_contain_text("Du ändrar den svenska texten")
    easy = versions.get_by_role("link", name=re.compile("Lättläst svenska: Så kan du sova bättre"))
    expect(easy).to_contain_text("före den svenska texten")
    versions.scroll_into_view_if_needed()
    screenshot(page, "editor-versions-notice")
    assert_accessible(page)
    assert small_touch_targets(page) == []

    page.goto(app_url + "/redaktion")
    wait_for_app(page)
    drift = page.get_by_role("region", name="Versioner som kan behöva samma ändring")
    expect(drift.get_by_role("link", name=re.compile("^Sov bättre"))).to_contain_text(
        "Lättläst svenska granskad 18 september 2026"
    )
    screenshot(page, "editor-drift")
    assert_accessible(page)

    drift.get_by_role("link", name=re.compile("^Sov bättre")).click()
    wait_for_app(page)
    page.get_by_role("region", name="Andra versioner").get_by_role(
        "link", name=re.compile("Lättläst svenska")
    ).click()
    page.wait_for_url(re.compile(r"/redaktion/artikel\?artikel=\d+$"))
    wait_for_app(page)
    target = page.get_by_role("group", name="Läsbarhet (LIX)")
    expect(target).to_contain_text("Mål för lättläst: högst 25")
    target.scroll_into_view_if_needed()
    screenshot(page, "editor-lix-lattlast")


def test_advice_for_anna_fits_her_and_what_she_has_read_gives_way(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "anna")
    advice = page.get_by_role("region", name="Råd till dig")
    items = advice.get_by_role("listitem")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Rör dig tryggt med hjärtsvikt")
    advice.evaluate("element => element.scrollIntoView({block: 'start'})")
    screenshot(page, "home-advice")

    items.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/egenvard/rorelse-vid-hjartsvikt"))
    wait_for_app(page)
    page.goto(app_url + "/")
    wait_for_app(page)
    advice = page.get_by_role("region", name="Råd till dig")
    expect(advice.get_by_role("listitem")).to_have_count(3)
    expect(advice).not_to_contain_text("Rör dig tryggt med hjärtsvikt")
