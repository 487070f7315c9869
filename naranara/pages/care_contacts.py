"""Kontakter: whom to contact, and how."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.layout import loading, nothing_for_you, page
from naranara.states.care_contacts import CareContactsState
from naranara.states.session import t
from naranara.states.views import CareContactView


def _contact_card(contact: CareContactView) -> rx.Component:
    return rx.el.article(
        rx.el.h2(contact.name, class_name="card-title"),
        rx.el.p(contact.role_title, class_name="role"),
        rx.el.p(
            contact.unit,
            rx.cond(contact.unit != "", ", ", ""),
            contact.organisation,
            class_name="muted",
        ),
        rx.cond(
            contact.opening_hours != "",
            rx.el.p(rx.el.span(t("Open"), ": ", class_name="label"), contact.opening_hours),
        ),
        rx.cond(
            contact.how_to_reach != "",
            rx.el.p(rx.el.span(t("How to reach"), ": ", class_name="label"), contact.how_to_reach),
        ),
        rx.cond(
            contact.phone_href != "",
            rx.el.a(
                rx.icon("phone", size=22, aria_hidden="true"),
                rx.el.span(t("Call"), " ", contact.phone),
                href=contact.phone_href,
                class_name="button button-call",
            ),
        ),
        class_name="card",
    )


@page(
    routes.CONTACTS,
    title="Kontakter",
    active_tab="contacts",
    private=True,
    on_load=CareContactsState.load,
)
def care_contacts() -> rx.Component:
    return rx.cond(
        CareContactsState.loaded,
        rx.cond(
            CareContactsState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Your care contacts")), nothing_for_you()),
        ),
        loading(),
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Your care contacts")),
        rx.el.p(
            t("These are the people who know you and your care. Contact them first."),
            class_name="lead",
        ),
        rx.cond(
            CareContactsState.contacts.length() > 0,
            rx.el.div(rx.foreach(CareContactsState.contacts, _contact_card), class_name="stack"),
            rx.el.p(t("No care contacts have been added yet.")),
        ),
        rx.el.aside(
            rx.el.p(t("If it is urgent, call 1177 for advice. In an emergency, call 112.")),
            class_name="notice",
        ),
        class_name="stack",
    )
