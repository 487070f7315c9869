"""Profil → Aviseringar: reminders on this device, the person's devices, quiet hours and
what a locked phone shows. Permission is asked only after the person taps the button."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.browser import in_browser
from naranara.components.cards import section
from naranara.components.forms import text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.states.notifications import DeviceView, NotificationsState
from naranara.states.session import t


def _turn_on_button() -> rx.Component:
    # Runs in the browser, straight from the tap: browsers ask for permission only
    # during a user's gesture, so no round trip to the server comes first.
    return rx.el.button(
        t("Turn on reminders"),
        type="button",
        on_click=in_browser("pushEnable", callback=NotificationsState.reminders_turned_on),
        class_name="button",
    )


def _home_screen_steps() -> rx.Component:
    return rx.el.div(
        rx.el.p(
            t("On iPhone and iPad, reminders come only to apps on the home screen. This is how:")
        ),
        rx.el.ol(
            rx.el.li(t("Tap the Share button in Safari (the square with an arrow).")),
            rx.el.li(t("Choose Add to Home Screen.")),
            rx.el.li(t("Open Nära from the home screen and turn reminders on there.")),
            class_name="steps",
        ),
        class_name="notice",
    )


def _this_device() -> rx.Component:
    status = NotificationsState.device_status
    return rx.match(
        status,
        (
            "on",
            rx.el.p(t("Reminders are on for this device."), role="status", class_name="notice"),
        ),
        (
            "denied",
            rx.el.div(
                rx.el.p(t("This browser has been told not to show notifications from Nära.")),
                rx.el.p(
                    t(
                        "To allow them: open the browser's settings for this site, choose "
                        "Notifications and then Allow. Then come back to this page."
                    )
                ),
                class_name="notice",
            ),
        ),
        ("home-screen", _home_screen_steps()),
        (
            "unsupported",
            rx.el.p(
                t(
                    "This browser cannot receive reminders. Try a recent Chrome, Edge, "
                    "Firefox or Safari."
                ),
                class_name="notice",
            ),
        ),
        (
            "",
            rx.el.p(t("Checking this device…"), class_name="loading", role="status"),
        ),
        # "off" and "failed": explain first, then the button.
        rx.el.div(
            rx.el.p(
                t(
                    "When you tap the button, your phone asks if Nära may send notifications. "
                    "Answer Allow."
                )
            ),
            _turn_on_button(),
            class_name="stack",
        ),
    )


def _device(device: DeviceView) -> rx.Component:
    return rx.el.li(
        rx.el.h3(device.label, class_name="card-title"),
        rx.el.p(rx.el.span(t("Turned on"), ": ", class_name="label"), device.added),
        rx.el.p(rx.el.span(t("Last reminder"), ": ", class_name="label"), device.last_delivery),
        rx.el.div(
            rx.el.button(
                t("Remove"),
                rx.el.span(" ", device.label, class_name="visually-hidden"),
                type="button",
                on_click=NotificationsState.remove_device(device.id),
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        class_name="card",
    )


def _devices() -> rx.Component:
    return section(
        t("Your devices"),
        rx.cond(
            NotificationsState.devices.length() > 0,
            rx.el.div(
                rx.el.ul(rx.foreach(NotificationsState.devices, _device), class_name="card-list"),
                rx.el.button(
                    t("Send a test notification"),
                    type="button",
                    on_click=NotificationsState.send_test,
                    class_name="button button-secondary",
                ),
                class_name="stack",
            ),
            rx.el.p(t("No device gets reminders yet.")),
        ),
        heading_id="devices",
    )


def _lock_screen_choice(value: str, label: str, checked: rx.Var[bool]) -> rx.Component:
    choice_id = f"lock-screen-{value}"
    return rx.el.label(
        rx.el.input(
            type="radio",
            id=choice_id,
            name="lock_screen",
            value=value,
            default_checked=checked,
            class_name="checkbox",
        ),
        rx.el.span(t(label)),
        html_for=choice_id,
        class_name="check-choice",
    )


def _settings_form() -> rx.Component:
    return rx.el.form(
        rx.el.fieldset(
            rx.el.legend(t("Quiet hours")),
            rx.el.p(
                t(
                    "Reminders wait until the quiet hours are over. Only a reminder just "
                    "before an agreed time can come during them."
                ),
                class_name="field-hint",
            ),
            text_input(
                "quiet-from",
                t("From"),
                name="quiet_from",
                type="time",
                default_value=NotificationsState.quiet_from,
                error=NotificationsState.errors["quiet_from"],
            ),
            text_input(
                "quiet-until",
                t("Until"),
                name="quiet_until",
                type="time",
                default_value=NotificationsState.quiet_until,
                error=NotificationsState.errors["quiet_until"],
            ),
            class_name="fieldset check-group",
        ),
        rx.el.fieldset(
            rx.el.legend(t("What may show on the lock screen?")),
            rx.el.p(
                t("Anyone holding your phone can read what shows on the lock screen."),
                class_name="field-hint",
            ),
            _lock_screen_choice(
                "private",
                N_("Only “You have a reminder from Nära”"),
                ~NotificationsState.detailed_text,
            ),
            _lock_screen_choice(
                "detailed",
                N_("What the reminder is about, for example “Weigh yourself”"),
                NotificationsState.detailed_text,
            ),
            class_name="field check-group",
        ),
        rx.cond(
            NotificationsState.settings_message != "",
            rx.el.p(NotificationsState.settings_message, role="status", class_name="notice"),
        ),
        rx.el.div(
            rx.el.button(t("Save"), type="submit", class_name="button"), class_name="actions"
        ),
        key=NotificationsState.form_key,
        on_submit=NotificationsState.save_settings,
        class_name="stack form",
        no_validate=True,
    )


def _content() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Notifications")),
        rx.el.p(
            t(
                "Nära can remind you of your agreed times and your self-care. A reminder "
                "comes as a notification on your phone, even when the app is closed."
            ),
            class_name="lead",
        ),
        rx.cond(
            NotificationsState.reminders_may_be_late,
            rx.el.div(
                rx.el.p(rx.el.strong(t("Reminders may come late right now."))),
                rx.el.p(
                    t(
                        "The part of Nära that sends reminders is not running as it should, so "
                        "they may take a while to arrive. Your times and tasks are still here "
                        "in the app."
                    )
                ),
                role="status",
                class_name="notice notice-warning",
            ),
        ),
        section(
            t("This device"),
            # Room for the longest usual answer ("off": a paragraph and the button), kept
            # while the browser is asked: the sections below do not move when it answers.
            rx.el.div(_this_device(), class_name="device-status"),
            heading_id="this-device",
        ),
        rx.cond(
            NotificationsState.message != "",
            rx.el.p(NotificationsState.message, role="status", class_name="notice"),
        ),
        _devices(),
        section(t("When and how"), _settings_form(), heading_id="settings"),
        rx.el.a(t("Back to your profile"), href=routes.PROFILE, class_name="more-link"),
        # Asks assets/push.js what this device can do, once the page shows (push.js is
        # loaded async, so perhaps after this page's events: pushStatus waits for it).
        on_mount=in_browser("pushStatus", callback=NotificationsState.show_device_status),
        class_name="stack",
    )


@page(
    routes.NOTIFICATIONS,
    title="Aviseringar",
    active_tab="profile",
    private=True,
    on_load=NotificationsState.load,
)
def notifications() -> rx.Component:
    return rx.cond(
        NotificationsState.loaded,
        rx.cond(
            NotificationsState.allowed,
            _content(),
            rx.el.div(rx.el.h1(t("Notifications")), nothing_for_you()),
        ),
        loading(),
    )
