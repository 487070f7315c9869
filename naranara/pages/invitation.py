"""/inbjudan?kod=…: accept an invitation to help someone in Nära."""

from __future__ import annotations

import reflex as rx

from naranara import routes
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


def _signed_out() -> rx.Component:
    return rx.el.div(
        rx.el.p(
            t(
                "Sign in with your own account to accept. If you have none, sign in with your e-ID and an account is made for you."
            )
        ),
        rx.el.a(t("Sign in"), href=InvitationState.sign_in_href, class_name="button"),
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
        rx.el.p(
            t("They can change or end this at any time. What you see and do is shown to them."),
            class_name="muted",
        ),
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
