"""Jag hjälper (/jag-hjalper): the people a relative helps, each with what they shared."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.layout import loading, page
from naranara.states.acting_for import ActingForState, HelpedPersonView, LinkView
from naranara.states.session import t


def _link(link: LinkView) -> rx.Component:
    return rx.el.a(link.label, href=link.href, class_name="button button-secondary")


def _person(person: HelpedPersonView) -> rx.Component:
    return rx.el.li(
        rx.el.h2(person.name, class_name="card-title"),
        rx.cond(
            person.links.length() > 0,
            rx.el.div(rx.foreach(person.links, _link), class_name="actions"),
        ),
        rx.foreach(person.notices, lambda text: rx.el.p(text, class_name="muted")),
        rx.el.button(
            t("Stop helping"),
            type="button",
            on_click=ActingForState.step_back(person.id),
            class_name="button button-secondary",
        ),
        class_name="card stack",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("People I help")),
        rx.cond(
            ActingForState.just_accepted,
            rx.el.p(t("Thank you. You can now help."), role="status", class_name="notice"),
        ),
        rx.cond(
            ActingForState.message != "",
            rx.el.p(ActingForState.message, role="status", class_name="notice"),
        ),
        rx.el.p(
            t(
                "You see only what each person has chosen to share with you. They can see when you have looked."
            ),
            class_name="lead",
        ),
        rx.cond(
            ActingForState.people.length() > 0,
            rx.el.ul(rx.foreach(ActingForState.people, _person), class_name="card-list"),
            rx.el.p(
                t("You do not help anyone in Nära yet. Ask them to send you an invitation."),
            ),
        ),
        rx.el.a(t("I have an invitation code"), href=routes.INVITATION, class_name="back-link"),
        class_name="stack",
    )


@page(
    routes.ACTING_FOR,
    title="Jag hjälper",
    active_tab="home",
    private=True,
    on_load=ActingForState.load,
)
def acting_for() -> rx.Component:
    return rx.cond(ActingForState.loaded, _content(), loading())
