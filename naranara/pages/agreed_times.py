"""Tider: agreed times, upcoming first; adding and changing one; the calendar subscription."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import agreed_time_card_with_actions, section
from naranara.components.forms import form_page, server_checked_form, text_area, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.states.agreed_times import (
    ANSWER_TEXT_FIELD,
    REMINDERS_FIELD,
    AgreedTimeFormState,
    AgreedTimesState,
)
from naranara.states.session import t
from naranara.states.views import AgreedTimeView, TimeEventView


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
            rx.el.div(rx.el.h1(t("Times")), nothing_for_you()),
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


def _answer_form(item: AgreedTimeView, *, reply: bool) -> rx.Component:
    """Under the time: the resident's "another time" message, or staff's reply."""
    field_id = f"answer-{'reply' if reply else 'request'}"
    error = AgreedTimesState.answer_error
    return rx.el.form(
        text_area(
            field_id,
            t("Your reply") if reply else t("What would suit you better?"),
            name=ANSWER_TEXT_FIELD,
            hint=None if reply else t("For example: mornings are better, or another day."),
            error=error,
            max_length=1000,
            rows=3,
        ),
        rx.el.div(
            rx.el.button(t("Send"), type="submit", class_name="button"),
            rx.el.button(
                t("Cancel"),
                type="button",
                on_click=AgreedTimesState.close_answer,
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        on_submit=AgreedTimesState.send_reply if reply else AgreedTimesState.send_other_time,
        reset_on_submit=False,
        no_validate=True,
        class_name="stack form confirm",
    )


def _answers(item: AgreedTimeView) -> rx.Component:
    """The resident's answer to a time the care unit recorded: she cannot change it here."""
    return rx.cond(
        item.answerable,
        rx.el.div(
            rx.el.p(
                t("The care unit recorded this time. Answer it here."), class_name="muted small"
            ),
            rx.cond(
                item.answer == "coming",
                rx.el.p(t("Answered: coming."), class_name="answer-given"),
            ),
            rx.cond(
                item.answer == "other_time",
                rx.el.p(
                    t("Answered: needs another time. The care unit answers here."),
                    class_name="answer-given",
                ),
            ),
            rx.cond(
                AgreedTimesState.answering == item.id,
                _answer_form(item, reply=False),
                rx.el.div(
                    rx.cond(
                        item.answer != "coming",
                        rx.el.button(
                            AgreedTimesState.coming_label,
                            type="button",
                            on_click=AgreedTimesState.say_coming(item.id),
                            class_name="button",
                        ),
                    ),
                    rx.el.button(
                        AgreedTimesState.other_time_label,
                        type="button",
                        on_click=AgreedTimesState.ask_other_time(item.id),
                        class_name="button button-secondary",
                    ),
                    class_name="actions",
                ),
            ),
            class_name="stack answer-box",
        ),
    )


def _open_request(item: AgreedTimeView) -> rx.Component:
    """For the care unit: a request waiting for an answer, and the ways to answer it."""
    return rx.cond(
        item.open_request != "",
        rx.el.div(
            rx.el.p(item.open_request, class_name="user-text"),
            rx.cond(
                AgreedTimesState.replying == item.id,
                _answer_form(item, reply=True),
                rx.el.div(
                    rx.el.a(t("Move the time"), href=item.edit_href, class_name="button"),
                    rx.el.button(
                        t("Reply"),
                        type="button",
                        on_click=AgreedTimesState.open_reply(item.id),
                        class_name="button button-secondary",
                    ),
                    class_name="actions",
                ),
            ),
            role="group",
            aria_label=t("Request for another time"),
            class_name="notice notice-request stack",
        ),
    )


def _history_entry(event: TimeEventView) -> rx.Component:
    return rx.el.li(
        rx.el.span(event.what),
        rx.cond(event.quote != "", rx.el.q(event.quote, class_name="user-text")),
        rx.el.span(event.when, class_name="muted small"),
        class_name="time-history-entry",
    )


def _history(item: AgreedTimeView) -> rx.Component:
    return rx.cond(
        item.history.length() > 0,
        rx.el.details(
            rx.el.summary(t("History")),
            rx.el.ol(rx.foreach(item.history, _history_entry), class_name="time-history"),
            class_name="values-details",
        ),
    )


def _time_actions(item: AgreedTimeView) -> rx.Component:
    editable = item.editable
    return rx.el.div(
        _open_request(item),
        _answers(item),
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
        _history(item),
        class_name="stack",
    )


def _upcoming_card(item: AgreedTimeView) -> rx.Component:
    return agreed_time_card_with_actions(item, _time_actions)


def _past_card(item: AgreedTimeView) -> rx.Component:
    return agreed_time_card_with_actions(item, _history)


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
                rx.el.div(rx.foreach(AgreedTimesState.past, _past_card), class_name="stack"),
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
