"""One log line per HTTP request and per event, with its route or handler, outcome and time.

Paths are logged without their query string (it carries codes and tickets), and every
line passes the redaction in ``logs.redaction`` like any other record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from reflex.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState, StateUpdate
    from reflex_base.event import Event

http_log = logging.getLogger("naranara.http")
event_log = logging.getLogger("naranara.events")


def _route(scope: Scope) -> str:
    """The matched route's template (``/kalender/tid/{time_id:int}.ics``), else the path."""
    route = scope.get("route")
    return getattr(route, "path", None) or scope.get("path", "")


class RequestLogMiddleware:
    """ASGI middleware: ``GET /healthz 200 1.2 ms`` for every request, websockets at close."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status is None:
                status = 403  # refused before it was accepted (e.g. a foreign origin)
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        except BaseException:
            status = status or 500
            raise
        finally:
            duration = round((time.perf_counter() - started) * 1000, 1)
            method = scope.get("method", "WS") if scope["type"] == "http" else "WS"
            route = _route(scope)
            level = logging.ERROR if (status or 500) >= 500 else logging.INFO
            http_log.log(
                level,
                "%s %s %s %.1f ms",
                method,
                route,
                status if status is not None else "-",
                duration,
                extra={"method": method, "route": route, "status": status, "duration_ms": duration},
            )


def handler_name(event_name: str) -> str:
    """``TodayState.load`` for Reflex's ``state.today_state.load``, when registered."""
    from reflex_base.registry import RegistrationContext

    try:
        registered = RegistrationContext.get().event_handlers[event_name]
    except (LookupError, KeyError):
        return event_name
    return registered.handler.fn.__qualname__


class EventLogMiddleware(Middleware):
    """Reflex middleware: a line when each event's task ends, with its outcome and time.

    ``preprocess`` runs in the event's own task just before the handler; the line is
    written from that task's done callback, so it sees the handler's outcome too.
    """

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        task = asyncio.current_task()
        if task is None:
            return None
        started = time.perf_counter()
        name = handler_name(event.name)

        def done(finished: asyncio.Task) -> None:
            if finished.cancelled():
                outcome = "cancelled"
            elif (error := finished.exception()) is not None:
                outcome = f"error {type(error).__name__}"
            else:
                outcome = "ok"
            duration = round((time.perf_counter() - started) * 1000, 1)
            event_log.log(
                logging.INFO if outcome == "ok" else logging.WARNING,
                "event %s %s %.1f ms",
                name,
                outcome,
                duration,
                extra={"handler": name, "status": outcome, "duration_ms": duration},
            )

        task.add_done_callback(done)
        return None
