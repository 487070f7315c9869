"""The JavaScript each route makes a first visit load, in gzip bytes, against a budget.

A route's prerendered HTML names every module its first visit runs: the entry, the
root and the route's own module, each with what it imports (``<link rel="modulepreload">``),
plus the route manifest (``import "…"``). Their bodies, compressed here with gzip
level 6, are the route's weight: bytes, the same on every machine, so a test can hold
each route to ``benchmarks/bundle_budget.json`` and fail when one grows past it
(tests/e2e/test_bundle_budget.py). Lazily imported chunks are not counted: they are not
part of the first visit.

    .venv/bin/python benchmarks/route_weight.py http://localhost:3000     # a table
    .venv/bin/python benchmarks/route_weight.py .web/build/client         # the same, from files
    .venv/bin/python benchmarks/route_weight.py URL --write-budget        # a new budget

A new budget is the measured weight plus ``HEADROOM``: write one after a change that
makes a route heavier on purpose, and say why in the commit.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_FILE = ROOT / "benchmarks" / "bundle_budget.json"
HEADROOM = 0.05  # a route may grow 5 % past what it weighed when its budget was written

_MODULEPRELOAD = re.compile(r'<link rel="modulepreload"[^>]*? href="([^"]+\.js)"')
_STATIC_IMPORT = re.compile(r'import ["\']([^"\']+\.js)["\']')
_DYNAMIC_IMPORT = re.compile(r'import\(["\']([^"\']+\.js)["\']\)')
# recharts draws into an <svg class="recharts-surface">: the name survives minifying.
CHART_MARKER = b"recharts-surface"


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def first_visit_scripts(html: str) -> list[str]:
    """The JavaScript files a first visit to this page runs, in order, each once."""
    found: list[str] = []
    for pattern in (_STATIC_IMPORT, _MODULEPRELOAD, _DYNAMIC_IMPORT):
        for path in pattern.findall(html):
            if path not in found:
                found.append(path)
    return found


@dataclass(frozen=True)
class RouteWeight:
    route: str
    files: int
    gzip_bytes: int
    draws_charts: bool  # whether recharts is among the modules


def weigh(route: str, fetch: Callable[[str], bytes]) -> RouteWeight:
    """``fetch(path)`` returns a body from the server (or the build directory)."""
    html = fetch(route).decode()
    scripts = first_visit_scripts(html)
    bodies = [fetch(path) for path in scripts]
    return RouteWeight(
        route=route,
        files=len(bodies),
        gzip_bytes=sum(gzip_size(body) for body in bodies),
        draws_charts=any(CHART_MARKER in body for body in bodies),
    )


def static_routes() -> list[str]:
    """Every page path without a dynamic segment, as registered by the pages."""
    import naranara.pages  # noqa: F401 - registers every page
    from naranara.components.layout import PAGES

    return sorted(route for route in PAGES if route.startswith("/") and "[" not in route)


def budget_of(weights: Iterable[RouteWeight]) -> dict[str, int]:
    return {w.route: math.ceil(w.gzip_bytes * (1 + HEADROOM)) for w in weights}


def read_budget() -> dict[str, int]:
    return json.loads(BUDGET_FILE.read_text())["routes"]


def write_budget(weights: Iterable[RouteWeight]) -> None:
    document = {
        "about": "First-visit JavaScript per route, gzip level 6 bytes; "
        "see benchmarks/route_weight.py",
        "routes": budget_of(weights),
    }
    BUDGET_FILE.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _http_fetcher(base_url: str) -> Callable[[str], bytes]:
    import httpx

    client = httpx.Client(
        base_url=base_url,
        timeout=30,
        headers={"Accept-Encoding": "identity"},
        follow_redirects=True,
    )

    def fetch(path: str) -> bytes:
        response = client.get(path)
        response.raise_for_status()
        return response.content

    return fetch


def directory_fetcher(client_dir: Path) -> Callable[[str], bytes]:
    """Bodies from a build's ``build/client`` directory, as the server would send them."""

    def fetch(path: str) -> bytes:
        if path.endswith(".js"):
            return (client_dir / path.lstrip("/")).read_bytes()
        return (
            client_dir / (path.strip("/") + ".html" if path != "/" else "index.html")
        ).read_bytes()

    return fetch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source", help="a running production build (http://localhost:3000) or its build/client"
    )
    parser.add_argument("--write-budget", action="store_true", help="write bundle_budget.json")
    args = parser.parse_args(argv)
    if args.source.startswith(("http://", "https://")):
        fetch = _http_fetcher(args.source.rstrip("/"))
    else:
        fetch = directory_fetcher(Path(args.source))
    weights = [weigh(route, fetch) for route in static_routes()]
    budget = read_budget() if BUDGET_FILE.exists() else {}
    print("| route | files | gzip KiB | budget KiB | recharts |")
    print("| --- | ---: | ---: | ---: | --- |")
    for w in weights:
        limit = budget.get(w.route)
        limit_text = f"{limit / 1024:.1f}" if limit else "–"
        charts = "yes" if w.draws_charts else ""
        print(f"| `{w.route}` | {w.files} | {w.gzip_bytes / 1024:.1f} | {limit_text} | {charts} |")
    if args.write_budget:
        write_budget(weights)
        print(f"wrote {BUDGET_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
