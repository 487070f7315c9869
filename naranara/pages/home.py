"""Hem: a welcome for visitors; "Idag" for a signed-in resident."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import agreed_time_card, article_link_card, section
from naranara.components.language import language_switch
from naranara.components.layout import loading, offline_check_off, page, queued_note
from naranara.states.guidance import GuidanceSuggestionsState
from naranara.states.session import SessionState, t
from naranara.states.today import HelpedTodayView, TodayState
from naranara.states.views import OccurrenceView


def _welcome() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Welcome to Nära")),
        rx.el.p(
            t(
                "Your care, close to you. See whom to contact, your agreed times and advice for taking care of yourself."
            ),
            class_name="lead",
        ),
        rx.el.div(
            rx.el.a(t("Sign in"), href=routes.SIGN_IN, class_name="button"),
            rx.el.a(
                t("Read self-care advice"),
                href=routes.GUIDANCE,
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        section(
            t("In Nära you can"),
            rx.el.ul(
                rx.el.li(t("see your fixed care contacts and how to reach them")),
                rx.el.li(t("keep track of the times you have agreed with your care")),
                rx.el.li(t("follow your own self-care plan, day by day")),
                class_name="plain-list",
            ),
            heading_id="offer",
        ),
        section(t("Language"), language_switch(), heading_id="language"),
        class_name="stack",
    )


def _task_row(task: OccurrenceView) -> rx.Component:
    return rx.el.li(
        rx.el.button(
            rx.el.span(
                rx.cond(task.done, rx.icon("circle-check", size=28), rx.icon("circle", size=28)),
                class_name="check-icon",
                aria_hidden="true",
            ),
            rx.el.span(
                rx.el.span(task.title, class_name="task-title"),
                rx.el.span(task.time, class_name="muted"),
                class_name="task-text",
            ),
            type="button",
            role="checkbox",
            aria_checked=rx.cond(task.done, "true", "false"),
            on_click=TodayState.toggle_done(task.task_id, task.occurrence_at),
            class_name=rx.cond(task.done, "task task-done", "task"),
            custom_attrs=offline_check_off(task, "done"),
        ),
        queued_note(),
    )


def _link_card(title: rx.Var, summary: rx.Var, href: str) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(title, class_name="card-title"),
            rx.el.span(summary, class_name="summary"),
            href=href,
            class_name="card card-link",
        )
    )


def _my_care() -> rx.Component:
    return section(
        t("Your care"),
        rx.el.ul(
            _link_card(
                t("What matters to you?"),
                t(
                    "In your own words: what matters, what gives you energy, how you want to be contacted."
                ),
                routes.WHAT_MATTERS,
            ),
            _link_card(
                t("My plan"),
                t("Your goals and who does what, agreed with your care."),
                routes.CARE_PLAN,
            ),
            _link_card(
                t("My self-care"),
                t("Your own tasks, what you have done and how it is going."),
                routes.SELF_CARE_PLAN,
            ),
            _link_card(
                t("Measurements"),
                t("Weight, blood pressure and more that you measure at home."),
                routes.MEASUREMENTS,
            ),
            class_name="card-list",
        ),
        heading_id="my-care",
    )


def _care_today() -> rx.Component:
    return rx.el.div(
        section(
            t("Your next agreed time"),
            rx.cond(
                TodayState.next_time.length() > 0,
                rx.foreach(TodayState.next_time, agreed_time_card),
                rx.el.p(t("You have no agreed times coming up.")),
            ),
            rx.el.a(t("All your times"), href=routes.AGREED_TIMES, class_name="more-link"),
            heading_id="next-time",
        ),
        section(
            t("Self-care today"),
            rx.cond(
                TodayState.tasks.length() > 0,
                rx.el.ul(rx.foreach(TodayState.tasks, _task_row), class_name="task-list"),
                rx.el.p(t("Nothing planned for today.")),
            ),
            heading_id="self-care-today",
        ),
        _my_care(),
        class_name="stack",
    )


def _helped_person(person: HelpedTodayView) -> rx.Component:
    """One person the reader helps: what they share of today, under their name."""
    heading_id = "helped-" + person.id.to_string()
    return rx.el.section(
        rx.el.h2(person.name, id=heading_id),
        rx.cond(
            person.shows_times,
            rx.el.div(
                rx.el.h3(t("Next agreed time")),
                rx.cond(
                    person.next_time.length() > 0,
                    rx.foreach(person.next_time, agreed_time_card),
                    rx.el.p(t("No agreed times coming up.")),
                ),
                rx.el.a(t("All times"), href=person.times_href, class_name="more-link"),
                class_name="section",
            ),
        ),
        rx.cond(
            person.shows_tasks,
            rx.el.div(
                rx.el.h3(t("Self-care today")),
                rx.cond(
                    person.tasks.length() > 0,
                    rx.el.ul(rx.foreach(person.tasks, _task_row), class_name="task-list"),
                    rx.el.p(t("Nothing planned for today.")),
                ),
                rx.el.a(t("All self-care"), href=person.self_care_href, class_name="more-link"),
                class_name="section",
            ),
        ),
        aria_labelledby=heading_id,
        class_name="section helped-person",
    )


def _today() -> rx.Component:
    return rx.el.div(
        rx.el.h1(TodayState.greeting),
        rx.el.p(t("Today is"), " ", TodayState.today_label, class_name="lead"),
        rx.cond(
            TodayState.message != "",
            rx.el.p(TodayState.message, role="alert", class_name="notice notice-error"),
        ),
        rx.cond(TodayState.has_own_care, _care_today()),
        rx.foreach(TodayState.helped, _helped_person),
        rx.cond(
            TodayState.has_own_care,
            rx.fragment(),
            rx.el.div(
                rx.cond(
                    TodayState.role_notice != "",
                    rx.el.p(TodayState.role_notice, class_name="notice"),
                ),
                rx.cond(
                    SessionState.role == "staff",
                    rx.el.a(t("My residents"), href=routes.MY_RESIDENTS, class_name="button"),
                ),
                rx.cond(
                    SessionState.role == "staff",
                    rx.el.a(
                        t("Edit self-care advice"),
                        href=routes.GUIDANCE_EDITOR,
                        class_name="button button-secondary",
                    ),
                ),
                rx.cond(
                    SessionState.role == "relative",
                    rx.el.a(t("People I help"), href=routes.ACTING_FOR, class_name="button"),
                ),
                rx.cond(
                    SessionState.role == "admin",
                    rx.el.a(t("Administration"), href=routes.ADMIN, class_name="button"),
                ),
                class_name="stack",
            ),
        ),
        rx.el.div(
            section(
                t("Advice for you"),
                rx.el.ul(
                    rx.foreach(GuidanceSuggestionsState.suggestions, article_link_card),
                    class_name="card-list",
                ),
                rx.el.a(t("All self-care advice"), href=routes.GUIDANCE, class_name="more-link"),
                heading_id="suggested",
            ),
            on_mount=GuidanceSuggestionsState.load,
        ),
        class_name="stack",
    )


@page(routes.HOME, title="Hem", active_tab="home", on_load=TodayState.load)
def home() -> rx.Component:
    return rx.cond(
        SessionState.checked,
        rx.cond(
            SessionState.signed_in,
            rx.cond(TodayState.loaded, _today(), loading()),
            _welcome(),
        ),
        loading(),
    )
