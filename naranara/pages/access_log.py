"""Vem har sett mina uppgifter (/profil/vem-har-sett): the resident's own access log."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.layout import loading, nothing_for_you, page
from naranara.states.access_log import AccessLogState, LogEntryView, OptionView
from naranara.states.session import t


def _entry(entry: LogEntryView) -> rx.Component:
    return rx.el.li(
        rx.el.p(
            rx.el.strong(entry.who),
            rx.cond(entry.role != "", rx.el.span(", ", entry.role)),
        ),
        rx.el.p(entry.what, class_name=rx.cond(entry.doing == "refused", "change-note", "")),
        rx.el.p(entry.when, class_name="muted"),
        class_name="card log-entry",
    )


def _select(name: str, label: rx.Var, options: list, current: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=f"log-{name}", class_name="label"),
        rx.el.select(
            *options, id=f"log-{name}", name=name, default_value=current, class_name="input"
        ),
        class_name="field",
    )


def _person_option(option: OptionView) -> rx.Component:
    return rx.el.option(option.label, value=option.value)


def _filters() -> rx.Component:
    return rx.el.form(
        _select(
            "person",
            t("Who"),
            [
                rx.el.option(t("Everyone"), value=""),
                rx.foreach(AccessLogState.people, _person_option),
            ],
            AccessLogState.person,
        ),
        _select(
            "doing",
            t("What"),
            [
                rx.el.option(t("Everything"), value=""),
                rx.el.option(t("Read"), value="read"),
                rx.el.option(t("Changed"), value="changed"),
                rx.el.option(t("Refused"), value="refused"),
            ],
            AccessLogState.doing,
        ),
        _select(
            "period",
            t("When"),
            [
                rx.el.option(t("All time"), value=""),
                rx.el.option(t("Last 7 days"), value="7"),
                rx.el.option(t("Last 30 days"), value="30"),
                rx.el.option(t("Last year"), value="365"),
            ],
            AccessLogState.period,
        ),
        rx.el.button(t("Show"), type="submit", class_name="button"),
        on_submit=AccessLogState.apply_filter,
        # A new key mounts the selects afresh with the state's values after a load.
        key=AccessLogState.person + AccessLogState.doing + AccessLogState.period,
        class_name="stack form",
        aria_label=t("Filter the list"),
    )


def _pager() -> rx.Component:
    return rx.el.nav(
        rx.cond(
            AccessLogState.page > 1,
            rx.el.button(
                t("Newer"),
                type="button",
                on_click=AccessLogState.go_to_page(AccessLogState.page - 1),
                class_name="button button-secondary",
            ),
        ),
        rx.el.p(AccessLogState.page_text, class_name="muted"),
        rx.cond(
            AccessLogState.page < AccessLogState.pages,
            rx.el.button(
                t("Older"),
                type="button",
                on_click=AccessLogState.go_to_page(AccessLogState.page + 1),
                class_name="button button-secondary",
            ),
        ),
        aria_label=t("Pages"),
        class_name="actions pager",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.a(t("Back to profile"), href=routes.PROFILE, class_name="back-link"),
        rx.el.h1(t("Who has seen my information")),
        rx.el.p(
            t(
                "Everyone besides you who has read or changed your information in Nära: relatives you let help, and care staff. Newest first."
            ),
            class_name="lead",
        ),
        _filters(),
        rx.cond(
            AccessLogState.entries.length() > 0,
            rx.el.ul(rx.foreach(AccessLogState.entries, _entry), class_name="card-list"),
            rx.el.p(t("No one else has opened your information in this period.")),
        ),
        rx.cond(AccessLogState.pages > 1, _pager()),
        class_name="stack",
    )


@page(
    routes.ACCESS_LOG,
    title="Vem har sett mina uppgifter",
    active_tab="profile",
    private=True,
    on_load=AccessLogState.load,
)
def access_log() -> rx.Component:
    return rx.cond(
        AccessLogState.loaded,
        rx.cond(
            AccessLogState.allowed,
            _content(),
            rx.el.div(
                rx.el.h1(t("Who has seen my information")), nothing_for_you(), class_name="stack"
            ),
        ),
        loading(),
    )
