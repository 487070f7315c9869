"""Välkommen: where a new resident lands after the first sign-in through an identity provider."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.language import language_switch
from naranara.components.layout import page
from naranara.states.session import SessionState, t


@page(routes.WELCOME, title="Välkommen", private=True)
def welcome() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Your account is ready")),
        rx.el.p(
            t("Welcome to Nära"),
            ", ",
            rx.el.strong(SessionState.display_name),
            ".",
            class_name="lead",
        ),
        section(
            t("Language"),
            rx.el.p(
                t(
                    "Choose the language Nära speaks to you in. You can change it later under Profile."
                )
            ),
            language_switch(),
            heading_id="language",
        ),
        section(
            t("What matters to you?"),
            rx.el.p(
                t(
                    "Tell the people who help you what matters most to you in your care, "
                    "so that they know it too. It takes a few minutes, "
                    "and you can skip any question."
                )
            ),
            rx.el.a(
                t("Start filling in what matters to you"),
                href=routes.WHAT_MATTERS_GUIDE,
                class_name="button",
            ),
            heading_id="what-matters",
        ),
        rx.el.a(t("Continue to Home"), href=routes.HOME, class_name="button button-secondary"),
        class_name="stack",
    )
