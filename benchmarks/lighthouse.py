"""Lighthouse on a phone: every route of Nära, signed in and out, beside a blank Reflex app.

Starts Nära's production build (``naranara serve``, fresh demo data, the browser tests'
build in ``.web-e2e`` reused while it is current) and the blank Reflex app of
``bundle_weight.py``, signs each demo person in through the real sign-in form in
Chromium, and runs Lighthouse (npm ``lighthouse``, pinned in ``benchmarks/package.json``:
``cd benchmarks && npm ci`` once) in its default mobile mode — simulated slow 4G and a
4× slower CPU — against each route, with that person's cookies in the browser's own
cookie jar (``lighthouse_page.mjs``). Prints the median of
``--runs`` runs per route: performance score, LCP, TBT, CLS, and where Lighthouse ended up
(a route that sent the reader to the sign-in page measured the wrong page).

Run by hand on a quiet machine (``uptime`` below 1)::

    .venv/bin/python benchmarks/lighthouse.py --runs 3

``--repeat`` measures instead a first visit beside a repeat visit with the service
worker (issue 15) on a few routes a resident opens daily: the repeat keeps what the
worker kept (Lighthouse's ``disableStorageReset``), as her phone does.

Targets (issue 16): score ≥ 95, LCP ≤ 1.8 s, TBT ≤ 100 ms, CLS ≤ 0.02 on every route.
Nothing here asserts: the figures go to benchmarks/RESULTS.md by hand, with the load.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from naranara.services.demo_data import DEMO_PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bundle_weight import (  # noqa: E402 - a sibling script, not a package
    BIN,
    BLANK_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    LOGS,
    ROOT,
    base_env,
    blank_command,
    free_port,
    prepare_blank,
    run_step,
    start_server,
    stop_server,
    wait_until_up,
)

LIGHTHOUSE = ROOT / "benchmarks" / "node_modules" / "lighthouse"
PAGE_RUNNER = ROOT / "benchmarks" / "lighthouse_page.mjs"
# Who opens which route. Addresses with a query name the demo data's first rows.
ROUTES: tuple[tuple[str, str], ...] = (
    ("", "/logga-in"),
    ("", "/valkommen"),
    ("", "/inbjudan"),
    ("", "/aktivera"),
    ("anna", "/"),
    ("anna", "/tider"),
    ("anna", "/tider/ny"),
    ("anna", "/tider/andra?tid=1"),
    ("anna", "/kontakter"),
    ("anna", "/kontakter/ny"),
    ("anna", "/kontakter/andra?kontakt=1"),
    ("anna", "/plan"),
    ("anna", "/egenvard"),
    ("anna", "/egenvard/mina-uppgifter"),
    ("anna", "/egenvard/ny-uppgift"),
    ("anna", "/matvarden"),
    ("anna", "/profil"),
    ("anna", "/profil/aviseringar"),
    ("anna", "/profil/narstaende"),
    ("anna", "/profil/vem-har-sett"),
    ("anna", "/profil/dela-med-varden"),
    ("anna", "/viktigt"),
    ("anna", "/viktigt/fyll-i"),
    ("anna", "/viktigt/historik"),
    ("anna", "/viktigt/sammanfattning"),
    ("erik", "/"),
    ("erik", "/jag-hjalper"),
    ("sara", "/mina-invanare"),
    ("sara", "/mina-invanare/ny"),
    ("sara", "/redaktion"),
    ("alva", "/admin"),
    ("alva", "/admin/personal"),
)
TARGETS = {"score": 95, "lcp_ms": 1800, "tbt_ms": 100, "cls": 0.02}
# First visit beside a repeat visit with the service worker (--repeat).
REPEAT_ROUTES: tuple[tuple[str, str], ...] = (
    ("", "/egenvard"),
    ("", "/egenvard/vag-dig-vid-hjartsvikt"),
    ("anna", "/"),
    ("anna", "/tider"),
)


@dataclass
class Measured:
    who: str
    route: str
    score: float
    lcp_ms: float
    tbt_ms: float
    cls: float
    transfer_kib: float
    landed: str  # the path Lighthouse ended on

    def misses(self) -> list[str]:
        missed = []
        if self.score < TARGETS["score"]:
            missed.append("score")
        if self.lcp_ms > TARGETS["lcp_ms"]:
            missed.append("LCP")
        if self.tbt_ms > TARGETS["tbt_ms"]:
            missed.append("TBT")
        if self.cls > TARGETS["cls"]:
            missed.append("CLS")
        return missed


def cookies_of(base_url: str, username: str) -> str:
    """The cookies of a real sign-in in Chromium (device and session), as JSON for
    Puppeteer's ``browser.setCookie``."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base_url}/logga-in")
        page.wait_for_load_state("networkidle")
        page.locator("main .loading").first.wait_for(state="detached")
        page.get_by_label("Användarnamn").fill(username)
        page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{base_url}/", timeout=60_000)
        cookies = page.context.cookies()
        browser.close()
    keep = ("name", "value", "domain", "path", "httpOnly", "secure", "sameSite")
    return json.dumps([{key: cookie[key] for key in keep} for cookie in cookies])


def lighthouse_once(url: str, cookies: str, mode: str = "") -> dict:
    # Through Lighthouse's Node API (lighthouse_page.mjs): the cookies go into the
    # browser's own jar, which the websocket handshake carries (a header would not).
    command = [str(BIN / "node"), str(PAGE_RUNNER), url, cookies, CHROMIUM, mode]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{url}: lighthouse_page.mjs failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def save_final_screenshot(report: dict, path: Path) -> None:
    """Lighthouse's last frame of the page, to look at what was measured."""
    data_url = report["audits"]["final-screenshot"]["details"]["data"]
    path.write_bytes(base64.b64decode(data_url.split(",", 1)[1]))


