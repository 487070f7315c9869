"""Form fields every page shares: a visible label, a hint, and an error tied to the input.

Inputs are uncontrolled (``default_value`` + ``name``): the browser keeps what was
typed while the server validates, so a refused form never loses text. The server
sends errors per field name (already in the reader's language); each is announced
with the field through ``aria-describedby`` and ``aria-invalid``.
"""

from __future__ import annotations

import reflex as rx

from naranara.components.layout import loading, nothing_for_you
from naranara.states.session import t


def _described_by(field_id: str, *, hint: bool, error: rx.Var[str] | None) -> rx.Var[str] | str:
    ids = f"{field_id}-hint" if hint else ""
    if error is None:
        return ids
    return rx.cond(error != "", f"{ids} {field_id}-error".strip(), ids)


def field(
    field_id: str,
    label: rx.Var | str,
    control: rx.Component,
    *,
    hint: rx.Var | str | None = None,
    error: rx.Var[str] | None = None,
) -> rx.Component:
    """A labelled control with its hint and, when the server refused it, its error."""
    parts: list[rx.Component] = [rx.el.label(label, html_for=field_id)]
    if hint is not None:
        parts.append(rx.el.p(hint, id=f"{field_id}-hint", class_name="field-hint"))
    if error is not None:
        parts.append(
            rx.cond(
                error != "",
                rx.el.p(error, id=f"{field_id}-error", class_name="field-error"),
            )
        )
    parts.append(control)
    return rx.el.div(*parts, class_name="field")


def text_input(
    field_id: str,
    label: rx.Var | str,
    *,
    name: str | None = None,
    default_value: rx.Var | str = "",
    hint: rx.Var | str | None = None,
    error: rx.Var[str] | None = None,
    **props,  # noqa: ANN003 - passed to <input>: type, autocomplete, max_length, …
) -> rx.Component:
    control = rx.el.input(
        id=field_id,
        name=name or field_id,
        default_value=default_value,
        class_name="input",
        aria_describedby=_described_by(field_id, hint=hint is not None, error=error),
        aria_invalid=rx.cond(error != "", "true", "false") if error is not None else "false",
        **props,
    )
    return field(field_id, label, control, hint=hint, error=error)


def text_area(
    field_id: str,
    label: rx.Var | str,
    *,
    name: str | None = None,
    default_value: rx.Var | str = "",
    hint: rx.Var | str | None = None,
    error: rx.Var[str] | None = None,
    rows: int = 4,
    **props,  # noqa: ANN003 - passed to <textarea>
) -> rx.Component:
    control = rx.el.textarea(
        id=field_id,
        name=name or field_id,
        default_value=default_value,
        rows=rows,
        class_name="input textarea",
        aria_describedby=_described_by(field_id, hint=hint is not None, error=error),
        aria_invalid=rx.cond(error != "", "true", "false") if error is not None else "false",
        **props,
    )
    return field(field_id, label, control, hint=hint, error=error)


def form_errors_notice(message: rx.Var[str], *, notice_id: str = "form-error") -> rx.Component:
    """A summary at the top of a refused form, read out when it appears."""
    return rx.cond(
        message != "",
        rx.el.div(message, id=notice_id, role="alert", class_name="notice notice-error"),
    )


def server_checked_form(form_state: type[rx.State], *fields: rx.Component) -> rx.Component:
    """A form the server checks: its error summary, the fields, Save and Back.

    ``form_state`` has ``form_error``, ``form_key``, ``back_href`` and ``submit``.
    The browser's own validation is off: the server's messages, in the reader's
    language, are the ones shown, and the form keeps what was typed.
    """
    return rx.el.form(
        form_errors_notice(form_state.form_error),
        *fields,
        rx.el.div(
            rx.el.button(t("Save"), type="submit", class_name="button"),
            rx.el.a(t("Back"), href=form_state.back_href, class_name="button button-secondary"),
            class_name="actions",
        ),
        key=form_state.form_key,
        on_submit=form_state.submit,
        class_name="stack form",
        aria_describedby=rx.cond(form_state.form_error != "", "form-error", ""),
        no_validate=True,
    )


def form_page(form_state: type[rx.State], title: rx.Var, form: rx.Component) -> rx.Component:
    """A page holding one form, once ``form_state`` has loaded and the viewer may use it.

    A state with ``other_side`` (times and contacts, agreed from both sides) says why an
    entry the other side recorded has no form, and leads back to the list."""
    refused = nothing_for_you()
    if "other_side" in form_state.get_fields():
        refused = rx.cond(
            form_state.other_side != "",
            rx.el.div(
                rx.el.p(form_state.other_side, class_name="notice"),
                rx.el.a(t("Back"), href=form_state.back_href, class_name="button button-secondary"),
                class_name="stack",
            ),
            refused,
        )
    return rx.cond(
        form_state.loaded,
        rx.cond(
            form_state.allowed,
            rx.el.div(rx.el.h1(title), form, class_name="stack narrow"),
            rx.el.div(rx.el.h1(title), refused),
        ),
        loading(),
    )
