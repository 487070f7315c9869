"""Min plan: goals in the resident's words, who does what, and when it is followed up."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.forms import field, form_errors_notice, text_area, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.states.care_plan import CarePlanState
from naranara.states.session import t
from naranara.states.views import CarePlanActivityView, CarePlanGoalView

_GOAL_STATUSES = (
    ("active", N_("In progress")),
    ("achieved", N_("Achieved")),
    ("dropped", N_("Set aside")),
)
_ACTIVITY_STATUSES = (
    ("planned", N_("Planned")),
    ("ongoing", N_("Ongoing")),
    ("done", N_("Done")),
    ("paused", N_("Paused")),
)
_RESPONSIBLE = (
    ("resident", N_("The resident")),
    ("region", N_("The region")),
    ("municipality", N_("The municipality")),
    ("relative", N_("A relative")),
)


@page(
    routes.CARE_PLAN,
    title="Min plan",
    active_tab="plan",
    private=True,
    on_load=CarePlanState.load,
)
def care_plan() -> rx.Component:
    return rx.cond(
        CarePlanState.loaded,
        rx.cond(
            CarePlanState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Plan")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(CarePlanState.heading),
        rx.cond(
            CarePlanState.own & (CarePlanState.goals.length() > 0),
            rx.el.p(t("Your goals and who does what, agreed with your care."), class_name="lead"),
        ),
        rx.cond(
            CarePlanState.notice != "",
            rx.el.p(
                CarePlanState.notice,
                id="plan-notice",
                tab_index=-1,
                role="status",
                class_name="notice",
            ),
        ),
        rx.cond(CarePlanState.goals.length() > 0, _plan(), _empty()),
        rx.cond(
            CarePlanState.may_edit,
            rx.cond(
                (CarePlanState.form == "goal") & (CarePlanState.editing_id == 0),
                _goal_form(),
                rx.el.div(
                    rx.el.button(
                        t("Add a goal"),
                        type="button",
                        on_click=CarePlanState.open_form("goal", 0, 0),
                        class_name="button",
                    ),
                    class_name="actions",
                ),
            ),
        ),
        rx.cond(CarePlanState.own, _export()),
        class_name="stack",
    )


def _empty() -> rx.Component:
    return rx.el.div(
        rx.el.p(
            t("Your plan is where you and your care write down what you want to achieve."),
            class_name="lead",
        ),
        rx.el.p(
            t(
                "Each goal is in your own words. Under it you see who does what – you, the "
                "region, the municipality or someone close to you – and when you follow it up "
                "together."
            )
        ),
        rx.el.p(t("There is nothing in your plan yet."), class_name="muted"),
        class_name="stack card",
    )


def _plan() -> rx.Component:
    return rx.el.ul(rx.foreach(CarePlanState.goals, _goal_card), class_name="card-list")


def _goal_card(goal: CarePlanGoalView) -> rx.Component:
    heading_id = "goal-" + goal.id.to_string()
    editing_this = (CarePlanState.form == "goal") & (CarePlanState.editing_id == goal.id)
    adding_here = (
        (CarePlanState.form == "activity")
        & (CarePlanState.editing_id == 0)
        & (CarePlanState.form_goal_id == goal.id)
    )
    return rx.el.li(
        rx.el.article(
            rx.cond(
                editing_this,
                _goal_form(),
                rx.el.div(
                    rx.el.div(
                        rx.el.h2(goal.text, id=heading_id, class_name="card-title"),
                        rx.cond(
                            goal.id != 0,
                            rx.el.span(
                                goal.status_label, class_name="badge badge-goal-" + goal.status
                            ),
                        ),
                        class_name="card-head",
                    ),
                    rx.cond(goal.source != "", rx.el.p(goal.source, class_name="muted small")),
                    rx.cond(
                        CarePlanState.may_edit & (goal.id != 0),
                        rx.el.button(
                            t("Change the goal"),
                            type="button",
                            on_click=CarePlanState.open_form("goal", goal.id, 0),
                            class_name="button button-secondary plan-edit",
                        ),
                    ),
                    class_name="stack plan-goal-head",
                ),
            ),
            rx.el.h3(t("Who does what")),
            rx.cond(
                goal.activities.length() > 0,
                rx.el.ul(rx.foreach(goal.activities, _activity_row), class_name="plan-activities"),
                rx.el.p(t("Nothing has been planned for this goal yet."), class_name="muted"),
            ),
            rx.cond(
                CarePlanState.may_edit & (goal.id != 0),
                rx.cond(
                    adding_here,
                    _activity_form(),
                    rx.el.button(
                        t("Add what is to be done"),
                        type="button",
                        on_click=CarePlanState.open_form("activity", 0, goal.id),
                        class_name="button button-secondary",
                    ),
                ),
            ),
            aria_labelledby=heading_id,
            class_name="card plan-goal",
        )
    )


def _activity_row(activity: CarePlanActivityView) -> rx.Component:
    editing_this = (CarePlanState.form == "activity") & (CarePlanState.editing_id == activity.id)
    return rx.el.li(
        rx.cond(
            editing_this,
            _activity_form(),
            rx.el.div(
                rx.el.div(
                    rx.el.p(activity.description, class_name="task-title"),
                    rx.el.span(
                        activity.status_label, class_name="badge badge-activity-" + activity.status
                    ),
                    class_name="card-head",
                ),
                rx.el.p(rx.el.span(t("Responsible"), ": ", class_name="label"), activity.who),
                rx.cond(activity.follow_up != "", rx.el.p(activity.follow_up, class_name="when")),
                rx.cond(activity.source != "", rx.el.p(activity.source, class_name="muted small")),
                rx.cond(
                    CarePlanState.may_edit,
                    rx.el.button(
                        t("Change"),
                        type="button",
                        on_click=CarePlanState.open_form("activity", activity.id, 0),
                        class_name="button button-secondary plan-edit",
                        aria_label=t("Change") + ": " + activity.description,
                    ),
                ),
                class_name="plan-activity",
            ),
        )
    )


def _select(field_id: str, label: str, options: tuple, *, hint: str | None = None) -> rx.Component:
    error = CarePlanState.errors.get(field_id, "")
    described = [f"{field_id}-hint"] if hint else []
    control = rx.el.select(
        rx.el.option(t("Choose…"), value="", disabled=True),
        *[rx.el.option(t(text), value=value) for value, text in options],
        id=field_id,
        name=field_id,
        default_value=CarePlanState.values.get(field_id, ""),
        class_name="input",
        aria_describedby=rx.cond(
            error != "", " ".join([*described, f"{field_id}-error"]), " ".join(described)
        ),
        aria_invalid=rx.cond(error != "", "true", "false"),
    )
    return field(field_id, t(label), control, hint=t(hint) if hint else None, error=error)


def _form_buttons() -> rx.Component:
    return rx.el.div(
        rx.el.button(t("Save"), type="submit", class_name="button"),
        rx.el.button(
            t("Cancel"),
            type="button",
            on_click=CarePlanState.close_form,
            class_name="button button-secondary",
        ),
        class_name="actions",
    )


def _goal_form() -> rx.Component:
    return rx.el.form(
        rx.el.h2(
            rx.cond(CarePlanState.editing_id == 0, t("New goal"), t("Change the goal")),
            id="goal-form-title",
        ),
        form_errors_notice(CarePlanState.form_error, notice_id="goal-form-error"),
        text_area(
            "text",
            t("The goal, in your own words"),
            default_value=CarePlanState.values.get("text", ""),
            hint=t("For example: To manage the stairs at home on my own."),
            error=CarePlanState.errors.get("text", ""),
            max_length=500,
            rows=3,
        ),
        rx.cond(
            CarePlanState.editing_id != 0,
            _select("status", N_("Status"), _GOAL_STATUSES),
            rx.el.input(type="hidden", name="status", value="active"),
        ),
        _form_buttons(),
        on_submit=CarePlanState.save_goal,
        reset_on_submit=False,
        aria_labelledby="goal-form-title",
        class_name="stack form card",
    )


def _activity_form() -> rx.Component:
    return rx.el.form(
        rx.el.h3(
            rx.cond(CarePlanState.editing_id == 0, t("New activity"), t("Change the activity")),
            id="activity-form-title",
        ),
        form_errors_notice(CarePlanState.form_error, notice_id="activity-form-error"),
        text_area(
            "description",
            t("What is to be done"),
            default_value=CarePlanState.values.get("description", ""),
            error=CarePlanState.errors.get("description", ""),
            max_length=500,
            rows=3,
        ),
        _select("responsible", N_("Who is responsible"), _RESPONSIBLE),
        text_input(
            "responsible_name",
            t("Name (if you want)"),
            default_value=CarePlanState.values.get("responsible_name", ""),
            hint=t("For example: Hemtjänsten Haga, or the name of someone close to you."),
            error=CarePlanState.errors.get("responsible_name", ""),
            max_length=160,
        ),
        text_input(
            "follow_up_on",
            t("Follow up on"),
            type="date",
            min=rx.cond(CarePlanState.editing_id == 0, CarePlanState.today, ""),
            default_value=CarePlanState.values.get("follow_up_on", ""),
            hint=t("The day you look together at how it is going. You can leave it empty."),
            error=CarePlanState.errors.get("follow_up_on", ""),
        ),
        _select("status", N_("Status"), _ACTIVITY_STATUSES),
        _form_buttons(),
        on_submit=CarePlanState.save_activity,
        reset_on_submit=False,
        aria_labelledby="activity-form-title",
        class_name="stack form plan-form",
    )


def _export() -> rx.Component:
    return section(
        t("Your record as a file"),
        rx.el.p(
            t(
                "You can download everything Nära keeps about your care as a file in FHIR, "
                "the standard format other care systems can read."
            )
        ),
        rx.el.a(
            rx.icon("download", size=22, aria_hidden="true"),
            t("Download my record as FHIR"),
            # A full request to the server, not the client-side router. No ``download``
            # attribute: a request to sign in again first must open as a page; the
            # route's Content-Disposition makes the file a download.
            href=routes.FHIR_EXPORT,
            reload_document=True,
            class_name="button button-secondary",
        ),
        heading_id="export",
    )
