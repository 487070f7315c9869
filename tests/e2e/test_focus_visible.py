"""Focus everyone can see and targets everyone can hit, on every page at phone size.

WCAG 2.2 2.4.11 (focus not obscured): when a control gets keyboard focus, it must not be
hidden behind something the author fixed in place, such as the tab bar at the bottom.
axe-core cannot see this, so this test tabs through each page, signed in as a resident,
a relative and staff, and signed out, and after every Tab measures the focused element
against every fixed or sticky element on the page: any overlap, whole or partial, fails.
The same pages are checked for touch targets under 44 × 44 CSS px (links that are part
of a sentence excepted, as WCAG 2.5.8 allows).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, screenshot, sign_in, wait_for_app

pytestmark = pytest.mark.e2e

# Presses per page before giving up on coming back to the first control.
MAX_TABS = 250

# After each Tab: the focused element, and every fixed or sticky element (not containing
# it) that covers any part of it, or "off screen" when it is not in the window at all.
_OBSCURED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {done: true};
  const seen = el.dataset.focusCheckSeen === '1';
  el.dataset.focusCheckSeen = '1';
  const r = el.getBoundingClientRect();
  const label = (el.tagName.toLowerCase() + ' "' +
    (el.innerText || el.value || el.getAttribute('aria-label') || el.id || '').trim()
      .replace(/\\s+/g, ' ').slice(0, 50) + '"');
  const covers = [];
  for (const bar of document.body.querySelectorAll('*')) {
    const position = getComputedStyle(bar).position;
    if (position !== 'fixed' && position !== 'sticky') continue;
    if (bar.contains(el) || el.contains(bar)) continue;
    const style = getComputedStyle(bar);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const b = bar.getBoundingClientRect();
    const w = Math.min(r.right, b.right) - Math.max(r.left, b.left);
    const h = Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top);
    if (w > 0.5 && h > 0.5) {
      const whole = w >= r.width - 0.5 && h >= r.height - 0.5;
      covers.push((whole ? 'entirely' : 'partly') + ' behind ' + bar.tagName.toLowerCase() +
        (bar.className ? '.' + String(bar.className).split(' ')[0] : ''));
    }
  }
  if (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) {
    covers.push('off screen');
  }
  return {done: false, seen, label, covers};
}"""

