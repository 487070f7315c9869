"""Aktivera ditt konto (/aktivera): the resident's first step, from her sheet."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.forms import text_input
from naranara.components.layout import loading, page
from naranara.states.activation import ActivationState
from naranara.states.session import t


def _provider_button(provider: rx.Var) -> rx.Component:
    return rx.el.a(
        t("Sign in with"),
        " ",
        provider["label"],
        href=provider["href"],
        reload_document=True,  # an HTTP route: a full page load
        class_name="button button-secondary",
    )


def _code_form() -> rx.Component:
    return rx.el.form(
        text_input(
            "activation-code-input",
            t("The code on your sheet"),
            name="code",
            error=ActivationState.code_error,
            hint=t("Twelve letters and digits, for example K7QM-2XWD-9HFN."),
            auto_complete="off",
            auto_capitalize="characters",
            spell_check=False,
        ),
        rx.el.button(t("Continue"), type="submit", class_name="button"),
        on_submit=ActivationState.use_code,
        no_validate=True,
        class_name="stack form",
    )


def _password_form() -> rx.Component:
    return rx.el.form(
        rx.el.p(
            t("Your username is"),
            " ",
            rx.el.strong(ActivationState.username, id="activation-username"),
            ". ",
            t("You sign in with it and the password you choose now."),
        ),
        # The username, for password managers to save with the new password.
        rx.el.input(
            type="text",
            name="username",
            value=ActivationState.username,
            auto_complete="username",
            read_only=True,
            hidden=True,
        ),
        text_input(
            "activation-password",
            t("Choose a password"),
            name="password",
            type="password",
            auto_complete="new-password",
            error=ActivationState.password_error,
            hint=t(
                "At least 12 characters. A few words in a row are easy to remember and hard to guess."
            ),
        ),
        text_input(
            "activation-repeat",
            t("Type the password again"),
            name="repeat",
            type="password",
            auto_complete="new-password",
            error=ActivationState.repeat_error,
        ),
        rx.el.button(
            t("Activate my account"),
            type="submit",
            disabled=ActivationState.busy,
            class_name="button",
        ),
        on_submit=ActivationState.activate,
        reset_on_submit=False,
        no_validate=True,
        class_name="stack form",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Activate your account")),
        rx.cond(
            ActivationState.error != "",
            rx.el.p(ActivationState.error, role="alert", class_name="notice notice-error"),
        ),
        rx.cond(
            ActivationState.usable,
            rx.el.div(
                rx.el.p(
                    t("Welcome to Nära,"),
                    " ",
                    rx.el.strong(ActivationState.name),
                    ". ",
                    t("Your care unit has made an account for you."),
                    class_name="lead",
                ),
                _password_form(),
                rx.cond(
                    ActivationState.providers.length() > 0,
                    rx.el.div(
                        rx.el.p(t("Or use your e-identification instead of a password:")),
                        rx.foreach(ActivationState.providers, _provider_button),
                        class_name="stack",
                    ),
                ),
                class_name="stack narrow",
            ),
            rx.el.div(
                rx.el.p(
                    t(
                        "Your care unit gave you a sheet with a code. Type the code here, "
                        "or scan the QR code on the sheet with your phone's camera."
                    ),
                    class_name="lead",
                ),
                _code_form(),
                rx.el.div(
                    rx.el.p(t("Already activated?")),
                    rx.el.a(t("Sign in"), href=routes.SIGN_IN, class_name="more-link"),
                ),
                class_name="stack narrow",
            ),
        ),
        class_name="stack",
    )


@page(routes.ACTIVATION, title="Aktivera ditt konto", on_load=ActivationState.load)
def activation() -> rx.Component:
    return rx.cond(ActivationState.loaded, _content(), loading())
