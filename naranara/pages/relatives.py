"""Profil → Närstående: invite someone to help, change or end what each may do."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.layout import loading, nothing_for_you, page
from naranara.models import ProxyScope
from naranara.states.relatives import (
    SCOPE_FIELD,
    SCOPE_LABELS,
    InvitationView,
    RelativesState,
    RelativeView,
    ScopeToggleView,
)
from naranara.states.session import t


def _scope_toggle(relative: RelativeView, scope: ScopeToggleView) -> rx.Component:
    return rx.el.button(
        scope.label,
        type="button",
        aria_pressed=rx.cond(scope.granted, "true", "false"),
        on_click=RelativesState.toggle_scope(relative.id, scope.scope),
        class_name="choice",
    )


def _relative(relative: RelativeView) -> rx.Component:
    return rx.el.li(
        rx.el.h3(relative.name, class_name="card-title"),
        rx.el.p(
            t("Tap to turn on or off. A coloured button means they may."), class_name="muted small"
        ),
        rx.el.div(
            rx.foreach(relative.scopes, lambda scope: _scope_toggle(relative, scope)),
            role="group",
            aria_label=relative.name,
            class_name="choices",
        ),
        rx.el.button(
            t("Remove all access"),
            type="button",
            on_click=RelativesState.remove_relative(relative.id),
            class_name="button button-secondary",
        ),
        class_name="card stack",
    )


def _waiting(invitation: InvitationView) -> rx.Component:
    return rx.el.li(
        rx.el.p(invitation.shares),
        rx.el.p(t("Valid until"), " ", invitation.expires, class_name="muted"),
        rx.el.button(
            t("Withdraw invitation"),
            type="button",
            on_click=RelativesState.withdraw_invitation(invitation.id),
            class_name="button button-secondary",
        ),
        class_name="card stack",
    )


def _scope_checkbox(scope: ProxyScope) -> rx.Component:
    field_id = f"invite-{scope.value}"
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            id=field_id,
            name=SCOPE_FIELD[scope],
            value="on",
            default_checked=RelativesState.chosen.contains(scope.value),
            class_name="checkbox",
        ),
        rx.el.span(t(SCOPE_LABELS[scope])),
        html_for=field_id,
        class_name="check-choice",
    )


def _invite_form() -> rx.Component:
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(t("What may the person see or do?"), class_name="label"),
            *[_scope_checkbox(scope) for scope in ProxyScope],
            class_name="fieldset check-group",
            aria_describedby="invite-error",
        ),
        rx.el.p(
            RelativesState.form_error,
            id="invite-error",
            class_name=rx.cond(RelativesState.form_error != "", "field-error", "visually-hidden"),
            aria_live="polite",
        ),
        rx.el.button(t("Create invitation"), type="submit", class_name="button"),
        on_submit=RelativesState.create_invitation,
        class_name="stack form",
    )


def _new_invitation() -> rx.Component:
    return rx.el.div(
        rx.el.h3(t("Your invitation"), class_name="card-title"),
        rx.el.p(
            t(
                "Send the link to the person, or let them scan the code with their phone. "
                "It works once, until"
            ),
            " ",
            RelativesState.new_expires,
            ".",
        ),
        rx.el.img(
            src=RelativesState.new_qr,
            alt=t("QR code with the invitation link"),
            width="185",
            height="185",
            class_name="qr-code",
        ),
        rx.el.p(rx.el.span(t("Code"), ": ", class_name="label")),
        rx.el.p(RelativesState.new_code, class_name="invite-code", id="invite-code"),
        rx.el.div(
            rx.el.button(
                t("Copy link"),
                type="button",
                on_click=rx.set_clipboard(RelativesState.new_link),
                class_name="button",
            ),
            class_name="actions",
        ),
        rx.el.p(
            t("The link and code are shown only now. Nära keeps no copy of them."),
            class_name="muted small",
        ),
        class_name="card stack",
        role="status",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.a(t("Back to profile"), href=routes.PROFILE, class_name="back-link"),
        rx.el.h1(t("Relatives")),
        rx.el.p(
            t(
                "Let someone close to you help: you choose what they may see or do, and you can change it at any time."
            ),
            class_name="lead",
        ),
        rx.cond(
            RelativesState.message != "",
            rx.el.p(RelativesState.message, role="status", class_name="notice"),
        ),
        section(
            t("Who helps you"),
            rx.cond(
                RelativesState.relatives.length() > 0,
                rx.el.ul(rx.foreach(RelativesState.relatives, _relative), class_name="card-list"),
                rx.el.p(t("No one helps you in Nära yet.")),
            ),
            heading_id="helpers",
        ),
        rx.cond(
            RelativesState.invitations.length() > 0,
            section(
                t("Invitations not yet used"),
                rx.el.ul(rx.foreach(RelativesState.invitations, _waiting), class_name="card-list"),
                heading_id="waiting",
            ),
        ),
        section(
            t("Invite someone"),
            rx.cond(RelativesState.new_link != "", _new_invitation(), _invite_form()),
            heading_id="invite",
        ),
        rx.el.a(
            t("Who has seen my information"),
            href=routes.ACCESS_LOG,
            class_name="button button-secondary",
        ),
        class_name="stack",
    )


@page(
    routes.RELATIVES,
    title="Närstående",
    active_tab="profile",
    private=True,
    on_load=RelativesState.load,
)
def relatives() -> rx.Component:
    return rx.cond(
        RelativesState.loaded,
        rx.cond(
            RelativesState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Relatives")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )
