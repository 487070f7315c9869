"""Logga in: local demo accounts now; identity providers slot in beside it."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.layout import loading, page
from naranara.states.login import ERRORS, LoginState
from naranara.states.session import t


def _field(label: rx.Var, **props) -> rx.Component:  # noqa: ANN003
    field_id = props["id"]
    return rx.el.div(
        rx.el.label(label, html_for=field_id),
        rx.el.input(class_name="input", **props),
        class_name="field",
    )


def _provider_button(provider: rx.Var) -> rx.Component:
    # A full page load, so the request reaches the HTTP route (not the client router).
    return rx.el.a(
        t("Sign in with"),
        " ",
        provider["label"],
        href=provider["href"],
        reload_document=True,
        class_name="button",
    )


def _sign_in_ways() -> rx.Component:
    return rx.fragment(
        rx.cond(
            LoginState.confirming,
            rx.el.p(
                t(
                    "This shares your information outside Nära, so we ask you to sign in again first."
                ),
                class_name="notice",
            ),
        ),
        rx.cond(
            LoginState.wait_notice != "",
            rx.el.p(
                LoginState.wait_notice,
                role="alert",
                id="login-wait",
                class_name="notice notice-error",
            ),
        ),
        rx.cond(
            LoginState.error != "",
            rx.el.p(
                rx.match(LoginState.error, *((error, t(error)) for error in ERRORS), ""),
                role="alert",
                id="login-error",
                class_name="notice notice-error",
            ),
        ),
        rx.cond(
            LoginState.providers.length() > 0,
            rx.el.div(
                rx.foreach(LoginState.providers, _provider_button),
                rx.el.p(t("Or sign in with a username and password:"), class_name="muted"),
                class_name="stack",
            ),
        ),
        rx.el.form(
            _field(
                t("Username"),
                id="username",
                name="username",
                auto_complete="username",
                default_value=LoginState.username,
                required=True,
            ),
            _field(
                t("Password"),
                id="password",
                name="password",
                type="password",
                auto_complete="current-password",
                required=True,
            ),
            rx.el.button(
                rx.cond(LoginState.busy, t("Signing in…"), t("Sign in")),
                type="submit",
                class_name="button",
                disabled=LoginState.busy,
            ),
            on_submit=LoginState.submit,
            class_name="stack form",
            aria_describedby=rx.cond(LoginState.error != "", "login-error", ""),
        ),
        rx.el.p(t("No account? Your care unit can help you get started."), class_name="muted"),
        rx.el.a(
            t("Read self-care advice without signing in"),
            href=routes.GUIDANCE,
            class_name="more-link",
        ),
    )


@page(routes.SIGN_IN, title="Logga in", active_tab="sign_in", on_load=LoginState.load)
def sign_in() -> rx.Component:
    return rx.el.div(
        rx.el.h1(rx.cond(LoginState.confirming, t("Confirm it is you"), t("Sign in"))),
        # All below at once, when the page's load has said which identity providers
        # there are: their buttons come above the form, which would move if they came later.
        rx.cond(LoginState.loaded, _sign_in_ways(), loading()),
        class_name="stack narrow",
    )