def measure(
    base_url: str, who: str, route: str, cookies: str, runs: int, screenshots: Path | None
) -> Measured:
    reports = [lighthouse_once(base_url + route, cookies) for _ in range(runs)]
    if screenshots is not None:
        name = re.sub(r"[^A-Za-z0-9]+", "-", f"{who or 'signed-out'}{route}").strip("-")
        save_final_screenshot(reports[-1], screenshots / f"{name}.jpg")
    return summarise(who, route, reports)


def summarise(who: str, route: str, reports: list[dict]) -> Measured:

    def median(pick) -> float:  # noqa: ANN001
        return statistics.median(pick(report) for report in reports)

    def audit(report: dict, name: str) -> float:
        return report["audits"][name]["numericValue"]

    landed = {urlsplit(r.get("finalDisplayedUrl", "")).path or "/" for r in reports}
    return Measured(
        who=who or "(signed out)",
        route=route,
        score=median(lambda r: r["categories"]["performance"]["score"] * 100),
        lcp_ms=median(lambda r: audit(r, "largest-contentful-paint")),
        tbt_ms=median(lambda r: audit(r, "total-blocking-time")),
        cls=median(lambda r: audit(r, "cumulative-layout-shift")),
        transfer_kib=median(lambda r: audit(r, "total-byte-weight") / 1024),
        landed=", ".join(sorted(landed)),
    )


def measure_repeat(base_url: str, who: str, route: str, cookies: str, runs: int) -> list[Measured]:
    """The median first visit and repeat visit with the service worker, in that order."""
    pairs = [lighthouse_once(base_url + route, cookies, "repeat") for _ in range(runs)]
    return [
        summarise(f"{who or '(signed out)'}, {visit} visit", route, [p[visit] for p in pairs])
        for visit in ("first", "repeat")
    ]


def table(rows: list[Measured]) -> str:
    lines = [
        "| who | route | score | LCP ms | TBT ms | CLS | transfer KiB | ended on | misses |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.who} | `{row.route}` | {row.score:.0f} | {row.lcp_ms:.0f} | "
            f"{row.tbt_ms:.0f} | {row.cls:.3f} | {row.transfer_kib:.0f} | `{row.landed}` | "
            f"{', '.join(row.misses()) or '–'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per route (the median)")
    parser.add_argument("--only", default="", help="only routes containing this text")
    parser.add_argument("--screenshots", type=Path, help="keep each route's last frame here")
    parser.add_argument(
        "--repeat", action="store_true", help="a first visit beside a repeat visit (issue 15)"
    )
    args = parser.parse_args(argv)
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    if not LIGHTHOUSE.exists():
        print("Lighthouse is missing: cd benchmarks && npm ci", file=sys.stderr)
        return 2
    LOGS.mkdir(parents=True, exist_ok=True)
    load = Path("/proc/loadavg").read_text().split()[:3]
    servers: list[subprocess.Popen] = []
    rows: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="nara-lighthouse-") as data_dir:
        nara_env = {**base_env(Path(data_dir)), "REFLEX_WEB_WORKDIR": str(ROOT / ".web-e2e")}
        try:
            naranara = str(BIN / "naranara")
            run_step([naranara, "migrate"], ROOT, nara_env, LOGS / "lighthouse-setup.log")
            run_step([naranara, "seed"], ROOT, nara_env, LOGS / "lighthouse-setup.log")
            port = free_port()
            # localhost, not 127.0.0.1: the app's cookies are set for the name it is opened by.
            nara_url = f"http://localhost:{port}"
            log = LOGS / "lighthouse-nara.log"
            cmd = [naranara, "serve", "--port", str(port), "--host", "127.0.0.1"]
            servers.append(start_server(cmd, ROOT, nara_env, log))
            wait_until_up(nara_url, servers[-1], log)

            if args.repeat:
                for who, route in REPEAT_ROUTES:
                    if args.only and args.only not in route:
                        continue
                    cookies_of_who = cookies_of(nara_url, who) if who else "[]"
                    rows += measure_repeat(nara_url, who, route, cookies_of_who, args.runs)
                    print(table(rows[-2:]), flush=True)
                return finish(load, args.runs, rows)

            prepare_blank(base_env())
            blank_port = free_port()
            blank_url = f"http://localhost:{blank_port}"
            log = LOGS / "lighthouse-blank.log"
            servers.append(start_server(blank_command(blank_port), BLANK_DIR, base_env(), log))
            wait_until_up(blank_url, servers[-1], log)

            rows.append(
                measure(blank_url, "blank Reflex app", "/", "[]", args.runs, args.screenshots)
            )
            print(table(rows[-1:]), flush=True)
            cookies: dict[str, str] = {"": "[]"}
            for who, route in ROUTES:
                if args.only and args.only not in route:
                    continue
                if who not in cookies:
                    cookies[who] = cookies_of(nara_url, who)
                rows.append(
                    measure(nara_url, who, route, cookies[who], args.runs, args.screenshots)
                )
                print(table(rows[-1:]).splitlines()[-1], flush=True)
        finally:
            for process in servers:
                stop_server(process)
    return finish(load, args.runs, rows)


def finish(load: list[str], runs: int, rows: list[Measured]) -> int:
    print(f"\nLoad average at the start: {' / '.join(load)}; runs per route: {runs}\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
