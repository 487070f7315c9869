"""ASGI middleware around the whole app, static files included (single-port mode)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from reflex import constants
from reflex.config import get_config
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from naranara.db import session_scope
from naranara.services.access import access_version_of_session
from naranara.services.sessions import bound_client_token, new_token
from naranara.settings import get_settings

_DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie

# What the app itself needs and nothing more. Reflex 0.10 hydrates prerendered pages
# with inline scripts and runs rx.call_script through eval(), so scripts need
# 'unsafe-inline' and 'unsafe-eval'; emotion injects <style> tags. Everything else is
# locked to this origin, frames and plugins are refused, and forms post only here.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Sets a device cookie on first visit and the headers every response should carry.

    The device cookie lets a sign-in over the websocket be bound to this browser
    (see ``LoginTicket``); it carries no identity.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        has_device = settings.device_cookie_name in HTTPConnection(scope).cookies
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                if settings.secure_cookies:
                    headers.setdefault(
                        "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
                    )
                # Served without a version in the name: browsers must ask each time.
                if path.endswith((".webmanifest", "/sw.js", "/push.js", "/focus.js")):
                    headers["Cache-Control"] = "no-cache"
                if not has_device:
                    secure = "; Secure" if settings.secure_cookies else ""
                    headers.append(
                        "Set-Cookie",
                        f"{settings.device_cookie_name}={new_token()}; Path=/; HttpOnly; "
                        f"SameSite=Lax; Max-Age={_DEVICE_COOKIE_MAX_AGE}{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


_UPLOAD_TOKEN_HEADER = b"reflex-client-token"


def current_access_version(session_token: str | None) -> int | None:
    """The access version of the person behind a session cookie (None when signed out):
    one read by primary keys, at each websocket handshake and each event."""
    if not session_token:
        return None
    with session_scope() as db:
        return access_version_of_session(session=db, token=session_token)


class ClientTokenBindingMiddleware:
    """Binds each tab's Reflex client token to this browser's device and session cookies,
    and to what the signed-in person may see of others (their access version).

    Reflex looks a tab's state up by the token in the websocket URL (and, for
    uploads, a header). Both are replaced here, before Reflex sees them, by
    ``bound_client_token``: the same tab in the same session keeps its state, a
    token copied into another browser or carried into another session finds none,
    and a tab reconnecting after a grant or care relationship changed starts afresh.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        config = get_config()
        self._event_path = config.prepend_backend_path(str(constants.Endpoint.EVENT))
        self._upload_path = config.prepend_backend_path(str(constants.Endpoint.UPLOAD))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] in ("http", "websocket"):
            if path.startswith(self._event_path):
                scope = self._with_bound_query_token(scope)
            elif path.startswith(self._upload_path):
                scope = self._with_bound_header_token(scope)
        await self.app(scope, receive, send)

    def _bind(self, scope: Scope, client_token: str) -> str:
        settings = get_settings()
        cookies = HTTPConnection(scope).cookies
        session_token = cookies.get(settings.session_cookie_name, "")
        return bound_client_token(
            client_token,
            device_token=cookies.get(settings.device_cookie_name, ""),
            session_token=session_token,
            access_version=current_access_version(session_token),
        )

    def _with_bound_query_token(self, scope: Scope) -> Scope:
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if not any(name == "token" for name, _ in query):
            return scope
        bound = [
            (name, self._bind(scope, value) if name == "token" else value) for name, value in query
        ]
        return {**scope, "query_string": urlencode(bound).encode("latin-1")}

    def _with_bound_header_token(self, scope: Scope) -> Scope:
        headers = [
            (name, self._bind(scope, value.decode("latin-1")).encode("latin-1"))
            if name == _UPLOAD_TOKEN_HEADER
            else (name, value)
            for name, value in scope.get("headers", [])
        ]
        return {**scope, "headers": headers}
