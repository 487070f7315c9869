"""Mina invånare: staff open a resident's plan, times, contacts and shared profile."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.layout import loading, nothing_for_you, page
from naranara.states.my_residents import MyResidentsState, ResidentLinkView
from naranara.states.session import t


def _resident(resident: ResidentLinkView) -> rx.Component:
    return rx.el.li(
        rx.el.h2(resident.name, class_name="card-title"),
        rx.cond(resident.unit != "", rx.el.p(resident.unit, class_name="muted")),
        rx.el.div(
            rx.el.a(t("My plan"), href=resident.plan_href, class_name="button button-secondary"),
            rx.el.a(t("Times"), href=resident.times_href, class_name="button button-secondary"),
            rx.el.a(
                t("Contacts"), href=resident.contacts_href, class_name="button button-secondary"
            ),
            rx.el.a(
                t("What matters to you?"),
                href=resident.profile_href,
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        class_name="card stack",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("My residents")),
        rx.el.p(
            t(
                "The residents you have a care relationship with. Every time you open their information, it is logged."
            ),
            class_name="lead",
        ),
        rx.cond(
            MyResidentsState.residents.length() > 0,
            rx.el.ul(rx.foreach(MyResidentsState.residents, _resident), class_name="card-list"),
            rx.el.p(t("No care relationships are recorded for you yet.")),
        ),
        class_name="stack",
    )


@page(
    routes.MY_RESIDENTS,
    title="Mina invånare",
    active_tab="home",
    private=True,
    on_load=MyResidentsState.load,
)
def my_residents() -> rx.Component:
    return rx.cond(
        MyResidentsState.loaded,
        rx.cond(
            MyResidentsState.is_staff,
            _content(),
            rx.el.div(rx.el.h1(t("My residents")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )
