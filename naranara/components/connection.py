"""The connection banner: says in the reader's language when Nära has no connection.

It replaces Reflex's overlay (an English toast "Cannot connect to server: websocket
error … ws://…" on every network blip): ``naranara.py`` puts ``connection_overlay`` in
the app wrap Reflex keeps for it, ``(5, "Overlay")``. The banner is a live region
that is always in the page (``aria-live=polite``), so a screen reader hears the
words when they appear; it sits in the flow above the app, never over content.
"""

from __future__ import annotations

import reflex as rx
from reflex.components.core.banner import has_too_many_connection_errors

from naranara.states.session import t


def connection_banner() -> rx.Component:
    # Two failed attempts in a row, as Reflex's own toast waits for: a single blip
    # while the socket reconnects says nothing.
    return rx.el.div(
        rx.cond(
            has_too_many_connection_errors,
            rx.el.p(
                rx.el.strong(t("No connection.")),
                " ",
                t("Nära is trying to connect again. What you see may not be up to date."),
                " ",
                rx.el.a(t("What works without a connection"), href="/utan-nat"),
                class_name="connection-banner-text",
            ),
        ),
        # A polite live region without role="status": pages keep the one status role
        # their own messages use (as the access-ended notice in components/layout.py).
        aria_live="polite",
        class_name="connection-banner",
    )


def connection_overlay(stateful: bool) -> rx.Component | None:
    """The app wrap: only pages with state have a socket to lose. A wrap takes the app
    as its children, so the banner goes first in a fragment, beside the app, not around it."""
    return rx.fragment(connection_banner()) if stateful else None
