"""The Reflex app: wires pages, stylesheet, head tags and HTTP routes together."""

import reflex as rx
from starlette.applications import Starlette

import naranara.pages  # noqa: F401 - registers every page
from naranara.http import (
    auth_routes,
    calendar_routes,
    fhir_routes,
    guidance_routes,
    health_routes,
    measurement_routes,
    oidc_routes,
    profile_routes,
    push_routes,
)
from naranara.http.middleware import ClientTokenBindingMiddleware, SecurityHeadersMiddleware
from naranara.logs.web import EventLogMiddleware, RequestLogMiddleware
from naranara.states.access_change import AccessChangeMiddleware
from naranara.states.session import report_backend_error

app = rx.App(
    stylesheets=["/nara.css"],
    html_lang="sv",
    head_components=[
        rx.el.meta(name="theme-color", content="#0f5f5c"),
        rx.el.link(rel="icon", href="/icon.svg", type="image/svg+xml"),
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        # Registers the service worker and keeps this device's push subscription fresh.
        rx.el.script(src="/push.js", async_=True),
        # Keeps a focused multi-line field clear of the tab bar (focus not obscured).
        rx.el.script(src="/focus.js", async_=True),
        rx.el.meta(name="description", content="Nära – din vård, nära dig."),
    ],
    backend_exception_handler=report_backend_error,
    api_transformer=[
        Starlette(
            routes=[
                *auth_routes.routes,
                *oidc_routes.routes,
                *fhir_routes.routes,
                *calendar_routes.routes,
                *profile_routes.routes,
                *measurement_routes.routes,
                *push_routes.routes,
                *guidance_routes.routes,
                *health_routes.routes,
            ]
        ),
        ClientTokenBindingMiddleware,
        SecurityHeadersMiddleware,
        RequestLogMiddleware,  # outermost: times and logs everything, static files too
    ],
)
app.add_middleware(EventLogMiddleware())
# Before every event: what a tab shows follows its viewer's access (grants, care).
app.add_middleware(AccessChangeMiddleware())
