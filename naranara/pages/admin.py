"""Administration (/admin): care units and staff accounts; one account (/admin/personal)."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import section
from naranara.components.forms import field, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.states.admin import (
    AdminStaffState,
    AdminState,
    ChoiceView,
    MembershipView,
    StaffRowView,
    UnitRowView,
)
from naranara.states.session import t


def _option(choice: ChoiceView) -> rx.Component:
    return rx.el.option(choice.label, value=choice.value)


def select(
    field_id: str,
    label: rx.Var | str,
    *,
    name: str,
    options: rx.Var,
    default_value: rx.Var | str = "",
    error: rx.Var | None = None,
) -> rx.Component:
    control = rx.el.select(
        rx.foreach(options, _option),
        id=field_id,
        name=name,
        default_value=default_value,
        aria_invalid=rx.cond(error != "", "true", "false") if error is not None else "false",
        aria_describedby=rx.cond(error != "", f"{field_id}-error", "") if error is not None else "",
        class_name="input",
    )
    return field(field_id, label, control, error=error)


# ---------------------------------------------------------------------------- units


def _unit_form() -> rx.Component:
    values, errors = AdminState.unit_values, AdminState.unit_errors
    return rx.el.form(
        text_input(
            "unit-name",
            t("Name of the unit"),
            name="name",
            default_value=values["name"],
            error=errors["name"],
            max_length=160,
        ),
        text_input(
            "unit-organisation",
            t("Organisation"),
            name="organisation",
            default_value=values["organisation"],
            error=errors["organisation"],
            hint=t("For example: Region Västernorrland or Sundsvalls kommun"),
            max_length=160,
        ),
        select(
            "unit-kind",
            t("Kind"),
            name="kind",
            options=AdminState.kinds,
            default_value=values["kind"],
            error=errors["kind"],
        ),
        text_input(
            "unit-phone",
            t("Phone number"),
            name="phone",
            type="tel",
            default_value=values["phone"],
            error=errors["phone"],
            hint=t("Printed on residents' activation sheets."),
            max_length=40,
        ),
        rx.el.div(
            rx.el.button(t("Save"), type="submit", class_name="button"),
            rx.el.button(
                t("Cancel"),
                type="button",
                on_click=AdminState.close_unit,
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        key=AdminState.unit_form.to_string(),
        on_submit=AdminState.save_unit,
        no_validate=True,
        class_name="stack form card",
    )


def _unit(unit: UnitRowView) -> rx.Component:
    return rx.el.li(
        rx.cond(
            AdminState.unit_form == unit.id,
            _unit_form(),
            rx.el.div(
                rx.el.h3(unit.name, class_name="card-title"),
                rx.el.p(unit.details, class_name="muted"),
                rx.el.button(
                    t("Change"),
                    type="button",
                    on_click=AdminState.open_unit(unit.id),
                    aria_label=t("Change") + " " + unit.name,
                    class_name="button button-secondary",
                ),
                class_name="card stack",
            ),
        )
    )


# ---------------------------------------------------------------------------- staff


def _staff_row(person: StaffRowView) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(person.name, class_name="card-title"),
            rx.el.span(person.details, class_name="summary"),
            rx.cond(person.closed, rx.el.span(t("Closed"), class_name="badge badge-cancelled")),
            href=person.href,
            class_name="card card-link",
        )
    )


def _staff_form() -> rx.Component:
    values, errors = AdminState.staff_values, AdminState.staff_errors
    return rx.el.form(
        text_input(
            "staff-name",
            t("Name"),
            name="display_name",
            default_value=values["display_name"],
            error=errors["display_name"],
            max_length=120,
            auto_complete="off",
        ),
        text_input(
            "staff-username",
            t("Username"),
            name="username",
            default_value=values["username"],
            error=errors["username"],
            hint=t("Letters a–z, digits, dots. For example sara.holm"),
            max_length=64,
            auto_complete="off",
        ),
        select(
            "staff-role",
            t("Role"),
            name="role",
            options=AdminState.roles,
            default_value=values["role"],
            error=errors["role"],
        ),
        select(
            "staff-unit",
            t("Works in"),
            name="unit",
            options=AdminState.unit_choices,
            default_value=values["unit"],
            error=errors["unit"],
        ),
        rx.el.fieldset(
            rx.el.legend(t("How they sign in"), class_name="label"),
            rx.el.label(
                rx.el.input(
                    type="radio",
                    id="staff-sign-in-password",
                    name="sign_in",
                    value="password",
                    default_checked=values["sign_in"] != "provider",
                    class_name="checkbox",
                ),
                rx.el.span(t("With a first password")),
                html_for="staff-sign-in-password",
                class_name="check-choice",
            ),
            rx.cond(
                AdminState.providers.length() > 0,
                rx.el.label(
                    rx.el.input(
                        type="radio",
                        id="staff-sign-in-provider",
                        name="sign_in",
                        value="provider",
                        default_checked=values["sign_in"] == "provider",
                        class_name="checkbox",
                    ),
                    rx.el.span(t("With the identity provider for staff")),
                    html_for="staff-sign-in-provider",
                    class_name="check-choice",
                ),
            ),
            class_name="fieldset check-group",
        ),
        text_input(
            "staff-password",
            t("First password"),
            name="password",
            type="password",
            auto_complete="new-password",
            error=errors["password"],
            hint=t("At least 12 characters. Give it to the person in a safe way."),
        ),
        rx.cond(
            AdminState.providers.length() > 0,
            rx.el.div(
                select(
                    "staff-provider",
                    t("Identity provider"),
                    name="provider",
                    options=AdminState.providers,
                    default_value=values["provider"],
                    error=errors["provider"],
                ),
                text_input(
                    "staff-subject",
                    t("Their id at the identity provider"),
                    name="subject",
                    default_value=values["subject"],
                    error=errors["subject"],
                    hint=t("For example their HSA-id, as the identity provider sends it."),
                    max_length=255,
                    auto_complete="off",
                ),
                class_name="stack",
            ),
        ),
        rx.el.button(
            t("Create the account"), type="submit", disabled=AdminState.busy, class_name="button"
        ),
        key=AdminState.form_key,
        on_submit=AdminState.create_staff,
        reset_on_submit=False,
        no_validate=True,
        class_name="stack form",
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Administration")),
        rx.cond(
            AdminState.message != "",
            rx.el.p(AdminState.message, role="status", class_name="notice"),
        ),
        section(
            t("Care units"),
            rx.el.ul(rx.foreach(AdminState.units, _unit), class_name="card-list"),
            rx.cond(
                AdminState.unit_form == 0,
                _unit_form(),
                rx.el.button(
                    t("New care unit"),
                    type="button",
                    on_click=AdminState.open_unit(0),
                    class_name="button",
                ),
            ),
            heading_id="units",
        ),
        section(
            t("Staff"),
            rx.el.ul(rx.foreach(AdminState.staff, _staff_row), class_name="card-list"),
            heading_id="staff",
        ),
        section(t("New staff account"), _staff_form(), heading_id="new-staff"),
        class_name="stack",
    )


@page(
    routes.ADMIN, title="Administration", active_tab="admin", private=True, on_load=AdminState.load
)
def admin() -> rx.Component:
    return rx.cond(
        AdminState.loaded,
        rx.cond(
            AdminState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Administration")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


# ---------------------------------------------------------------------------- one account


def _membership(membership: MembershipView) -> rx.Component:
    return rx.el.li(
        rx.el.span(membership.unit, class_name="label"),
        rx.el.button(
            t("Remove from the unit"),
            type="button",
            on_click=AdminStaffState.end_membership(membership.id),
            aria_label=t("Remove from the unit") + " " + membership.unit,
            class_name="button button-secondary",
        ),
        class_name="card stack",
    )


def _account() -> rx.Component:
    state = AdminStaffState
    return rx.el.div(
        rx.el.a(t("Back to administration"), href=routes.ADMIN, class_name="back-link"),
        rx.el.h1(state.name),
        rx.el.p(t("Username"), ": ", state.username, class_name="lead"),
        rx.cond(
            state.message != "",
            rx.el.p(state.message, role="status", class_name="notice"),
        ),
        rx.cond(state.closed, rx.el.p(t("This account is closed."), class_name="notice")),
        section(
            t("Units"),
            rx.cond(
                state.memberships.length() > 0,
                rx.el.ul(rx.foreach(state.memberships, _membership), class_name="card-list"),
                rx.el.p(t("Works in no unit.")),
            ),
            rx.cond(
                (state.other_units.length() > 0) & (state.role == "staff"),
                rx.el.form(
                    select("add-unit", t("Add to a unit"), name="unit", options=state.other_units),
                    rx.el.button(t("Add"), type="submit", class_name="button"),
                    on_submit=state.add_membership,
                    class_name="stack form",
                ),
            ),
            heading_id="units",
        ),
        rx.cond(
            ~state.own,
            rx.el.div(
                section(
                    t("Role"),
                    rx.el.form(
                        select(
                            "role",
                            t("Role"),
                            name="role",
                            options=state.roles,
                            default_value=state.role,
                        ),
                        rx.el.button(t("Save"), type="submit", class_name="button"),
                        key=state.role,
                        on_submit=state.set_role,
                        class_name="stack form",
                    ),
                    heading_id="role",
                ),
                section(
                    t("Account"),
                    rx.cond(
                        state.closed,
                        rx.el.button(
                            t("Open the account again"),
                            type="button",
                            on_click=state.set_active(True),
                            class_name="button",
                        ),
                        rx.el.button(
                            t("Close the account"),
                            type="button",
                            on_click=state.set_active(False),
                            class_name="button button-secondary",
                        ),
                    ),
                    heading_id="account",
                ),
                class_name="stack",
            ),
        ),
        class_name="stack",
    )


@page(
    routes.ADMIN_STAFF,
    title="Personalkonto",
    active_tab="admin",
    private=True,
    on_load=AdminStaffState.load,
)
def admin_staff() -> rx.Component:
    return rx.cond(
        AdminStaffState.loaded,
        rx.cond(
            AdminStaffState.allowed,
            _account(),
            rx.el.div(rx.el.h1(t("Administration")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )
