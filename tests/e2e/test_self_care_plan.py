"""Min egenvård and Mätvärden in Chromium at phone size."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
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
# A real template of a shipped article (naranara/content/guidance/vag-dig-vid-hjartsvikt.sv.md).
TEMPLATE = "/egenvard/ny-uppgift?artikel=vag-dig-vid-hjartsvikt&mall=vag-dig"

_NEW_RESIDENT = """
from naranara.db import session_scope
from naranara.models import Role
from naranara.services.accounts import create_user
with session_scope() as db:
    create_user(session=db, username="valborg", display_name="Valborg Viklund",
                role=Role.RESIDENT, password="valborgs-losenord-1")
"""


@pytest.fixture(scope="module")
def valborg(app_url: str, app_data_dir: Path) -> str:
    """A resident of her own, so what these tests add leaves the demo resident as she was."""
    env = {**os.environ, "NARA_DATA_DIR": str(app_data_dir)}
    subprocess.run([sys.executable, "-c", _NEW_RESIDENT], cwd=ROOT, env=env, check=True)
    return "valborg"


def _check_page(page: Page, name: str) -> None:
    screenshot(page, name)
    page.screenshot(path=f"tests/artifacts/{name}-full.png", full_page=True)
    assert_accessible(page)
    assert small_touch_targets(page) == []


def test_anna_sees_her_plan_a_history_and_her_measurements(page: Page, app_url: str) -> None:
    sign_in(page, app_url)
    page.get_by_role("link", name="Min egenvård").first.click()
    page.wait_for_url(f"{app_url}/egenvard/mina-uppgifter")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Min egenvård", level=1)).to_be_visible()
    expect(page.get_by_text("Varje dag kl. 08.00").first).to_be_visible()
    expect(page.get_by_text("14 gånger i rad").first).to_be_visible()
    _check_page(page, "self-care-plan")

    page.get_by_role("link", name="Mät blodtrycket").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Mät blodtrycket", level=1)).to_be_visible()
    expect(page.get_by_text("Gjort av Erik för Anna")).to_be_visible()
    _check_page(page, "self-care-task-history")

    page.goto(f"{app_url}/matvarden")
    wait_for_app(page)
    advice = page.get_by_role("region", name="Råd till dig")
    expect(advice).to_contain_text("mer än 2 kg på 3 dagar")
    expect(advice).to_contain_text("Ditt senaste värde: 72,8 kg. Jämfört med: 70,4 kg.")
    expect(page.locator(".recharts-surface")).to_be_visible()
    expect(page.get_by_role("heading", name="Vikt, de senaste 30 dagarna")).to_be_visible()
    expect(page.locator("#chart-summary")).to_contain_text("29 värden. Lägst ")
    expect(page.get_by_role("heading", name="Över tid")).to_be_visible()
    page.locator(".chart").scroll_into_view_if_needed()
    screenshot(page, "measurements-chart")
    _check_page(page, "measurements")


def test_a_resident_adopts_a_task_marks_it_and_follows_her_weight(
    page: Page, app_url: str, valborg: str
) -> None:
    sign_in(page, app_url, username=valborg, password="valborgs-losenord-1")
    page.goto(app_url + TEMPLATE)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Lägg till i min plan", level=1)).to_be_visible()
    expect(page.get_by_label("Vad vill du göra?")).to_have_value("Väg dig varje morgon")
    expect(
        page.get_by_text("Kontakta din vårdcentral om du har gått upp mer än 2 kg")
    ).to_be_visible()
    expect(page.get_by_label("Varje dag")).to_be_checked()
    # The weekday boxes show only for "some days of the week".
    expect(page.get_by_label("Måndag")).to_be_hidden()
    page.get_by_label("Vissa dagar i veckan").check()
    expect(page.get_by_label("Måndag")).to_be_visible()
    page.get_by_label("Varje dag").check()
    _check_page(page, "self-care-task-new")
    page.get_by_label("Vilken tid?").fill("00:05")
    page.get_by_role("button", name="Lägg till i min plan").click()
    page.wait_for_url("**/egenvard/uppgift?uppgift=*")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Väg dig varje morgon", level=1)).to_be_visible()
    expect(page.get_by_text("Varje dag kl. 00.05")).to_be_visible()

    page.get_by_role("link", name="Tillbaka till min egenvård").click()
    wait_for_app(page)
    task = page.get_by_role("article", name="Väg dig varje morgon")
    task.get_by_role("button", name="Klar").click()
    expect(task.get_by_text("Gjort", exact=True)).to_be_visible()
    expect(task.get_by_role("button", name="Ångra")).to_be_visible()

    page.goto(f"{app_url}/matvarden")
    wait_for_app(page)
    local_now = clock.local_now()
    three_days_ago = (local_now - timedelta(days=3)).date().isoformat()
    page.get_by_label("Vikt i kg").fill("725")
    page.get_by_label("Datum", exact=True).fill(three_days_ago)
    page.get_by_label("Tid", exact=True).fill("07:30")
    page.get_by_role("button", name="Spara").click()
    expect(
        page.get_by_text("Värdet ser inte rätt ut. Skriv ett värde från 20 till 300.")
    ).to_be_visible()
    expect(page.get_by_label("Vikt i kg")).to_have_value("725")  # what she typed is kept
    page.get_by_label("Vikt i kg").fill("70,0")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Sparat: Vikt 70 kg.")
    page.get_by_label("Vikt i kg").fill("72,5")
    page.get_by_label("Tid", exact=True).fill("00:01")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Sparat: Vikt 72,5 kg.")
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("region", name="Råd till dig")).to_contain_text("Väg dig varje morgon")
    expect(page.locator(".recharts-surface")).to_be_visible()
    page.get_by_text("Visa värdena som tabell").click()
    expect(page.get_by_role("cell", name="72,5 kg")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner som CSV").click()
    download = download_info.value
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeffDatum;Tid;Vad;Värde;Undre tryck;Enhet")
    assert f"{three_days_ago};07:30;Vikt;70;;kg" in text
    assert ";Vikt;72,5;;kg" in text
