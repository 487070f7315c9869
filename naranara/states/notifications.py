"""Profil → Aviseringar: reminders on this device, the person's devices, quiet hours and
what a locked phone may show. Only ever the signed-in person's own account.

Turning reminders on happens in the browser (assets/push.js): permission is asked
only after the person taps the button, and the subscription is posted to
``/push/prenumeration``. The browser then reports a status word here; it only picks
which explanation to show and is checked against a fixed list.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from naranara import clock
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.i18n.formatting import format_date_with_year, format_day_and_time
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.policy import Action, Viewer, is_allowed, require
from naranara.reminders.dispatcher import send_test_notification
from naranara.services import health, push_subscriptions
from naranara.settings import DISPLAY_TIMEZONE, get_settings
from naranara.states.session import current_viewer

# What assets/push.js can say about this device.
DEVICE_STATUSES = frozenset({"on", "off", "denied", "home-screen", "unsupported", "failed"})
_SETTINGS_FIELDS = ("quiet_from", "quiet_until")


@dataclasses.dataclass
class DeviceView:
    id: int
    label: str
    added: str
    last_delivery: str


class NotificationsState(rx.State):
    loaded: bool = False
    allowed: bool = False
    device_status: str = ""  # "" until this browser has answered
    devices: list[DeviceView] = []
    quiet_from: str = push_subscriptions.DEFAULT_QUIET_FROM
    quiet_until: str = push_subscriptions.DEFAULT_QUIET_UNTIL
    detailed_text: bool = False
    errors: dict[str, str] = dict.fromkeys(_SETTINGS_FIELDS, "")
    form_key: int = 0  # a new key re-renders the settings form with saved values
    settings_message: str = ""
    message: str = ""
    # The reminder worker has been silent too long (services/health): say so, calmly.
    reminders_may_be_late: bool = False

    def _viewer(self) -> Viewer | None:
        """The signed-in person, if they may change their own settings."""
        viewer = current_viewer(self)
        if viewer is None or not is_allowed(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id):
            return None
        return viewer

    def _refresh_devices(self, viewer: Viewer) -> None:
        with session_scope() as db:
            found = push_subscriptions.devices(session=db, user_id=viewer.user_id)
        never = gettext(viewer.locale, "Not yet")
        self.devices = [
            DeviceView(
                id=device.id,
                label=device.label or gettext(viewer.locale, "A web browser"),
                added=format_date_with_year(
                    device.added_at.astimezone(DISPLAY_TIMEZONE).date(), viewer.locale
                ),
                last_delivery=format_day_and_time(device.last_delivery_at, viewer.locale)
                if device.last_delivery_at
                else never,
            )
            for device in found
        ]

    @rx.event
    def load(self):  # noqa: ANN201 - an event spec
        viewer = self._viewer()
        self.loaded = True
        # device_status: what this browser answered last; the page asks again as it shows
        # (pages/notifications.py: in_browser("pushStatus") on mount).
        self.message = ""
        self.settings_message = ""
        self.errors = dict.fromkeys(_SETTINGS_FIELDS, "")
        self.allowed = viewer is not None
        if viewer is None:
            self.devices = []
            return None
        require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
        self._refresh_devices(viewer)
        with session_scope() as db:
            found = push_subscriptions.notification_settings(session=db, user_id=viewer.user_id)
            self.reminders_may_be_late = not health.worker_is_alive(
                session=db, now=clock.real_now(), stale_after=get_settings().worker_stale_after
            )
        self.quiet_from, self.quiet_until = found.quiet_from, found.quiet_until
        self.detailed_text = found.detailed_text
        self.form_key += 1
        return None

    def _set_device_status(self, status: object) -> None:
        self.device_status = (
            status if isinstance(status, str) and status in DEVICE_STATUSES else "failed"
        )

    @rx.event
    def show_device_status(self, status: str) -> None:
        """What assets/push.js found on this device (only the words it can say)."""
        self._set_device_status(status)

    @rx.event
    def reminders_turned_on(self, status: str) -> None:
        """assets/push.js asked for permission and, if given, registered this device."""
        self._set_device_status(status)
        viewer = self._viewer()
        if viewer is None:
            return
        require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
        self._refresh_devices(viewer)
        # "On", "denied" and the others have their own words under "This device".
        if self.device_status == "failed":
            self.message = gettext(
                viewer.locale, "Reminders could not be turned on. Please try again in a moment."
            )
        else:
            self.message = ""

    @rx.event
    def remove_device(self, subscription_id: int) -> None:
        viewer = self._viewer()
        subscription_id = record_id(subscription_id)
        if viewer is None:
            return
        require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
        removed = False
        if subscription_id is not None:
            with session_scope() as db:
                removed = push_subscriptions.remove(
                    session=db, user_id=viewer.user_id, subscription_id=subscription_id
                )
        self._refresh_devices(viewer)
        if removed:
            self.message = gettext(
                viewer.locale, "The device is removed. It gets no more reminders."
            )
        else:
            self.message = gettext(
                viewer.locale, "That could not be saved. Reload the page and try again."
            )

    @rx.event
    async def send_test(self) -> None:
        viewer = self._viewer()
        if viewer is None:
            return
        require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)

        def send() -> int:
            with session_scope() as db:
                return send_test_notification(db, viewer.user_id)

        # The push services answer over the network: not on the event loop.
        accepted = await asyncio.to_thread(send)
        self._refresh_devices(viewer)
        if accepted:
            self.message = gettext(
                viewer.locale, "A test notification is on its way. It can take a minute."
            )
        else:
            self.message = gettext(
                viewer.locale,
                "No device could get the test notification. Turn reminders on first.",
            )

    @rx.event
    def save_settings(self, form_data: dict) -> None:
        viewer = self._viewer()
        if viewer is None:
            return
        require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
        quiet_from = form_text(form_data, "quiet_from", max_length=20)
        quiet_until = form_text(form_data, "quiet_until", max_length=20)
        detailed = form_text(form_data, "lock_screen", max_length=20) == "detailed"
        self.settings_message = ""
        try:
            with session_scope() as db:
                saved = push_subscriptions.update_settings(
                    session=db,
                    user_id=viewer.user_id,
                    quiet_from=quiet_from,
                    quiet_until=quiet_until,
                    detailed_text=detailed,
                )
        except InputInvalid as refused:
            # Keep what the person typed; say what is wrong next to each field.
            self.quiet_from, self.quiet_until, self.detailed_text = (
                quiet_from,
                quiet_until,
                detailed,
            )
            self.errors = {
                name: refused.texts(viewer.locale).get(name, "") for name in _SETTINGS_FIELDS
            }
            self.form_key += 1
            return
        self.errors = dict.fromkeys(_SETTINGS_FIELDS, "")
        self.quiet_from, self.quiet_until = saved.quiet_from, saved.quiet_until
        self.detailed_text = saved.detailed_text
        self.form_key += 1
        self.settings_message = gettext(viewer.locale, "Saved.")
