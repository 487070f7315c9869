"""Profil → Spara på den här telefonen: the resident's offline copy on this device.

Off by default. The choice is per browser (its HttpOnly device cookie, hashed) and
kept on the server (``services/offline_copy.py``); ``/offline.js`` then fetches the
copy and the service worker keeps it. Turning it off deletes the row and the kept copy.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from naranara import clock
from naranara.components.browser import run_in_browser
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.policy import Action, Viewer, is_allowed, require
from naranara.services import offline_copy
from naranara.settings import get_settings
from naranara.states.session import SessionState, current_viewer_off_loop, read_cookie


class OfflineCopyState(rx.State):
    loaded: bool = False
    allowed: bool = False  # residents only: relatives' and staff's views stay online
    on: bool = False
    updated: str = ""  # "Uppdaterad i dag 08.14"
    message: str = ""

    def _device(self) -> str:
        return read_cookie(self, get_settings().device_cookie_name) or ""

    def _read(self, viewer: Viewer, device: str) -> tuple[bool, str]:
        with session_scope() as db:
            on = offline_copy.is_on(session=db, user_id=viewer.user_id, device_token=device)
            refreshed = offline_copy.refreshed_at(
                session=db, user_id=viewer.user_id, device_token=device
            )
        label = (
            offline_copy.updated_label(refreshed, now=clock.now(), locale=viewer.locale)
            if on and refreshed
            else ""
        )
        return on, label

    @rx.event
    async def load(self) -> None:
        viewer = await current_viewer_off_loop(self)
        if viewer is None:
            return
        self.loaded, self.message = True, ""
        self.allowed = is_allowed(viewer, Action.KEEP_OFFLINE_COPY, viewer.user_id)
        if not self.allowed:
            self.on, self.updated = False, ""
            return
        self.on, self.updated = await asyncio.to_thread(self._read, viewer, self._device())

    @rx.event
    async def set_on(self, on: bool):  # noqa: ANN201 - an event spec or None
        viewer = await current_viewer_off_loop(self)
        if viewer is None or not isinstance(on, bool):
            return None
        require(viewer, Action.KEEP_OFFLINE_COPY, viewer.user_id)
        device = self._device()
        if not device:
            self.message = gettext(
                viewer.locale, "That could not be saved. Reload the page and try again."
            )
            return None

        def change() -> None:
            with session_scope() as db:
                if on:
                    offline_copy.turn_on(session=db, user_id=viewer.user_id, device_token=device)
                else:
                    offline_copy.turn_off(session=db, user_id=viewer.user_id, device_token=device)

        await asyncio.to_thread(change)
        self.on = on
        self.updated = ""
        if on:
            self.message = gettext(
                viewer.locale,
                "Kept on this phone. It is brought up to date each time you open Nära.",
            )
        else:
            self.message = gettext(viewer.locale, "Removed from this phone.")
        # The browser fetches the copy now, or forgets it here (assets/offline.js).
        run_in_browser(await self.get_state(SessionState), "offlineCopy", "on" if on else "off")
        return None
