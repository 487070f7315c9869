"""Mätvärden: log a value, see it in a chart (with the same in words and in a table)."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.forms import field, form_errors_notice, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.models import MeasurementKind
from naranara.services.measurements import KINDS, MOOD_WORDS, PERIODS
from naranara.states.measurements import (
    AlertView,
    KindChoiceView,
    MeasurementRowView,
    MeasurementsState,
)
from naranara.states.session import t

_VALUE_LABELS = {
    MeasurementKind.WEIGHT: N_("Weight in kg"),
    MeasurementKind.BLOOD_PRESSURE: N_("Upper pressure (systolic), mmHg"),
    MeasurementKind.GLUCOSE: N_("Blood glucose in mmol/l"),
    MeasurementKind.PULSE: N_("Pulse, beats per minute"),
    MeasurementKind.STEPS: N_("Number of steps"),
    MeasurementKind.CUSTOM: N_("Value"),
}
_PERIOD_LABELS = {7: N_("7 days"), 30: N_("30 days"), 90: N_("90 days")}
_CHART_COLOUR = "#0f5f5c"
_CHART_COLOUR_2 = "#b34700"


@page(
    routes.MEASUREMENTS,
    title="Mätvärden",
    active_tab="my_self_care",
    private=True,
    on_load=MeasurementsState.load,
)
def measurements_page() -> rx.Component:
    return rx.cond(
        MeasurementsState.loaded,
        rx.cond(
            MeasurementsState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("My measurements")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(MeasurementsState.heading),
        rx.cond(
            MeasurementsState.own,
            rx.el.p(
                t("Write down what you measure at home. You see how it changes over time."),
                class_name="lead",
            ),
        ),
        rx.cond(
            MeasurementsState.alerts.length() > 0,
            rx.foreach(MeasurementsState.alerts, _alert),
        ),
        rx.cond(
            MeasurementsState.notice != "",
            rx.el.p(
                MeasurementsState.notice,
                id="measure-notice",
                tab_index=-1,
                role="status",
                class_name="notice",
            ),
        ),
        rx.cond(MeasurementsState.may_record, _form()),
        _chart_section(),
        section(
            t("Your values as a file"),
            rx.el.p(t("A file for Excel or another spreadsheet, with all your values.")),
            rx.el.a(
                rx.icon("download", size=22, aria_hidden="true"),
                t("Download as CSV"),
                # A full request with the session cookie, not the client-side router.
                href=MeasurementsState.csv_href,
                reload_document=True,
                class_name="button button-secondary",
            ),
            heading_id="export",
        ),
        rx.el.a(
            t("Back to my self-care"), href=MeasurementsState.plan_href, class_name="more-link"
        ),
        class_name="stack",
    )


def _alert(alert: AlertView) -> rx.Component:
    return rx.el.section(
        rx.el.h2(
            rx.icon("triangle-alert", size=24, aria_hidden="true"),
            " ",
            t("Advice for you"),
            class_name="advice-title",
        ),
        rx.el.p(alert.advice, class_name="advice-text"),
        rx.el.p(alert.detail, class_name="small"),
        rx.el.p(t("From your task"), " ", alert.title, class_name="muted small"),
        aria_label=t("Advice for you"),
        class_name="advice-box",
    )


# ---------------------------------------------------------------------------- the form


def _kind_select() -> rx.Component:
    return field(
        "kind",
        t("What did you measure?"),
        rx.el.select(
            *[rx.el.option(t(spec.label), value=kind.value) for kind, spec in KINDS.items()],
            id="kind",
            name="kind",
            value=MeasurementsState.kind,
            on_change=MeasurementsState.choose_kind,
            class_name="input",
        ),
    )


def _number(field_id: str, label: rx.Var | str, **props) -> rx.Component:  # noqa: ANN003
    return text_input(
        field_id,
        label,
        default_value=MeasurementsState.values.get(field_id, ""),
        error=MeasurementsState.errors.get(field_id, ""),
        input_mode="decimal",
        autocomplete="off",
        **props,
    )


def _text(field_id: str, label: rx.Var | str, **props) -> rx.Component:  # noqa: ANN003
    return text_input(
        field_id,
        label,
        default_value=MeasurementsState.values.get(field_id, ""),
        error=MeasurementsState.errors.get(field_id, ""),
        max_length=60,
        **props,
    )


def _mood_field() -> rx.Component:
    error = MeasurementsState.errors.get("value", "")
    return rx.el.fieldset(
        rx.el.legend(t("How are you feeling?"), class_name="label"),
        rx.cond(error != "", rx.el.p(error, class_name="field-error")),
        *[
            rx.el.label(
                rx.el.input(
                    type="radio",
                    id=f"mood-{number}",
                    name="value",
                    value=str(number),
                    default_checked=MeasurementsState.values.get("value", "") == str(number),
                    class_name="checkbox",
                ),
                rx.el.span(f"{number} – ", t(words)),
                html_for=f"mood-{number}",
                class_name="check-choice",
            )
            for number, words in sorted(MOOD_WORDS.items(), reverse=True)
        ],
        class_name="fieldset check-group",
    )


def _value_fields() -> rx.Component:
    kind = MeasurementsState.kind
    return rx.match(
        kind,
        (
            MeasurementKind.BLOOD_PRESSURE.value,
            rx.el.div(
                _number(
                    "value",
                    t(_VALUE_LABELS[MeasurementKind.BLOOD_PRESSURE]),
                    hint=t("For example 135"),
                ),
                _number("value2", t("Lower pressure (diastolic), mmHg"), hint=t("For example 85")),
                _number("pulse", t("Pulse, if you measured it")),
                class_name="stack",
            ),
        ),
        (MeasurementKind.MOOD.value, _mood_field()),
        (
            MeasurementKind.CUSTOM.value,
            rx.el.div(
                _text("custom_name", t("Name of the value"), hint=t("For example: Temperature")),
                _number("value", t("Value"), hint=t("For example 37,8")),
                _text("unit", t("Unit (if you want)"), hint=t("For example: °C")),
                class_name="stack",
            ),
        ),
        (
            MeasurementKind.WEIGHT.value,
            _number("value", t(_VALUE_LABELS[MeasurementKind.WEIGHT]), hint=t("For example 72,5")),
        ),
        (
            MeasurementKind.GLUCOSE.value,
            _number("value", t(_VALUE_LABELS[MeasurementKind.GLUCOSE]), hint=t("For example 6,2")),
        ),
        (MeasurementKind.PULSE.value, _number("value", t(_VALUE_LABELS[MeasurementKind.PULSE]))),
        _number("value", t(_VALUE_LABELS[MeasurementKind.STEPS])),
    )


def _form() -> rx.Component:
    return section(
        t("Write down a value"),
        rx.el.form(
            form_errors_notice(MeasurementsState.form_error),
            _kind_select(),
            _value_fields(),
            rx.el.div(
                text_input(
                    "date",
                    t("Date"),
                    type="date",
                    default_value=MeasurementsState.values.get("date", ""),
                    error=MeasurementsState.errors.get("measured_at", ""),
                ),
                text_input(
                    "time",
                    t("Time"),
                    type="time",
                    default_value=MeasurementsState.values.get("time", ""),
                ),
                class_name="field-row",
            ),
            rx.el.div(
                rx.el.button(t("Save"), type="submit", class_name="button"), class_name="actions"
            ),
            key=MeasurementsState.form_key,
            on_submit=MeasurementsState.submit,
            reset_on_submit=False,
            no_validate=True,
            class_name="stack form",
        ),
        heading_id="log",
    )


# ---------------------------------------------------------------------------- the chart


def _kind_button(choice: KindChoiceView) -> rx.Component:
    return rx.el.button(
        choice.label,
        type="button",
        aria_pressed=rx.cond(MeasurementsState.chart_kind == choice.value, "true", "false"),
        on_click=MeasurementsState.show_chart(choice.value),
        class_name="choice",
    )


def _period_button(days: int) -> rx.Component:
    return rx.el.button(
        t(_PERIOD_LABELS[days]),
        type="button",
        aria_pressed=rx.cond(MeasurementsState.period == days, "true", "false"),
        on_click=MeasurementsState.set_period(days),
        class_name="choice",
    )


def _chart() -> rx.Component:
    return rx.recharts.responsive_container(
        rx.recharts.line_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="day", tick={"fontSize": 15}, min_tick_gap=24),
            rx.recharts.y_axis(domain=["auto", "auto"], tick={"fontSize": 15}, width=52),
            rx.recharts.tooltip(),
            rx.recharts.line(
                data_key="value",
                name=MeasurementsState.chart_title,
                stroke=_CHART_COLOUR,
                stroke_width=3,
                is_animation_active=False,
                type_="monotone",
            ),
            rx.recharts.line(
                data_key="value2",
                name=t("Lower pressure"),
                stroke=_CHART_COLOUR_2,
                stroke_width=3,
                stroke_dasharray="6 3",
                is_animation_active=False,
                type_="monotone",
            ),
            data=MeasurementsState.chart,
            margin={"top": 8, "right": 12, "left": 0, "bottom": 8},
        ),
        width="100%",
        height=280,
    )


def _row(row: MeasurementRowView) -> rx.Component:
    return rx.el.tr(rx.el.td(row.when), rx.el.td(row.what), rx.el.td(row.value))


def _chart_section() -> rx.Component:
    return section(
        t("Over time"),
        rx.cond(
            MeasurementsState.chart_kinds.length() > 0,
            rx.el.div(
                rx.el.div(
                    rx.foreach(MeasurementsState.chart_kinds, _kind_button),
                    role="group",
                    aria_label=t("Which value"),
                    class_name="choices",
                ),
                rx.el.div(
                    *[_period_button(days) for days in PERIODS],
                    role="group",
                    aria_label=t("How far back"),
                    class_name="choices",
                ),
                rx.el.h3(MeasurementsState.chart_title),
                rx.el.p(MeasurementsState.summary, id="chart-summary", class_name="chart-summary"),
                rx.cond(
                    MeasurementsState.chart.length() > 1,
                    rx.el.div(
                        _chart(),
                        rx.cond(
                            MeasurementsState.has_lower,
                            rx.el.p(
                                rx.el.span("━ ", class_name="legend-upper", aria_hidden="true"),
                                t("Upper pressure"),
                                rx.el.span(" ╍ ", class_name="legend-lower", aria_hidden="true"),
                                t("Lower pressure"),
                                class_name="chart-legend",
                            ),
                        ),
                        # A chart says little to a screen reader: the summary above and the
                        # table below say the same in words.
                        aria_describedby="chart-summary",
                        class_name="chart",
                    ),
                ),
                rx.cond(
                    MeasurementsState.rows.length() > 0,
                    rx.el.details(
                        rx.el.summary(t("Show the values as a table")),
                        rx.el.table(
                            rx.el.caption(
                                MeasurementsState.chart_title, class_name="visually-hidden"
                            ),
                            rx.el.thead(
                                rx.el.tr(
                                    rx.el.th(t("When"), scope="col"),
                                    rx.el.th(t("What"), scope="col"),
                                    rx.el.th(t("Value"), scope="col"),
                                )
                            ),
                            rx.el.tbody(rx.foreach(MeasurementsState.rows, _row)),
                            class_name="values-table",
                        ),
                        class_name="values-details",
                    ),
                ),
                class_name="stack",
            ),
            rx.el.p(t("You have not written down any values yet.")),
        ),
        heading_id="chart",
    )
