"""Known script-injection payloads saved as article text, published and opened in Chromium:
no dialog opens, no payload's script runs, and the page asks no other host for anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import screenshot, wait_for_app
from tests.utils.xss_payloads import FLAG, XSS_PAYLOADS

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

# Through the workflow itself: drafted by one staff member, published by another.
_PUBLISH_PAYLOADS = """
import json, sys
from naranara.db import session_scope
from naranara.models import Role
from naranara.services import guidance_editor
from naranara.services.accounts import create_user
payloads = json.loads(sys.stdin.read())
with session_scope() as db:
    author = create_user(session=db, username="xss-forfattare", display_name="X Författare",
                         role=Role.STAFF)
    reviewer = create_user(session=db, username="xss-granskare", display_name="X Granskare",
                           role=Role.STAFF)
    for number, payload in enumerate(payloads):
        version = guidance_editor.create_article(
            session=db, editor_id=author.id, slug=f"xss-{number}", variant="sv",
            values={"title": f"Test {number}", "summary": payload[:300], "category": "somn",
                    "reading_minutes": "1", "responsible_unit": "Test",
                    "reviewed_on": "2026-10-01", "warning_markdown": payload,
                    "body_markdown": payload})
        guidance_editor.submit_for_review(session=db, editor_id=author.id, version_id=version.id)
        guidance_editor.publish(
    session=db, reviewer_id=reviewer.id, version_id=version.id, reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version.id)
)
"""


@pytest.fixture(scope="module")
def published_payloads(app_url: str, app_data_dir: Path) -> int:
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    subprocess.run(
        [sys.executable, "-c", _PUBLISH_PAYLOADS],
        cwd=ROOT,
        env=env,
        check=True,
        input=json.dumps(list(XSS_PAYLOADS)),
        text=True,
    )
    return len(XSS_PAYLOADS)


def test_no_payload_runs_opens_a_dialog_or_calls_another_host(
    page: Page, app_url: str, published_payloads: int
) -> None:
    app_host = urlsplit(app_url).netloc
    dialogs: list[str] = []
    elsewhere: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda request: (
            None
            if urlsplit(request.url).netloc == app_host or request.url.startswith("data:")
            else elsewhere.append(request.url)
        ),
    )
    ran = []
    for number in range(published_payloads):
        page.goto(f"{app_url}/egenvard/xss-{number}")
        wait_for_app(page)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Test {number}")
        # Hover every link and image the payload left, as a curious reader would.
        for element in page.locator("main .article-body a, main .article-body img").all():
            element.hover()
        if page.evaluate(f"() => window.{FLAG} !== undefined"):
            ran.append(XSS_PAYLOADS[number])
        if number == 0:
            screenshot(page, "guidance-xss-script")
    assert ran == []
    assert dialogs == []
    assert elsewhere == []
