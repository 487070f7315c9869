"""JSON bodies of state-changing HTTP routes that pages and the service worker call with
``fetch``: one way to check where they come from and read them.

A form on another site cannot send ``application/json`` without a CORS preflight we
never answer, and ``Origin`` must be one of this site's.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from naranara.http.cross_site import is_from_this_site

NO_STORE = {"Cache-Control": "no-store"}


def answer(content: dict[str, Any], status_code: int = 200) -> JSONResponse:
    """A JSON answer no cache between keeps (it may name the person's data)."""
    return JSONResponse(content, status_code=status_code, headers=NO_STORE)


async def json_from_this_site(request: Request, *, max_bytes: int) -> dict[str, Any] | Response:
    """The request's JSON object, or the refusal to send back."""
    # CrossSiteRequestGuard stands in front of every route; fetch() from our own pages
    # and service worker always names its origin, so here it must.
    if not is_from_this_site(request, origin_required=True):
        return answer({"error": "origin"}, 403)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return answer({"error": "content-type"}, 415)
    body = await request.body()
    if len(body) > max_bytes:
        return answer({"error": "too-large"}, 413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return answer({"error": "json"}, 400)
    if not isinstance(data, dict):
        return answer({"error": "json"}, 400)
    return data
