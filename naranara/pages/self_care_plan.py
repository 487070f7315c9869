"""Min egenvård: the resident's tasks and today's marks, one task's history, a new task."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.forms import form_errors_notice, text_input
from naranara.components.layout import (
    loading,
    nothing_for_you,
    offline_check_off,
    page,
    queued_note,
)
from naranara.i18n import N_
from naranara.services.self_care_plan import WEEKDAY_CODES
from naranara.states.self_care_plan import (
    HistoryView,
    PlanTaskView,
    SelfCarePlanState,
    SelfCareTaskNewState,
    SelfCareTaskState,
    TodayMarkView,
)
from naranara.states.session import t

_WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_SCHEDULE_CHOICES = (
    ("daily", N_("Every day")),
    ("weekdays", N_("On some days of the week")),
    ("every_n_days", N_("Every few days")),
    ("weekly", N_("Once a week")),
)

# ---------------------------------------------------------------------------- the plan


@page(
    routes.SELF_CARE_PLAN,
    title="Min egenvård",
    active_tab="my_self_care",
    private=True,
    on_load=SelfCarePlanState.load,
)
def self_care_plan() -> rx.Component:
    return rx.cond(
        SelfCarePlanState.loaded,
        rx.cond(
            SelfCarePlanState.allowed,
            _plan(),
            rx.el.div(rx.el.h1(t("My self-care")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


def _plan() -> rx.Component:
    return rx.el.div(
        rx.el.h1(SelfCarePlanState.heading),
        rx.cond(
            SelfCarePlanState.own,
            rx.el.p(
                t("The things you do yourself for your health, and how it is going."),
                class_name="lead",
            ),
        ),
        rx.cond(
            SelfCarePlanState.message != "",
            rx.el.p(SelfCarePlanState.message, role="alert", class_name="notice notice-error"),
        ),
        rx.cond(
            SelfCarePlanState.tasks.length() > 0,
            rx.el.ul(rx.foreach(SelfCarePlanState.tasks, _task_card), class_name="card-list"),
            rx.el.p(t("There are no tasks in your plan yet."), class_name="notice"),
        ),
        rx.el.div(
            rx.cond(
                SelfCarePlanState.own,
                rx.el.a(
                    t("Add a task of your own"), href=routes.SELF_CARE_TASK_NEW, class_name="button"
                ),
            ),
            rx.el.a(
                t("Measurements"),
                href=SelfCarePlanState.measurements_href,
                class_name="button button-secondary",
            ),
            rx.cond(
                SelfCarePlanState.own,
                rx.el.a(
                    t("Find advice with tasks"),
                    href=routes.GUIDANCE,
                    class_name="button button-secondary",
                ),
            ),
            class_name="actions",
        ),
        class_name="stack",
    )


def _task_card(task: PlanTaskView) -> rx.Component:
    heading_id = "task-" + task.id.to_string()
    return rx.el.li(
        rx.el.article(
            rx.el.div(
                rx.el.h2(
                    rx.el.a(task.title, href=task.href), id=heading_id, class_name="card-title"
                ),
                rx.cond(task.paused, rx.el.span(t("Paused"), class_name="badge badge-paused")),
                class_name="card-head",
            ),
            rx.el.p(task.schedule, class_name="when"),
            rx.cond(
                task.streak != "",
                rx.el.p(
                    rx.icon("flame", size=20, aria_hidden="true"),
                    " ",
                    task.streak,
                    class_name="streak",
                ),
            ),
            rx.cond(
                task.today.length() > 0,
                rx.el.ul(rx.foreach(task.today, _today_mark), class_name="plan-activities"),
            ),
            aria_labelledby=heading_id,
            class_name="card stack",
        )
    )


def _today_mark(mark: TodayMarkView) -> rx.Component:
    undo = SelfCarePlanState.mark(mark.task_id, mark.occurrence_at, "")
    return rx.el.li(
        rx.el.p(
            rx.el.span(t("Today"), " ", mark.time, ": ", class_name="label"),
            rx.el.span(mark.status_label, class_name="mark-" + mark.status),
        ),
        rx.cond(
            SelfCarePlanState.may_mark,
            rx.el.div(
                rx.cond(
                    mark.status == "",
                    rx.fragment(
                        rx.el.button(
                            rx.icon("check", size=20, aria_hidden="true"),
                            t("Done"),
                            type="button",
                            on_click=SelfCarePlanState.mark(
                                mark.task_id, mark.occurrence_at, "done"
                            ),
                            class_name="button",
                            custom_attrs=offline_check_off(mark, "done"),
                        ),
                        rx.el.button(
                            t("Skip today"),
                            type="button",
                            on_click=SelfCarePlanState.mark(
                                mark.task_id, mark.occurrence_at, "skipped"
                            ),
                            class_name="button button-secondary",
                            custom_attrs=offline_check_off(mark, "skipped"),
                        ),
                        queued_note(),
                    ),
                    rx.el.button(
                        t("Undo"),
                        type="button",
                        on_click=undo,
                        class_name="button button-secondary",
                    ),
                ),
                class_name="actions",
            ),
        ),
        class_name="today-mark",
    )


# ---------------------------------------------------------------------------- one task


@page(
    routes.SELF_CARE_TASK,
    title="Uppgift",
    active_tab="my_self_care",
    private=True,
    on_load=SelfCareTaskState.load,
)
def self_care_task() -> rx.Component:
    return rx.cond(
        SelfCareTaskState.loaded,
        rx.cond(
            SelfCareTaskState.allowed,
            _task(),
            rx.el.div(rx.el.h1(t("Task")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


def _task() -> rx.Component:
    return rx.el.div(
        rx.el.a(
            t("Back to my self-care"), href=SelfCareTaskState.plan_href, class_name="more-link"
        ),
        rx.el.h1(SelfCareTaskState.title),
        rx.el.p(
            SelfCareTaskState.schedule,
            rx.cond(SelfCareTaskState.paused, rx.el.span(" – ", t("Paused"))),
            rx.cond(SelfCareTaskState.stopped, rx.el.span(" – ", t("Stopped"))),
            class_name="lead",
        ),
        rx.cond(
            SelfCareTaskState.notice != "",
            rx.el.p(SelfCareTaskState.notice, role="status", class_name="notice"),
        ),
        form_errors_notice(SelfCareTaskState.form_error, notice_id="task-error"),
        rx.cond(
            SelfCareTaskState.streak != "",
            rx.el.p(
                rx.icon("flame", size=22, aria_hidden="true"),
                " ",
                SelfCareTaskState.streak,
                class_name="streak",
            ),
        ),
        section(
            t("The last 30 days"),
            rx.el.p(
                t("Skipping does not break your streak. A day that was not marked does."),
                class_name="muted",
            ),
            rx.cond(
                SelfCareTaskState.entries.length() > 0,
                rx.el.ul(rx.foreach(SelfCareTaskState.entries, _entry), class_name="history-list"),
                rx.el.p(t("Nothing yet.")),
            ),
            heading_id="history",
        ),
        rx.cond(
            SelfCareTaskState.may_manage & ~SelfCareTaskState.stopped,
            _manage(),
        ),
        class_name="stack",
    )


def _entry(item: HistoryView) -> rx.Component:
    return rx.el.li(
        rx.el.span(
            rx.match(
                item.state,
                ("done", rx.icon("circle-check", size=22)),
                ("skipped", rx.icon("circle-minus", size=22)),
                ("missed", rx.icon("circle-x", size=22)),
                rx.icon("circle", size=22),
            ),
            aria_hidden="true",
            class_name="history-icon history-" + item.state,
        ),
        rx.el.span(
            rx.el.span(item.when),
            rx.el.span(item.label, class_name="history-state"),
            rx.cond(item.who != "", rx.el.span(item.who, class_name="muted small")),
            class_name="history-text",
        ),
        class_name="history-entry",
    )


def _manage() -> rx.Component:
    return section(
        t("Change the task"),
        rx.cond(
            SelfCareTaskState.editing,
            rx.el.form(
                _schedule_fields(SelfCareTaskState, "edit"),
                rx.el.div(
                    rx.el.button(t("Save"), type="submit", class_name="button"),
                    rx.el.button(
                        t("Cancel"),
                        type="button",
                        on_click=SelfCareTaskState.close_schedule,
                        class_name="button button-secondary",
                    ),
                    class_name="actions",
                ),
                on_submit=SelfCareTaskState.save_schedule,
                reset_on_submit=False,
                no_validate=True,
                class_name="stack form schedule-form",
            ),
            rx.el.div(
                rx.el.button(
                    t("Change time or how often"),
                    type="button",
                    on_click=SelfCareTaskState.open_schedule,
                    class_name="button button-secondary",
                ),
                rx.cond(
                    SelfCareTaskState.paused,
                    rx.el.button(
                        t("Start again"),
                        type="button",
                        on_click=SelfCareTaskState.set_paused(False),
                        class_name="button button-secondary",
                    ),
                    rx.el.button(
                        t("Pause"),
                        type="button",
                        on_click=SelfCareTaskState.set_paused(True),
                        class_name="button button-secondary",
                    ),
                ),
                rx.el.button(
                    t("Stop the task"),
                    type="button",
                    on_click=SelfCareTaskState.ask_stop,
                    class_name="button button-secondary",
                ),
                class_name="actions",
            ),
        ),
        rx.cond(
            SelfCareTaskState.confirming_stop,
            rx.el.div(
                rx.el.p(
                    t("Stop this task? It leaves your plan. What you have marked is kept."),
                    role="alert",
                ),
                rx.el.div(
                    rx.el.button(
                        t("Yes, stop it"),
                        type="button",
                        on_click=SelfCareTaskState.stop_task,
                        class_name="button",
                    ),
                    rx.el.button(
                        t("No, keep it"),
                        type="button",
                        on_click=SelfCareTaskState.keep_task,
                        class_name="button button-secondary",
                    ),
                    class_name="actions",
                ),
                class_name="confirm",
            ),
        ),
        heading_id="manage",
    )


# ---------------------------------------------------------------------------- schedule fields


def _schedule_fields(state: type[rx.State], prefix: str) -> rx.Component:
    """How often and when. The choices show their own fields with CSS (``:has``), so the
    form needs no round trip to the server while it is filled in."""
    errors = state.errors
    return rx.el.div(
        rx.el.fieldset(
            rx.el.legend(t("How often?"), class_name="label"),
            rx.cond(
                errors.get("schedule", "") != "",
                rx.el.p(errors.get("schedule", ""), class_name="field-error"),
            ),
            *[
                rx.el.label(
                    rx.el.input(
                        type="radio",
                        id=f"{prefix}-schedule-{value}",
                        name="schedule",
                        value=value,
                        default_checked=state.values.get("schedule", "") == value,
                        class_name="checkbox",
                    ),
                    rx.el.span(t(label)),
                    html_for=f"{prefix}-schedule-{value}",
                    class_name="check-choice",
                )
                for value, label in _SCHEDULE_CHOICES
            ],
            class_name="fieldset check-group",
        ),
        rx.el.fieldset(
            rx.el.legend(t("Which days?"), class_name="label"),
            rx.cond(
                errors.get("weekdays", "") != "",
                rx.el.p(
                    errors.get("weekdays", ""),
                    id=f"{prefix}-weekdays-error",
                    class_name="field-error",
                ),
            ),
            *[
                rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        id=f"{prefix}-day-{code}",
                        name=f"day_{code}",
                        value="on",
                        default_checked=state.values.get(f"day_{code}", "") == "on",
                        class_name="checkbox",
                    ),
                    rx.el.span(t(name)),
                    html_for=f"{prefix}-day-{code}",
                    class_name="check-choice",
                )
                for code, name in zip(WEEKDAY_CODES, _WEEKDAY_NAMES, strict=True)
            ],
            class_name="fieldset check-group schedule-days",
        ),
        rx.el.div(
            text_input(
                f"{prefix}-interval",
                t("Every how many days?"),
                name="interval",
                type="number",
                min=2,
                max=14,
                input_mode="numeric",
                default_value=state.values.get("interval", "2"),
                hint=t("2 means every other day."),
                error=errors.get("interval", ""),
            ),
            class_name="schedule-interval",
        ),
        text_input(
            f"{prefix}-time_of_day",
            t("What time?"),
            name="time_of_day",
            type="time",
            default_value=state.values.get("time_of_day", ""),
            error=errors.get("time_of_day", ""),
        ),
        class_name="stack",
    )


# ---------------------------------------------------------------------------- a new task


@page(
    routes.SELF_CARE_TASK_NEW,
    title="Ny uppgift",
    active_tab="my_self_care",
    private=True,
    on_load=SelfCareTaskNewState.load,
)
def self_care_task_new() -> rx.Component:
    return rx.cond(
        SelfCareTaskNewState.loaded,
        rx.cond(
            SelfCareTaskNewState.allowed,
            _new_task(),
            rx.el.div(rx.el.h1(t("New task")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


def _new_task() -> rx.Component:
    return rx.el.div(
        rx.el.h1(
            rx.cond(SelfCareTaskNewState.from_article != "", t("Add to my plan"), t("New task"))
        ),
        rx.cond(
            SelfCareTaskNewState.from_article != "",
            rx.el.p(
                t("From the advice"),
                " ",
                rx.el.a(SelfCareTaskNewState.from_article, href=SelfCareTaskNewState.article_href),
                class_name="lead",
            ),
        ),
        rx.cond(
            SelfCareTaskNewState.advice != "",
            rx.el.div(
                rx.el.p(t("The advice says"), class_name="label"),
                rx.el.p(SelfCareTaskNewState.advice),
                class_name="notice advice-box",
            ),
        ),
        rx.el.form(
            form_errors_notice(SelfCareTaskNewState.form_error),
            text_input(
                "title",
                t("What do you want to do?"),
                default_value=SelfCareTaskNewState.values.get("title", ""),
                hint=t("For example: Walk for 20 minutes."),
                error=SelfCareTaskNewState.errors.get("title", ""),
                max_length=200,
            ),
            _schedule_fields(SelfCareTaskNewState, "new"),
            text_input(
                "starts_on",
                t("Start on"),
                type="date",
                min=SelfCareTaskNewState.today,
                default_value=SelfCareTaskNewState.values.get("starts_on", ""),
                error=SelfCareTaskNewState.errors.get("starts_on", ""),
            ),
            rx.el.div(
                rx.el.button(t("Add to my plan"), type="submit", class_name="button"),
                rx.el.a(
                    t("Back"),
                    href=SelfCareTaskNewState.back_href,
                    class_name="button button-secondary",
                ),
                class_name="actions",
            ),
            key=SelfCareTaskNewState.form_key,
            on_submit=SelfCareTaskNewState.submit,
            reset_on_submit=False,
            no_validate=True,
            class_name="stack form schedule-form",
        ),
        class_name="stack narrow",
    )
