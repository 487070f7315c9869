"""Skriv in en invånare (/mina-invanare/ny) and one resident for staff (/mina-invanare/invanare).

Both can show the activation sheet: plain words, the QR code, the address and the code
to type, and the username, made to be printed (assets/nara.css, ``@media print``).
"""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.browser import in_browser
from naranara.components.cards import section
from naranara.components.forms import form_errors_notice, text_area, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.states.enrolment import (
    ActivationSheetView,
    CareRowView,
    EnrolState,
    FlagView,
    OptionView,
    ResidentOverviewState,
)
from naranara.states.session import t

_PRINT = in_browser("print")


def activation_sheet(sheet: ActivationSheetView, *, back: rx.Component) -> rx.Component:
    """The sheet to hand over: on screen with Print, on paper alone."""
    return rx.el.div(
        rx.el.div(
            rx.el.p(
                t("Print the sheet and give it to"),
                " ",
                rx.el.strong(sheet.name),
                ". ",
                t("The code is shown only now: Nära keeps no copy of it."),
                role="status",
                class_name="notice",
            ),
            rx.el.div(
                rx.el.button(
                    rx.icon("printer", size=20, aria_hidden="true"),
                    rx.el.span(t("Print")),
                    type="button",
                    on_click=_PRINT,
                    class_name="button",
                ),
                back,
                class_name="actions",
            ),
            class_name="stack no-print",
        ),
        rx.el.article(
            rx.el.p("Nära", class_name="print-sheet-brand"),
            rx.el.h2(t("Welcome to Nära,"), " ", sheet.name, id="sheet-title"),
            rx.el.p(
                sheet.unit,
                " ",
                t(
                    "has enrolled you in Nära. There you see your agreed times, whom to "
                    "contact and your own self-care."
                ),
            ),
            rx.el.h3(t("How to get started")),
            rx.el.ol(
                rx.el.li(
                    t("Point your phone's camera at the code below and tap the link."),
                    rx.el.img(
                        src=sheet.qr,
                        alt=t("QR code with the link to activate your account"),
                        width="185",
                        height="185",
                        class_name="qr-code",
                    ),
                ),
                rx.el.li(
                    t("Or open this address:"),
                    " ",
                    rx.el.strong(sheet.address, class_name="sheet-address"),
                    " ",
                    t("and type the code"),
                    " ",
                    rx.el.strong(sheet.code, class_name="invite-code", id="activation-code"),
                ),
                rx.el.li(
                    t("Choose a password. Your username is"),
                    " ",
                    rx.el.strong(sheet.username, id="activation-username"),
                ),
                class_name="sheet-steps",
            ),
            rx.el.p(t("The code works once, until"), " ", sheet.valid_until, "."),
            rx.cond(
                sheet.unit_phone != "",
                rx.el.p(t("Questions? Call"), " ", sheet.unit, ", ", sheet.unit_phone, "."),
            ),
            rx.cond(
                sheet.fixed_contact != "",
                rx.el.p(t("Your fixed care contact is"), " ", sheet.fixed_contact, "."),
            ),
            aria_labelledby="sheet-title",
            class_name="card stack print-sheet",
        ),
        class_name="stack",
    )


# ---------------------------------------------------------------------------- enrolling


def _field(name: str, label: str, **props) -> rx.Component:  # noqa: ANN003
    return text_input(
        f"enrol-{name}",
        t(label),
        name=name,
        default_value=EnrolState.values[name],
        error=EnrolState.errors[name],
        **props,
    )


def _option(option: OptionView) -> rx.Component:
    return rx.el.option(option.label, value=option.value)


