"""``/healthz`` and ``/readyz`` for load balancers, process managers and monitoring.

Public and cheap enough to poll every few seconds: no person's data, no template,
two small queries and a Redis ping. The expected schema revision is read from the
migrations directory once per process.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from naranara import clock
from naranara.db import get_engine
from naranara.migrate import head_revision
from naranara.services import health
from naranara.settings import get_settings

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
_NO_STORE = {"Cache-Control": "no-store"}


@lru_cache
def _redis_client(url: str):  # noqa: ANN202 - a redis.Redis
    from redis import Redis

    # Short timeouts: an unreachable Redis must answer "unreachable", not hang the probe.
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def _redis_ping():  # noqa: ANN202 - a callable, or None without Redis
    """Reflex's Redis (REFLEX_REDIS_URL), which holds tab state when the app is scaled out."""
    from reflex.utils.prerequisites import parse_redis_url

    url = parse_redis_url()
    return None if url is None else _redis_client(url).ping


def healthz(request: Request) -> JSONResponse:
    """The process answers: nothing else is checked."""
    return JSONResponse({"status": "ok"}, headers=_NO_STORE)


def readyz(request: Request) -> JSONResponse:
    """Ready to serve: database, schema, reminder worker and (when configured) Redis.

    A plain ``def``: Starlette runs it in a thread, off the event loop.
    """
    found = health.readiness(
        engine=get_engine(),
        expected_revision=head_revision(),
        now=clock.real_now(),
        stale_after=get_settings().worker_stale_after,
        redis_ping=_redis_ping(),
    )
    return JSONResponse(found.as_json(), status_code=200 if found.ready else 503, headers=_NO_STORE)


routes = [
    Route(HEALTH_PATH, healthz, methods=["GET"]),
    Route(READY_PATH, readyz, methods=["GET"]),
]
