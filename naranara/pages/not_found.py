"""The page for an address Nära does not have: in the app's shell, with a way home.

Registered on Reflex's 404 route, so the production server answers an unknown address
with status 404 and this page (README: Serving)."""

from __future__ import annotations

import reflex as rx
from reflex.constants import Page404

from naranara import routes
from naranara.components.layout import page
from naranara.states.session import t


@page(Page404.SLUG, title="Sidan finns inte")
def not_found() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("This page does not exist")),
        rx.el.p(
            t(
                "The address may be mistyped, or the page has moved. "
                "Everything in Nära can be reached from the start page."
            ),
            class_name="lead",
        ),
        rx.el.a(t("Go to the start page"), href=routes.HOME, class_name="button"),
        class_name="stack",
    )