def _select(name: str, label: str, options: rx.Var, hint: str | None = None) -> rx.Component:
    field_id = f"enrol-{name}"
    error = EnrolState.errors[name]
    described = f"{field_id}-hint" if hint else ""
    return rx.el.div(
        rx.el.label(t(label), html_for=field_id),
        rx.el.p(t(hint), id=f"{field_id}-hint", class_name="field-hint") if hint else rx.fragment(),
        rx.cond(error != "", rx.el.p(error, id=f"{field_id}-error", class_name="field-error")),
        rx.el.select(
            rx.foreach(options, _option),
            id=field_id,
            name=name,
            default_value=EnrolState.values[name],
            aria_describedby=rx.cond(
                error != "", f"{described} {field_id}-error".strip(), described
            ),
            aria_invalid=rx.cond(error != "", "true", "false"),
            class_name="input",
        ),
        class_name="field",
    )


def _enrol_form() -> rx.Component:
    return rx.el.form(
        form_errors_notice(EnrolState.form_error),
        _field("display_name", N_("Name"), required=True, max_length=120, auto_complete="off"),
        _field(
            "phone",
            N_("Phone number"),
            type="tel",
            max_length=40,
            hint=t("So that the care unit can reach them. For example 070-123 45 67."),
        ),
        text_area(
            "enrol-how_to_reach",
            t("How the care unit reaches them"),
            name="how_to_reach",
            default_value=EnrolState.values["how_to_reach"],
            error=EnrolState.errors["how_to_reach"],
            hint=t("For example: call in the morning, or speak to their daughter first."),
            max_length=300,
            rows=2,
        ),
        _field(
            "personnummer",
            N_("Personal identity number (optional)"),
            max_length=20,
            input_mode="numeric",
            auto_complete="off",
            hint=t(
                "12 digits. Lets them sign in with e-identification. Nära does not keep "
                "the number itself, only a code made from it, and shows it masked."
            ),
        ),
        rx.cond(
            EnrolState.units.length() > 1,
            _select("unit", N_("Care unit"), EnrolState.units),
        ),
        _select(
            "fixed_contact",
            N_("Fixed care contact"),
            EnrolState.contacts,
            hint=N_("Someone who works in the unit."),
        ),
        _field("starts_on", N_("The care relationship starts"), type="date", required=True),
        rx.el.div(
            rx.el.button(
                t("Enrol and make the activation sheet"), type="submit", class_name="button"
            ),
            rx.el.a(t("Back"), href=EnrolState.back_href, class_name="button button-secondary"),
            class_name="actions",
        ),
        key=EnrolState.form_key,
        on_submit=EnrolState.submit,
        aria_describedby=rx.cond(EnrolState.form_error != "", "form-error", ""),
        no_validate=True,
        class_name="stack form",
    )