# Interactive elements under 44 × 44 px. A link inside a sentence is exempt (its block
# has text of its own besides the link); a checkbox or radio is measured by its label.
_SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=checkbox]')]
  .filter(el => el.offsetParent !== null || getComputedStyle(el).position === 'fixed')
  .filter(el => {
    if (el.tagName !== 'A') return true;
    const block = el.closest('p, li, td, dd, h1, h2, h3, h4, h5, h6');
    return !(block && block.textContent.trim().length > el.textContent.trim().length);
  })
  .filter(el => {
    const toggle = el.type === 'checkbox' || el.type === 'radio';
    const target = (toggle && el.closest('label')) || el;
    const r = target.getBoundingClientRect();
    return r.width < 44 || r.height < 44;
  })
  .map(el => el.outerHTML.slice(0, 120))"""


def _tab_through(page: Page) -> list[str]:
    """Tab from the top of the page until focus comes back round; what was obscured."""
    page.evaluate("() => { window.scrollTo(0, 0); document.activeElement?.blur(); }")
    page.mouse.click(1, 1)  # start from the document, as a fresh page load does
    problems: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        found = page.evaluate(_OBSCURED)
        if found["done"] or found["seen"]:
            break
        problems.extend(f"{found['label']} {cover}" for cover in found["covers"])
    else:
        problems.append(f"focus did not come round in {MAX_TABS} presses")
    return problems


def _check_pages(page: Page, app_url: str, who: str, paths: list[str]) -> None:
    page.set_viewport_size(PHONE)
    failures: dict[str, list[str]] = {}
    for path in paths:
        page.goto(app_url + path)
        wait_for_app(page)
        # The page asked for, drawn: not sent on to sign in, not a 404, with its heading.
        address = re.escape(app_url + path.split("?")[0].rstrip("/"))
        expect(page).to_have_url(re.compile(address + r"/?(\?.*)?$"))
        expect(page.locator("main h1").first).to_be_visible()  # the editor's preview has two
        problems = _tab_through(page)
        small = page.evaluate(_SMALL_TARGETS)
        if problems or small:
            failures[path] = problems + [f"smaller than 44 px: {html}" for html in small]
            screenshot(page, f"focus-{who}-{re.sub(r'[^a-z0-9]+', '-', path).strip('-')}")
    assert failures == {}, "\n".join(
        f"{who} {path}:\n  " + "\n  ".join(found) for path, found in failures.items()
    )


def _first_href(page: Page, app_url: str, path: str, pattern: str) -> str:
    """The address of the first link on ``path`` matching ``pattern`` (ids differ per run)."""
    page.goto(app_url + path)
    wait_for_app(page)
    href = page.locator(f"a[href*='{pattern}']").first.get_attribute("href")
    assert href, f"no link with {pattern} on {path}"
    return href


def test_signed_out_pages(page: Page, app_url: str) -> None:
    _check_pages(
        page,
        app_url,
        "signed-out",
        [
            "/",
            "/logga-in",
            "/egenvard",
            "/egenvard?q=blodtryck",
            "/egenvard/vag-dig-vid-hjartsvikt",
            "/egenvard/vag-dig-vid-hjartsvikt?variant=sv-lattlast",
            "/inbjudan",
            "/aktivera",
        ],
    )


def test_resident_pages(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "anna")
    task = _first_href(page, app_url, "/egenvard/mina-uppgifter", "/egenvard/uppgift?")
    # Anna's contacts were all agreed with her care unit, so only staff change them
    # (the edit page is tabbed through in test_staff_pages).
    time = _first_href(page, app_url, "/tider", "/tider/andra?")
    _check_pages(
        page,
        app_url,
        "resident",
        [
            "/",
            "/tider",
            time,
            "/tider/ny",
            "/kontakter",
            "/kontakter/ny",
            "/plan",
            "/egenvard",
            "/egenvard/vag-dig-vid-hjartsvikt",
            "/egenvard/mina-uppgifter",
            task,
            "/egenvard/ny-uppgift?artikel=vag-dig-vid-hjartsvikt&mall=vag-dig",
            "/egenvard/ny-uppgift",
            "/matvarden",
            "/viktigt",
            "/viktigt/fyll-i",
            "/viktigt/historik",
            "/viktigt/sammanfattning",
            "/profil",
            "/profil/aviseringar",
            "/profil/narstaende",
            "/profil/vem-har-sett",
            "/profil/dela-med-varden",
        ],
    )


def test_relative_pages(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "erik")
    plan = _first_href(page, app_url, "/jag-hjalper", "/egenvard/mina-uppgifter?invanare=")
    anna = plan.rsplit("=", 1)[1]
    _check_pages(
        page,
        app_url,
        "relative",
        [
            "/",
            "/jag-hjalper",
            f"/tider?invanare={anna}",
            f"/kontakter?invanare={anna}",
            f"/plan?invanare={anna}",
            f"/egenvard/mina-uppgifter?invanare={anna}",
            "/egenvard",
            "/profil",
        ],
    )


def test_staff_pages(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "sara")
    article = _first_href(page, app_url, "/redaktion", "/redaktion/artikel?artikel=")
    overview = _first_href(page, app_url, "/mina-invanare", "/mina-invanare/invanare?")
    anna = overview.rsplit("=", 1)[1]
    contact = _first_href(page, app_url, f"/kontakter?invanare={anna}", "/kontakter/andra?")
    time = _first_href(page, app_url, f"/tider?invanare={anna}", "/tider/andra?")
    _check_pages(
        page,
        app_url,
        "staff",
        [
            "/",
            "/mina-invanare",
            "/mina-invanare/ny",
            overview,
            f"/tider?invanare={anna}",
            time,
            f"/kontakter?invanare={anna}",
            contact,
            f"/kontakter/ny?invanare={anna}",
            "/redaktion",
            article,
            "/redaktion/artikel",
            "/egenvard",
            "/profil",
        ],
    )


def test_administrator_pages(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "alva")
    staff = _first_href(page, app_url, "/admin", "/admin/personal?")
    _check_pages(page, app_url, "admin", ["/admin", staff, "/profil"])
