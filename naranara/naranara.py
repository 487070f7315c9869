"""The Reflex app: wires pages, stylesheet, head tags and HTTP routes together."""

import reflex as rx
from starlette.applications import Starlette
from starlette.middleware import Middleware

import naranara.pages  # noqa: F401 - registers every page
from naranara.components import browser
from naranara.components.connection import connection_overlay
from naranara.http import (
    auth_routes,
    calendar_routes,
    fhir_routes,
    guidance_routes,
    health_routes,
    measurement_routes,
    offline_routes,
    oidc_routes,
    profile_routes,
    push_routes,
)
from naranara.http.cross_site import CrossSiteRequestGuard
from naranara.http.middleware import ClientTokenBindingMiddleware, SecurityHeadersMiddleware
from naranara.logs.web import EventLogMiddleware, RequestLogMiddleware
from naranara.start_checks import skip_reflex_keyspace_config
from naranara.states.access_change import AccessChangeMiddleware
from naranara.states.session import report_backend_error

# In every web worker: Reflex's CONFIG SET of Redis' keyspace notifications is skipped
# when the start check found them in place (naranara/start_checks.py).
skip_reflex_keyspace_config()

app = rx.App(
    stylesheets=["/nara.css"],
    # No toasts: Nära says things in the page (notices with role="status"), and the
    # connection banner replaces Reflex's toast. Without the provider, the toast library
    # (sonner) is not in every page's first load, nor its empty "Notifications" region.
    toaster=None,
    html_lang="sv",
    head_components=[
        rx.el.meta(name="theme-color", content="#0f5f5c"),
        rx.el.link(rel="icon", href="/icon.svg", type="image/svg+xml"),
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        # Registers the service worker and keeps this device's push subscription fresh.
        rx.el.script(src="/push.js", async_=True),
        # The browser's side of components/browser.py: named functions, never eval.
        rx.el.script(src=browser.SCRIPT, defer=True),
        # Keeps a focused multi-line field clear of the tab bar (focus not obscured).
        rx.el.script(src="/focus.js", async_=True),
        # Keeps this device's offline copy fresh and sends check-offs made offline.
        rx.el.script(src="/offline.js", async_=True),
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
                *offline_routes.routes,
                *guidance_routes.routes,
                *health_routes.routes,
            ],
            # Nothing that changes state from another site (every POST, Reflex's too).
            middleware=[Middleware(CrossSiteRequestGuard)],
        ),
        ClientTokenBindingMiddleware,
        SecurityHeadersMiddleware,
        RequestLogMiddleware,  # outermost: times and logs everything, static files too
    ],
)
# Our connection banner, in the reader's language, instead of Reflex's English toast.
app.app_wraps[(5, "Overlay")] = connection_overlay
app.add_middleware(EventLogMiddleware())
# Before every event: what a tab shows follows its viewer's access (grants, care).
app.add_middleware(AccessChangeMiddleware())
