"""Profil: the account's language and signing out."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.browser import in_browser
from naranara.components.cards import section
from naranara.components.language import language_switch
from naranara.components.layout import loading, page
from naranara.states.offline_copy import OfflineCopyState
from naranara.states.session import SessionState, t


def _post_button(label: rx.Var, action: str, *, secondary: bool = False) -> rx.Component:
    # An HTTP POST, not a websocket event: only an HTTP response can clear the
    # HttpOnly cookie. A full page load afterwards opens a socket without it.
    # After a sign-in through an identity provider, the answer may name the provider's
    # sign-out page to go on to (RP-initiated logout).
    # Forgetting the tab's Reflex client token gives the next person a fresh state.
    return rx.el.button(
        label,
        type="button",
        on_click=in_browser("signOut", action),
        class_name="button button-secondary" if secondary else "button",
    )


def _relatives_section() -> rx.Component:
    """Residents let others help and see who has looked; relatives reach whom they help."""
    link = "button button-secondary"
    return rx.cond(
        SessionState.role == "resident",
        section(
            t("Relatives"),
            rx.el.a(t("Relatives who help you"), href=routes.RELATIVES, class_name=link),
            rx.el.a(t("Who has seen my information"), href=routes.ACCESS_LOG, class_name=link),
            rx.el.a(t("People I help"), href=routes.ACTING_FOR, class_name=link),
            heading_id="relatives",
        ),
        rx.cond(
            SessionState.role == "relative",
            section(
                t("People I help"),
                rx.el.a(t("People I help"), href=routes.ACTING_FOR, class_name=link),
                heading_id="relatives",
            ),
        ),
    )


def _care_sharing_section() -> rx.Component:
    """Residents choose what their care unit may follow (egenmonitorering)."""
    return rx.cond(
        SessionState.role == "resident",
        section(
            t("Share with your care"),
            rx.el.p(t("Let your care unit follow your self-care or measurements.")),
            rx.el.a(
                t("Share with your care"),
                href=routes.CARE_SHARING,
                class_name="button button-secondary",
            ),
            heading_id="care-sharing",
        ),
    )


def _offline_copy_section() -> rx.Component:
    """Spara på den här telefonen: residents keep what matters now for times without signal."""
    return rx.cond(
        OfflineCopyState.allowed,
        section(
            t("Keep on this phone"),
            rx.el.p(
                t(
                    "Your agreed times for the next 30 days, your contacts with their phone "
                    "numbers, today's and tomorrow's tasks and the articles you have read, "
                    "readable on this phone without a connection."
                )
            ),
            rx.el.p(
                t(
                    "Only on a phone that only you use: anyone who can open it can read them. "
                    "Signing out removes them."
                ),
                class_name="muted",
            ),
            rx.el.button(
                t("Keep on this phone"),
                type="button",
                aria_pressed=rx.cond(OfflineCopyState.on, "true", "false"),
                on_click=OfflineCopyState.set_on(~OfflineCopyState.on),
                class_name="choice",
            ),
            rx.cond(
                OfflineCopyState.updated != "",
                rx.el.p(OfflineCopyState.updated, class_name="muted small"),
            ),
            rx.el.p(
                OfflineCopyState.message,
                role="status",
                class_name=rx.cond(OfflineCopyState.message != "", "notice", "visually-hidden"),
            ),
            rx.el.a(
                t("What works without a connection"),
                href=routes.OFFLINE,
                class_name="button button-secondary",
            ),
            heading_id="offline-copy",
        ),
    )


def _sections() -> rx.Component:
    return rx.fragment(
        section(t("Language"), language_switch(), heading_id="language"),
        _relatives_section(),
        _care_sharing_section(),
        _offline_copy_section(),
        section(
            t("Notifications"),
            rx.el.p(t("Reminders of your times and self-care on your phone.")),
            rx.el.a(
                t("Set up reminders"),
                href=routes.NOTIFICATIONS,
                class_name="button button-secondary",
            ),
            heading_id="notifications",
        ),
        section(
            t("Sign out"),
            _post_button(t("Sign out"), "/auth/logout"),
            rx.el.p(
                t(
                    "Lost a phone, or used a shared computer? Sign out everywhere you are signed in."
                ),
                class_name="muted",
            ),
            _post_button(t("Sign out on all devices"), "/auth/logout-all", secondary=True),
            heading_id="sign-out",
        ),
    )


@page(
    routes.PROFILE,
    title="Profil",
    active_tab="profile",
    private=True,
    on_load=OfflineCopyState.load,
)
def profile() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Profile")),
        rx.el.p(t("Signed in as"), " ", rx.el.strong(SessionState.display_name), class_name="lead"),
        # The sections together, once this page's own load has said whether this phone
        # may keep a copy: a section arriving later would push the rest down.
        rx.cond(OfflineCopyState.loaded, _sections(), loading()),
        class_name="stack",
    )
