"""What the end-to-end tests do in a page: wait, sign in, screenshot, check accessibility."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


# The page on screen is ready: Reflex has run its on_load handlers for this very path
# (``#nara-browser[data-hydrated]``, components/browser.command_element).
_HYDRATED = """() => {
    const shell = document.getElementById("nara-browser");
    const path = (p) => (p.length > 1 ? p.replace(/\\/+$/, "") : p);
    const ready = shell ? shell.dataset.hydrated || "" : "";
    return ready !== "" && path(ready) === path(location.pathname);
}"""


def wait_for_app(page: Page) -> None:
    """Until the page on screen has its state: hydrated for this path, and no loading
    placeholder left. (Waiting for the network to go idle instead cost half a second
    a call, and could end before a page changed by a link had begun to load.)"""
    page.wait_for_function(_HYDRATED)
    page.locator("main .loading").first.wait_for(state="detached")


def sign_in(page: Page, app_url: str, username: str = "anna", password: str = "nara-demo") -> None:
    page.goto(f"{app_url}/logga-in")
    wait_for_app(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{app_url}/")
    wait_for_app(page)


def screenshot(page: Page, name: str) -> Path:
    """A phone-size picture under tests/artifacts/ for a person to look at."""
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def axe_violations(page: Page) -> list[dict]:
    """WCAG 2.x A and AA (up to 2.2) violations that axe-core finds on the page."""
    # Through DevTools, not a <script> tag: the page's Content-Security-Policy allows no
    # inline script but its own (by hash), and a test tool is no reason to loosen it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2, ensure_ascii=False)


def small_touch_targets(page: Page) -> list[str]:
    """Interactive elements smaller than 44×44 CSS px (links inside running text excepted).

    A checkbox or radio button wrapped in its <label> is pressed through the whole
    label, so the label's box is what is measured.
    """
    return page.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [role=checkbox]')]
            .filter(el => el.offsetParent !== null)
            .filter(el => !(el.tagName === 'A' && el.closest('p, li') && !el.className))
            .filter(el => {
                const toggle = el.type === 'checkbox' || el.type === 'radio';
                const target = (toggle && el.closest('label')) || el;
                const r = target.getBoundingClientRect();
                return r.width < 44 || r.height < 44;
            })
            .map(el => el.outerHTML.slice(0, 120))"""
    )
