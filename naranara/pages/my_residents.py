"""Mina invånare: the residents of the staff member's units, and what to follow up."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.layout import loading, nothing_for_you, page
from naranara.states.my_residents import FollowUpView, MyResidentsState, ResidentLinkView
from naranara.states.session import t


def _resident(resident: ResidentLinkView) -> rx.Component:
    return rx.el.li(
        rx.el.h2(
            rx.el.a(resident.name, href=resident.overview_href),
            class_name="card-title",
        ),
        rx.el.p(resident.unit, class_name="muted"),
        rx.el.p(resident.fixed_contact),
        rx.el.p(resident.next_time),
        rx.cond(
            resident.requests != "",
            rx.el.p(
                rx.el.a(resident.requests, href=resident.times_href),
                class_name="badge badge-changed",
            ),
        ),
        rx.cond(
            resident.not_activated,
            rx.el.p(t("Has not activated the account yet."), class_name="badge"),
        ),
        rx.el.div(
            rx.el.a(t("Times"), href=resident.times_href, class_name="button button-secondary"),
            rx.el.a(
                t("Contacts"), href=resident.contacts_href, class_name="button button-secondary"
            ),
            rx.el.a(t("Plan"), href=resident.plan_href, class_name="button button-secondary"),
            class_name="actions",
        ),
        class_name="card stack",
    )


def _follow_up(item: FollowUpView) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(item.name, class_name="card-title"),
            rx.el.span(item.reason, class_name="summary"),
            rx.el.span(item.when, class_name="muted"),
            href=item.href,
            class_name="card card-link",
        )
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("My residents")),
        rx.el.p(
            t(
                "The residents in the care of your units. Every time you open their "
                "information, it is logged."
            ),
            class_name="lead",
        ),
        rx.cond(
            MyResidentsState.units != "",
            rx.el.p(rx.el.span(t("Your units"), ": ", class_name="label"), MyResidentsState.units),
        ),
        rx.cond(
            MyResidentsState.can_enrol,
            rx.el.a(
                rx.icon("user-plus", size=20, aria_hidden="true"),
                rx.el.span(t("Enrol a resident")),
                href=routes.ENROL,
                class_name="button",
            ),
        ),
        rx.cond(
            MyResidentsState.follow_up.length() > 0,
            section(
                t("To follow up"),
                rx.el.p(
                    t("From the self-monitoring residents share with your unit, newest first."),
                    class_name="muted",
                ),
                rx.el.ul(
                    rx.foreach(MyResidentsState.follow_up, _follow_up), class_name="card-list"
                ),
                heading_id="follow-up",
            ),
        ),
        section(
            t("Residents"),
            rx.cond(
                MyResidentsState.residents.length() > 0,
                rx.el.ul(rx.foreach(MyResidentsState.residents, _resident), class_name="card-list"),
                rx.el.p(t("No care relationships are recorded for you yet.")),
            ),
            heading_id="residents",
        ),
        class_name="stack",
    )


@page(
    routes.MY_RESIDENTS,
    title="Mina invånare",
    active_tab="residents",
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
