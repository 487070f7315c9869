"""Tider: agreed times, upcoming first; adding and changing one; the calendar subscription."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import agreed_time_card, agreed_time_card_with_actions, section
from naranara.components.forms import form_page, server_checked_form, text_area, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.states.agreed_times import REMINDERS_FIELD, AgreedTimeFormState, AgreedTimesState
from naranara.states.session import t
from naranara.states.views import AgreedTimeView


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


def _confirm_cancel(item: AgreedTimeView) -> rx.Component:
    return rx.el.div(
        rx.el.p(t("Cancel this time? It stays in the list, crossed out."), class_name="label"),
        rx.el.div(
            rx.el.button(
                t("Yes, cancel the time"),
                type="button",
                on_click=AgreedTimesState.cancel_time(item.id),
                class_name="button",
            ),
            rx.el.button(
                t("No, keep it"),
                type="button",
                on_click=AgreedTimesState.confirm_cancel(0),
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        role="group",
        class_name="confirm",
    )


def _time_actions(item: AgreedTimeView) -> rx.Component:
    editable = AgreedTimesState.can_edit & (item.status != "cancelled")
    return rx.el.div(
        rx.cond(
            AgreedTimesState.confirming == item.id,
            _confirm_cancel(item),
            rx.el.div(
                rx.cond(
                    item.status != "cancelled",
                    rx.el.a(
                        rx.icon("calendar-plus", size=20, aria_hidden="true"),
                        rx.el.span(t("Add to calendar")),
                        href=item.ics_href,
                        download=True,
                        reload_document=True,
                        class_name="button button-secondary",
                    ),
                ),
                rx.cond(
                    editable,
                    rx.el.a(t("Change"), href=item.edit_href, class_name="button button-secondary"),
                ),
                rx.cond(
                    editable,
                    rx.el.button(
                        t("Cancel the time"),
                        type="button",
                        on_click=AgreedTimesState.confirm_cancel(item.id),
                        class_name="button button-secondary",
                    ),
                ),
                class_name="actions",
            ),
        ),
    )


def _upcoming_card(item: AgreedTimeView) -> rx.Component:
    return agreed_time_card_with_actions(item, _time_actions)


def _subscription() -> rx.Component:
    return section(
        t("Subscribe in your phone's calendar"),
        rx.el.p(
            t(
                "Your phone's calendar can show your agreed times and update them by itself. "
                "The link is private: anyone who has it can see your times."
            )
        ),
        rx.cond(
            AgreedTimesState.feed_link != "",
            rx.el.div(
                text_input(
                    "feed-link",
                    t("Your calendar link"),
                    default_value=AgreedTimesState.feed_link,
                    read_only=True,
                    key=AgreedTimesState.feed_link,
                    hint=t("Copy it into your calendar app, or open it on your phone."),
                ),
                rx.el.div(
                    rx.el.button(
                        rx.icon("copy", size=20, aria_hidden="true"),
                        rx.el.span(t("Copy the link")),
                        type="button",
                        on_click=rx.set_clipboard(AgreedTimesState.feed_link),
                        class_name="button button-secondary",
                    ),
                    rx.el.a(
                        t("Open in the calendar"),
                        href=AgreedTimesState.feed_webcal,
                        reload_document=True,
                        class_name="button",
                    ),
                    class_name="actions",
                ),
                class_name="stack",
            ),
        ),
        rx.cond(
            AgreedTimesState.feed_active & (AgreedTimesState.feed_link == ""),
            rx.el.p(
                t("You share your times with a calendar. For safety the link is shown only once."),
                class_name="notice",
            ),
        ),
        rx.el.div(
            rx.el.button(
                rx.cond(
                    AgreedTimesState.feed_active, t("Make a new link"), t("Create a calendar link")
                ),
                type="button",
                on_click=AgreedTimesState.create_feed,
                class_name=rx.cond(
                    AgreedTimesState.feed_active, "button button-secondary", "button"
                ),
            ),
            rx.cond(
                AgreedTimesState.feed_active,
                rx.el.button(
                    t("Stop sharing"),
                    type="button",
                    on_click=AgreedTimesState.revoke_feed,
                    class_name="button button-secondary",
                ),
            ),
            class_name="actions",
        ),
        heading_id="calendar-feed",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(AgreedTimesState.heading),
        rx.cond(
            AgreedTimesState.message != "",
            rx.el.p(AgreedTimesState.message, role="status", class_name="notice"),
        ),
        rx.cond(
            AgreedTimesState.can_edit,
            rx.el.a(
                rx.icon("plus", size=20, aria_hidden="true"),
                rx.el.span(t("Add a time")),
                href=AgreedTimesState.new_href,
                class_name="button",
            ),
        ),
        section(
            t("Coming up"),
            rx.cond(
                AgreedTimesState.upcoming.length() > 0,
                rx.el.div(
                    rx.foreach(AgreedTimesState.upcoming, _upcoming_card), class_name="stack"
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
        rx.cond(AgreedTimesState.can_manage_feed, _subscription()),
        class_name="stack",
    )


# ---------------------------------------------------------------------------- the form


def _time_field(name: str, label: str, **props) -> rx.Component:  # noqa: ANN003
    return text_input(
        f"time-{name}",
        t(label),
        name=name,
        default_value=AgreedTimeFormState.values[name],
        error=AgreedTimeFormState.errors[name],
        **props,
    )


def _time_form() -> rx.Component:
    return server_checked_form(
        AgreedTimeFormState,
        _time_field("purpose", N_("What is the time for?"), required=True, max_length=200),
        _time_field("date", N_("Date"), type="date", required=True),
        rx.el.div(
            _time_field("start", N_("Starts"), type="time", required=True),
            _time_field("end", N_("Ends"), type="time", required=True),
            class_name="field-row",
        ),
        _time_field("with_whom", N_("With whom"), max_length=160),
        _time_field(
            "place",
            N_("Place"),
            max_length=200,
            hint=t("For example: Hälsocentralen, Telefon or Hemma"),
        ),
        _time_field("address", N_("Address"), max_length=200, auto_complete="street-address"),
        _time_field(
            "meeting_url",
            N_("Link to a video meeting"),
            type="url",
            max_length=500,
            hint=t("Only if you meet on video. Starts with https://"),
        ),
        text_area(
            "time-prepare",
            t("What to bring or prepare"),
            name="prepare",
            default_value=AgreedTimeFormState.values["prepare"],
            error=AgreedTimeFormState.errors["prepare"],
            max_length=500,
            rows=3,
        ),
        _reminder_choice(),
    )


# The choices of naranara/reminders/schedule.REMINDER_CHOICES, in the order shown.
_REMINDER_LABELS = (
    ("both", N_("The day before at 18.00 and 2 hours before")),
    ("day_before", N_("Only the day before at 18.00")),
    ("two_hours", N_("Only 2 hours before")),
    ("none", N_("No reminders")),
)


def _reminder_choice() -> rx.Component:
    error = AgreedTimeFormState.errors[REMINDERS_FIELD]
    return rx.el.fieldset(
        rx.el.legend(t("Reminders"), class_name="label"),
        rx.el.p(
            t("On the phones where notifications from Nära are turned on."),
            id="time-reminders-hint",
            class_name="field-hint",
        ),
        rx.cond(error != "", rx.el.p(error, id="time-reminders-error", class_name="field-error")),
        *[
            rx.el.label(
                rx.el.input(
                    type="radio",
                    id=f"time-reminders-{value}",
                    name=REMINDERS_FIELD,
                    value=value,
                    default_checked=AgreedTimeFormState.reminders == value,
                    class_name="checkbox",
                ),
                rx.el.span(t(label)),
                html_for=f"time-reminders-{value}",
                class_name="check-choice",
            )
            for value, label in _REMINDER_LABELS
        ],
        aria_describedby="time-reminders-hint",
        class_name="fieldset check-group",
    )


def _time_form_page(title: rx.Var) -> rx.Component:
    return form_page(AgreedTimeFormState, title, _time_form())


@page(
    routes.AGREED_TIME_NEW,
    title="Lägg till tid",
    active_tab="times",
    private=True,
    on_load=AgreedTimeFormState.load,
)
def new_agreed_time() -> rx.Component:
    return _time_form_page(t("Add a time"))


@page(
    routes.AGREED_TIME_EDIT,
    title="Ändra tid",
    active_tab="times",
    private=True,
    on_load=AgreedTimeFormState.load,
)
def edit_agreed_time() -> rx.Component:
    return _time_form_page(t("Change the time"))
