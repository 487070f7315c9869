"""Draw the app's PNG icons from assets/icon.svg with Chromium, once; the PNGs are committed.

Run by hand after changing the logo (CI does not run it)::

    .venv/bin/python -m tests.e2e.make_icons

- ``icon-192.png``, ``icon-512.png``: the logo as it is (rounded square), for the
  manifest's ``any`` purpose, the apple-touch-icon and the notification icon.
- ``icon-maskable-512.png``: full-bleed background with the letter inside the central
  80 % safe zone, so a phone's circle or squircle mask never cuts it.
- ``badge-96.png``: the letter alone in white on transparent, for Android's status bar.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"
SOURCE = ASSETS / "icon.svg"


def _letter_path(svg: str) -> str:
    match = re.search(r'<path d="([^"]+)"', svg)
    assert match, "icon.svg has no <path> for the letter"
    return match.group(1)


def _background(svg: str) -> str:
    match = re.search(r'<rect [^>]*fill="(#[0-9a-fA-F]{6})"', svg)
    assert match, "icon.svg has no filled <rect> for the background"
    return match.group(1)


def _maskable(svg: str) -> str:
    # The letter spans 18..46 of 64 units; scaled by 0.7 about the centre it stays
    # well inside the safe-zone circle (radius 40 % of the size).
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" fill="{_background(svg)}"/>'
        '<g transform="translate(32 32) scale(0.7) translate(-32 -32)">'
        f'<path d="{_letter_path(svg)}" fill="#fff"/></g></svg>'
    )


def _badge(svg: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="12 12 40 40">'
        f'<path d="{_letter_path(svg)}" fill="#fff"/></svg>'
    )


def render(svg: str, size: int, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": size, "height": size})
        page.set_content(
            "<!doctype html><html><body style='margin:0;background:transparent'>"
            f"<div style='width:{size}px;height:{size}px'>"
            + svg.replace("<svg ", f"<svg width='{size}' height='{size}' ", 1)
            + "</div></body></html>"
        )
        page.screenshot(
            path=str(out),
            omit_background=True,
            clip={"x": 0, "y": 0, "width": size, "height": size},
        )
        browser.close()


def main() -> None:
    svg = SOURCE.read_text()
    render(svg, 192, ASSETS / "icon-192.png")
    render(svg, 512, ASSETS / "icon-512.png")
    render(_maskable(svg), 512, ASSETS / "icon-maskable-512.png")
    render(_badge(svg), 96, ASSETS / "badge-96.png")


if __name__ == "__main__":
    main()
