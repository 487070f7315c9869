"""Kontakter: whom to contact, and how; adding, changing and removing a contact."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.forms import field, form_page, server_checked_form, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.models import OrganisationKind, ReachBy
from naranara.states.care_contacts import REACH_FIELD, CareContactFormState, CareContactsState
from naranara.states.session import t
from naranara.states.views import CareContactView


def _confirm_remove(contact: CareContactView) -> rx.Component:
    return rx.el.div(
        rx.el.p(t("Remove this contact from your list?"), class_name="label"),
        rx.el.div(
            rx.el.button(
                t("Yes, remove"),
                type="button",
                on_click=CareContactsState.remove_contact(contact.id),
                class_name="button",
            ),
            rx.el.button(
                t("No, keep it"),
                type="button",
                on_click=CareContactsState.confirm_remove(0),
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        role="group",
        class_name="confirm",
    )


def _contact_actions(contact: CareContactView) -> rx.Component:
    # Only the side that recorded a contact changes it: the care unit's are read-only here.
    return rx.cond(
        contact.editable,
        rx.cond(
            CareContactsState.confirming == contact.id,
            _confirm_remove(contact),
            rx.el.div(
                rx.el.a(t("Change"), href=contact.edit_href, class_name="button button-secondary"),
                rx.el.button(
                    t("Remove"),
                    type="button",
                    on_click=CareContactsState.confirm_remove(contact.id),
                    class_name="button button-secondary",
                ),
                class_name="actions",
            ),
        ),
    )


def _contact_card(contact: CareContactView) -> rx.Component:
    return rx.el.article(
        rx.el.h2(contact.name, class_name="card-title"),
        rx.el.p(contact.role_title, class_name="role"),
        rx.el.p(
            contact.unit,
            rx.cond(contact.unit != "", ", ", ""),
            contact.organisation,
            class_name="muted",
        ),
        rx.cond(
            contact.opening_hours != "",
            rx.el.p(rx.el.span(t("Open"), ": ", class_name="label"), contact.opening_hours),
        ),
        rx.cond(
            contact.reach_by != "",
            rx.el.p(rx.el.span(t("Reach them by"), ": ", class_name="label"), contact.reach_by),
        ),
        rx.cond(
            contact.how_to_reach != "",
            rx.el.p(rx.el.span(t("How to reach"), ": ", class_name="label"), contact.how_to_reach),
        ),
        rx.cond(
            contact.phone_href != "",
            rx.el.a(
                rx.icon("phone", size=22, aria_hidden="true"),
                rx.el.span(t("Call"), " ", contact.phone),
                href=contact.phone_href,
                class_name="button button-call",
            ),
        ),
        rx.cond(contact.source != "", rx.el.p(contact.source, class_name="muted small")),
        _contact_actions(contact),
        class_name="card",
    )


@page(
    routes.CONTACTS,
    title="Kontakter",
    active_tab="contacts",
    private=True,
    on_load=CareContactsState.load,
)
def care_contacts() -> rx.Component:
    return rx.cond(
        CareContactsState.loaded,
        rx.cond(
            CareContactsState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Contacts")), nothing_for_you()),
        ),
        loading(),
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(CareContactsState.heading),
        rx.el.p(
            t("These are the people who know you and your care. Contact them first."),
            class_name="lead",
        ),
        rx.cond(
            CareContactsState.message != "",
            rx.el.p(CareContactsState.message, role="status", class_name="notice"),
        ),
        rx.cond(
            CareContactsState.can_edit,
            rx.el.a(
                rx.icon("plus", size=20, aria_hidden="true"),
                rx.el.span(t("Add a contact")),
                href=CareContactsState.new_href,
                class_name="button",
            ),
        ),
        rx.cond(
            CareContactsState.contacts.length() > 0,
            rx.el.div(rx.foreach(CareContactsState.contacts, _contact_card), class_name="stack"),
            rx.el.p(t("No care contacts have been added yet.")),
        ),
        rx.el.aside(
            rx.el.p(t("If it is urgent, call 1177 for advice. In an emergency, call 112.")),
            class_name="notice",
        ),
        class_name="stack",
    )


# ---------------------------------------------------------------------------- the form

_KIND_LABELS = {
    OrganisationKind.REGION: N_("Region (health care)"),
    OrganisationKind.MUNICIPALITY: N_("Municipality (home care, elderly care)"),
    OrganisationKind.OTHER: N_("Other"),
}
_REACH_LABELS = {
    ReachBy.MESSAGE_1177: N_("1177 message"),
    ReachBy.PHONE: N_("Phone"),
    ReachBy.VISIT: N_("Visit"),
}


def _contact_field(name: str, label: str, **props) -> rx.Component:  # noqa: ANN003
    return text_input(
        f"contact-{name}",
        t(label),
        name=name,
        default_value=CareContactFormState.values[name],
        error=CareContactFormState.errors[name],
        **props,
    )


def _reach_choice(value: ReachBy) -> rx.Component:
    field_id = f"contact-{REACH_FIELD[value.value]}"
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            id=field_id,
            name=REACH_FIELD[value.value],
            value="on",
            default_checked=CareContactFormState.reach_by.contains(value.value),
            class_name="checkbox",
        ),
        rx.el.span(t(_REACH_LABELS[value])),
        html_for=field_id,
        class_name="check-choice",
    )


def _contact_form() -> rx.Component:
    kind_select = rx.el.select(
        *[rx.el.option(t(label), value=kind.value) for kind, label in _KIND_LABELS.items()],
        id="contact-organisation_kind",
        name="organisation_kind",
        default_value=CareContactFormState.values["organisation_kind"],
        class_name="input",
        aria_describedby=rx.cond(
            CareContactFormState.errors["organisation_kind"] != "",
            "contact-organisation_kind-error",
            "",
        ),
    )
    return server_checked_form(
        CareContactFormState,
        _contact_field("name", N_("Name"), required=True, max_length=120, auto_complete="off"),
        _contact_field(
            "role_title",
            N_("Role"),
            required=True,
            max_length=120,
            list="role-suggestions",
            hint=t("Choose a suggestion or write your own."),
        ),
        rx.el.datalist(
            rx.foreach(
                CareContactFormState.role_suggestions, lambda role: rx.el.option(value=role)
            ),
            id="role-suggestions",
        ),
        _contact_field("organisation", N_("Organisation"), required=True, max_length=160),
        field(
            "contact-organisation_kind",
            t("Kind of organisation"),
            kind_select,
            error=CareContactFormState.errors["organisation_kind"],
        ),
        _contact_field(
            "unit", N_("Unit"), max_length=160, hint=t("For example: Hälsocentralen Nacksta")
        ),
        _contact_field(
            "phone",
            N_("Phone number"),
            type="tel",
            max_length=40,
            auto_complete="off",
            hint=t("For example: 060-123 45 00"),
        ),
        _contact_field("opening_hours", N_("Opening hours"), max_length=200),
        rx.el.fieldset(
            rx.el.legend(t("How to reach them")),
            rx.cond(
                CareContactFormState.errors["reach_by"] != "",
                rx.el.p(CareContactFormState.errors["reach_by"], class_name="field-error"),
            ),
            *[_reach_choice(value) for value in ReachBy],
            class_name="field check-group",
        ),
        _contact_field(
            "how_to_reach",
            N_("More about how to reach them"),
            max_length=300,
            hint=t("For example: Call in the morning, or write via 1177."),
        ),
    )


def _contact_form_page(title: rx.Var) -> rx.Component:
    return form_page(CareContactFormState, title, _contact_form())


@page(
    routes.CONTACT_NEW,
    title="Lägg till kontakt",
    active_tab="contacts",
    private=True,
    on_load=CareContactFormState.load,
)
def new_care_contact() -> rx.Component:
    return _contact_form_page(t("Add a contact"))


@page(
    routes.CONTACT_EDIT,
    title="Ändra kontakt",
    active_tab="contacts",
    private=True,
    on_load=CareContactFormState.load,
)
def edit_care_contact() -> rx.Component:
    return _contact_form_page(t("Change the contact"))