@page(
    routes.ENROL,
    title="Skriv in en invånare",
    active_tab="residents",
    private=True,
    on_load=EnrolState.load,
)
def enrol() -> rx.Component:
    return rx.cond(
        EnrolState.loaded,
        rx.cond(
            EnrolState.allowed,
            rx.el.div(
                rx.el.a(
                    t("Back to my residents"),
                    href=routes.MY_RESIDENTS,
                    class_name="back-link no-print",
                ),
                rx.el.h1(t("Enrol a resident"), class_name="no-print"),
                rx.cond(
                    EnrolState.has_sheet,
                    activation_sheet(
                        EnrolState.sheet,
                        back=rx.el.a(
                            t("Add an agreed time"),
                            href=EnrolState.times_href,
                            class_name="button button-secondary",
                        ),
                    ),
                    rx.el.div(
                        rx.el.p(
                            t(
                                "The resident gets an account and a sheet with a code to "
                                "activate it on their own phone."
                            ),
                            class_name="lead",
                        ),
                        _enrol_form(),
                        class_name="stack narrow",
                    ),
                ),
                class_name="stack",
            ),
            rx.el.div(rx.el.h1(t("Enrol a resident")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


# ---------------------------------------------------------------------------- one resident


def _care_row(row: CareRowView) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(row.unit)),
        rx.el.p(t("Fixed care contact"), ": ", row.fixed_contact),
        rx.el.p(t("Since"), " ", row.since, class_name="muted"),
    )


def _flag(flag: FlagView) -> rx.Component:
    return rx.el.li(rx.el.span(flag.reason), " ", rx.el.span(flag.when, class_name="muted"))


def _link(link: OptionView) -> rx.Component:
    return rx.el.a(link.label, href=link.value, class_name="button button-secondary")


def _confirm_end() -> rx.Component:
    return rx.el.div(
        rx.el.p(
            t(
                "End the care relationship? Your unit will no longer see their "
                "information. Their own account stays."
            ),
            class_name="label",
        ),
        rx.el.div(
            rx.el.button(
                t("Yes, end the care relationship"),
                type="button",
                on_click=ResidentOverviewState.end_care,
                class_name="button",
            ),
            rx.el.button(
                t("No, keep it"),
                type="button",
                on_click=ResidentOverviewState.confirm_end(False),
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        role="group",
        class_name="confirm",
    )


def _overview() -> rx.Component:
    state = ResidentOverviewState
    return rx.el.div(
        rx.el.a(
            t("Back to my residents"), href=routes.MY_RESIDENTS, class_name="back-link no-print"
        ),
        rx.el.h1(state.name, class_name="no-print"),
        rx.cond(
            state.message != "",
            rx.el.p(state.message, role="status", class_name="notice no-print"),
        ),
        rx.cond(
            state.has_sheet,
            activation_sheet(
                state.sheet,
                back=rx.el.a(
                    t("Back to my residents"),
                    href=routes.MY_RESIDENTS,
                    class_name="button button-secondary",
                ),
            ),
            rx.cond(~state.ended, _details()),
        ),
        class_name="stack",
    )


def _details() -> rx.Component:
    state = ResidentOverviewState
    return rx.el.div(
        section(
            t("Reach them"),
            rx.cond(
                state.personnummer != "",
                rx.el.p(t("Personal identity number"), ": ", state.personnummer),
            ),
            rx.cond(
                state.phone_href != "",
                rx.el.a(
                    rx.icon("phone", size=22, aria_hidden="true"),
                    rx.el.span(t("Call"), " ", state.phone),
                    href=state.phone_href,
                    class_name="button button-call",
                ),
            ),
            rx.cond(state.how_to_reach != "", rx.el.p(state.how_to_reach, class_name="user-text")),
            heading_id="reach",
        ),
        rx.cond(
            ~state.activated,
            section(
                t("Not activated yet"),
                rx.el.p(
                    t(
                        "They have not activated their account. If the sheet is lost or "
                        "the code has expired, make a new one: the old code stops working."
                    )
                ),
                rx.el.button(
                    t("Make a new activation sheet"),
                    type="button",
                    on_click=state.new_activation,
                    class_name="button",
                ),
                heading_id="activation",
            ),
        ),
        rx.cond(
            state.flags.length() > 0,
            section(
                t("To follow up"),
                rx.el.ul(rx.foreach(state.flags, _flag), class_name="plain-list"),
                heading_id="flags",
            ),
        ),
        section(
            t("Their information"),
            rx.el.div(rx.foreach(state.links, _link), class_name="actions"),
            heading_id="pages",
        ),
        section(
            t("Care relationship"),
            rx.el.ul(rx.foreach(state.care, _care_row), class_name="card-list"),
            rx.cond(
                state.confirming_end,
                _confirm_end(),
                rx.el.button(
                    t("End the care relationship"),
                    type="button",
                    on_click=state.confirm_end(True),
                    class_name="button button-secondary",
                ),
            ),
            heading_id="care",
        ),
        class_name="stack",
    )


@page(
    routes.RESIDENT_OVERVIEW,
    title="Invånare",
    active_tab="residents",
    private=True,
    on_load=ResidentOverviewState.load,
)
def resident_overview() -> rx.Component:
    return rx.cond(
        ResidentOverviewState.loaded,
        rx.cond(
            ResidentOverviewState.allowed | ResidentOverviewState.ended,
            _overview(),
            rx.el.div(rx.el.h1(t("Resident")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )
