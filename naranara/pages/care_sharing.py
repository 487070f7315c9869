"""Profil → Dela med vården: self-monitoring the resident lets her care unit follow."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.layout import loading, nothing_for_you, page
from naranara.states.care_sharing import CareSharingState, ShareToggleView, UnitSharingView
from naranara.states.session import t


def _toggle(unit: UnitSharingView, scope: ShareToggleView) -> rx.Component:
    return rx.el.button(
        scope.label,
        type="button",
        aria_pressed=rx.cond(scope.shared, "true", "false"),
        on_click=CareSharingState.toggle(unit.id, scope.scope),
        class_name="choice",
    )


def _unit(unit: UnitSharingView) -> rx.Component:
    return rx.el.li(
        rx.el.h2(unit.name, class_name="card-title"),
        rx.el.p(
            t("Tap to turn on or off. A coloured button means the unit can follow it."),
            class_name="muted small",
        ),
        rx.el.div(
            rx.foreach(unit.scopes, lambda scope: _toggle(unit, scope)),
            role="group",
            aria_label=unit.name,
            class_name="choices",
        ),
        class_name="card stack",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.a(t("Back to profile"), href=routes.PROFILE, class_name="back-link"),
        rx.el.h1(t("Share with your care")),
        rx.el.p(
            t(
                "Let your care unit follow your self-care or your measurements, so that they "
                "can get in touch if something is not right. You choose, one thing at a time, "
                "and can stop at any time."
            ),
            class_name="lead",
        ),
        rx.cond(
            CareSharingState.message != "",
            rx.el.p(CareSharingState.message, role="status", class_name="notice"),
        ),
        rx.cond(
            CareSharingState.units.length() > 0,
            rx.el.ul(rx.foreach(CareSharingState.units, _unit), class_name="card-list"),
            rx.el.p(t("No care unit has you in its care in Nära yet.")),
        ),
        section(
            t("Who has looked"),
            rx.el.p(t("Every time someone at the care unit opens your information, it is logged.")),
            rx.el.a(
                t("Who has seen my information"),
                href=routes.ACCESS_LOG,
                class_name="button button-secondary",
            ),
            heading_id="who-looked",
        ),
        class_name="stack",
    )


@page(
    routes.CARE_SHARING,
    title="Dela med vården",
    active_tab="profile",
    private=True,
    on_load=CareSharingState.load,
)
def care_sharing() -> rx.Component:
    return rx.cond(
        CareSharingState.loaded,
        rx.cond(
            CareSharingState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Share with your care")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )
