"""No state-changing request from another site: the guard in front of every HTTP route.

A page on another site can make the browser send a form (``POST /auth/logout``) or a
``fetch`` with this site's cookies (SameSite=Lax keeps them off cross-site POSTs, but
not off requests from a sibling subdomain, and not every browser agrees). Browsers
say where a request came from: ``Sec-Fetch-Site`` (``same-origin``, ``same-site``,
``cross-site``, ``none``) and, on every POST, ``Origin``. ``CrossSiteRequestGuard``
refuses any request other than GET, HEAD and OPTIONS whose ``Sec-Fetch-Site`` is
anything but ``same-origin``, or whose ``Origin`` is not one of this site's own
origins (``own_origins``). A client that sends neither header is no browser, and a
non-browser client has no victim's cookies to misuse. Reflex's own endpoints
(``/_upload``) pass through the same guard; the event websocket checks its origin
itself (``NARA_ALLOWED_ORIGINS``).
"""

from __future__ import annotations

import json

from reflex.config import get_config
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from naranara.settings import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The body of the 403 the guard answers with (JSON, as the fetch() callers expect).
REFUSAL = "cross-site"


def own_origins(connection: HTTPConnection) -> set[str]:
    """This site's origins: the ones the event socket accepts (NARA_ALLOWED_ORIGINS),
    and the address this request came to (or NARA_PUBLIC_URL behind a proxy)."""
    public = get_settings().public_url.rstrip("/")
    listed = {origin.rstrip("/") for origin in get_config().cors_allowed_origins if origin != "*"}
    return listed | {public or f"{connection.url.scheme}://{connection.url.netloc}"}


def is_from_this_site(connection: HTTPConnection, *, origin_required: bool = False) -> bool:
    """Whether a request was sent by one of this site's own pages (or by no browser)."""
    headers: Headers = connection.headers
    site = headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = headers.get("origin")
    if origin is None:
        return not origin_required
    return origin in own_origins(connection)


class CrossSiteRequestGuard:
    """Refuses state-changing requests from other sites with 403, before any route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method", "GET") not in SAFE_METHODS
            and not is_from_this_site(HTTPConnection(scope))
        ):
            body = json.dumps({"error": REFUSAL}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
