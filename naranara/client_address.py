"""Who is asking: the client address that throttling and the audit log count.

Without a proxy in front (``NARA_TRUSTED_PROXY_HOPS=0``, the default) the address is
the socket's peer, and ``X-Forwarded-For`` is ignored: anyone can write that header.
Behind N reverse proxies that each append the address they received from, the client
is the N-th entry of ``X-Forwarded-For`` counted from the right: the entries further
left were written by whoever sent the request and prove nothing. With fewer entries
than hops (a request that bypassed the proxies) the peer is used.

One rule for HTTP routes (``of_request``) and websocket events (``of_state``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import HTTPConnection

from naranara.settings import get_settings

# Reflex puts the websocket's peer among the handshake headers under this name.
_REFLEX_PEER_HEADER = "asgi-scope-client"


def decide(peer: str | None, forwarded_for: str | None, hops: int) -> str | None:
    """The client address from the socket peer and ``X-Forwarded-For`` with ``hops``
    trusted proxies in front."""
    if hops <= 0:
        return peer or None
    entries = [entry.strip() for entry in (forwarded_for or "").split(",") if entry.strip()]
    if len(entries) < hops:
        return peer or None
    return entries[-hops]


def of_request(request: HTTPConnection) -> str | None:
    """The client address of an HTTP request."""
    peer = request.client.host if request.client else None
    return decide(peer, request.headers.get("x-forwarded-for"), get_settings().trusted_proxy_hops)


def of_state(state: Any) -> str | None:  # noqa: ANN401 - a Reflex state
    """The client address behind a Reflex state's event (its websocket's handshake)."""
    headers: Mapping[str, str] = state.router.headers.raw_headers
    peer = headers.get(_REFLEX_PEER_HEADER) or state.router.session.client_ip or None
    return decide(peer, headers.get("x-forwarded-for"), get_settings().trusted_proxy_hops)
