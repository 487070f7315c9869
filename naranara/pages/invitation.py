"""/inbjudan?kod=…: accept an invitation to help someone in Nära."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.forms import text_input
from naranara.components.layout import loading, page
from naranara.states.invitation import InvitationState
from naranara.states.session import t


def _code_form() -> rx.Component:
    return rx.el.form(
        rx.el.div(
            rx.el.label(t("Invitation code"), html_for="invitation-code", class_name="label"),
            rx.el.input(
                id="invitation-code",
                name="code",
                default_value=InvitationState.typed_code,
                auto_complete="off",
                auto_capitalize="none",
                spell_check=False,
                aria_describedby="invitation-code-error",
                class_name="input",
            ),
            rx.el.p(
                InvitationState.code_error,
                id="invitation-code-error",
                class_name=rx.cond(
                    InvitationState.code_error != "", "field-error", "visually-hidden"
                ),
            ),
            class_name="field",
        ),
        rx.el.button(t("Open the invitation"), type="submit", class_name="button"),
        on_submit=InvitationState.use_code,
        class_name="stack form",
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


def _account_form() -> rx.Component:
    values, errors = InvitationState.account_values, InvitationState.account_errors
    return rx.el.form(
        rx.cond(
            InvitationState.account_notice != "",
            rx.el.p(InvitationState.account_notice, role="alert", class_name="notice notice-error"),
        ),
        text_input(
            "display_name",
            t("Your name"),
            default_value=values["display_name"],
            error=errors["display_name"],
            hint=t("As the person who invited you knows you."),
            auto_complete="name",
        ),
        text_input(
            "username",
            t("Username"),
            default_value=values["username"],
            error=errors["username"],
            hint=t("What you sign in with: letters a to z, digits, . _ or -."),
            auto_complete="username",
            auto_capitalize="none",
            spell_check=False,
        ),
        text_input(
            "password",
            t("Password"),
            error=errors["password"],
            hint=t("At least 12 characters. A few words in a row are easy to remember."),
            type="password",
            auto_complete="new-password",
        ),
        rx.el.button(t("Create account"), type="submit", class_name="button"),
        on_submit=InvitationState.create_account,
        class_name="stack form",
        no_validate=True,
    )


def _signed_out() -> rx.Component:
    """Someone opened the link without being signed in: sign in, or make an account."""
    return rx.el.div(
        rx.el.p(
            t(
                "Someone would like your help in Nära. Sign in, or create an account, to see who and what they share."
            ),
            class_name="lead",
        ),
        section(
            t("I have an account"),
            rx.el.a(t("Sign in"), href=InvitationState.sign_in_href, class_name="button"),
            heading_id="have-account",
        ),
        section(
            t("Create an account"),
            rx.cond(
                InvitationState.providers.length() > 0,
                rx.el.div(
                    rx.el.p(t("With your e-ID an account is made when you sign in:")),
                    rx.foreach(InvitationState.providers, _provider_button),
                    rx.el.p(t("Or choose a username and a password:"), class_name="muted"),
                    class_name="stack",
                ),
            ),
            _account_form(),
            heading_id="new-account",
        ),
        class_name="stack",
    )


def _offer() -> rx.Component:
    return rx.el.div(
        rx.el.p(
            rx.el.strong(InvitationState.inviter),
            " ",
            t("would like your help in Nära. You would be able to:"),
            class_name="lead",
        ),
        rx.el.ul(
            rx.foreach(InvitationState.shares, lambda text: rx.el.li(text)),
            class_name="plain-list",
        ),
        rx.el.p(InvitationState.may_change, class_name="muted"),
        rx.el.button(
            t("Accept and help"),
            type="button",
            on_click=InvitationState.accept,
            class_name="button",
        ),
        class_name="stack",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Invitation to help")),
        rx.cond(
            InvitationState.error != "",
            rx.el.div(
                rx.el.p(InvitationState.error),
                role="alert",
                class_name="notice notice-error",
            ),
        ),
        rx.cond(
            InvitationState.has_code,
            rx.cond(
                InvitationState.signed_in,
                rx.cond(InvitationState.inviter != "", _offer()),
                _signed_out(),
            ),
            _code_form(),
        ),
        rx.cond(
            InvitationState.error != "",
            rx.el.a(t("Go to the start page"), href=routes.HOME, class_name="back-link"),
        ),
        class_name="stack",
    )


@page(routes.INVITATION, title="Inbjudan", on_load=InvitationState.load)
def invitation() -> rx.Component:
    return rx.cond(InvitationState.loaded, _content(), loading())
