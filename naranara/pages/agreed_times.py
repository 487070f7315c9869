"""Tider: agreed times, upcoming first."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import agreed_time_card, section
from naranara.components.layout import loading, nothing_for_you, page
from naranara.states.agreed_times import AgreedTimesState
from naranara.states.session import t


@page(
    routes.AGREED_TIMES,
    title="Tider",
    active_tab="times",
    private=True,
    on_load=AgreedTimesState.load,
)
def agreed_times() -> rx.Component:
    return rx.cond(
        AgreedTimesState.loaded,
        rx.cond(
            AgreedTimesState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Your agreed times")), nothing_for_you()),
        ),
        loading(),
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Your agreed times")),
        section(
            t("Coming up"),
            rx.cond(
                AgreedTimesState.upcoming.length() > 0,
                rx.el.div(
                    rx.foreach(AgreedTimesState.upcoming, agreed_time_card), class_name="stack"
                ),
                rx.el.p(t("You have no agreed times coming up.")),
            ),
            heading_id="upcoming",
        ),
        section(
            t("Earlier"),
            rx.cond(
                AgreedTimesState.past.length() > 0,
                rx.el.div(rx.foreach(AgreedTimesState.past, agreed_time_card), class_name="stack"),
                rx.el.p(t("No earlier times.")),
            ),
            heading_id="past",
        ),
        class_name="stack",
    )
