"""Every page's first on_load handler (components/layout.page), in one event.

Opening a page used to run one event for who is signed in and in which language
(SessionState) and another, after the page's own loads, for whose data the page shows
(FocusBannerState). Each event costs the server a turn of the state lock, an access
check and a delta; one event with one read of the viewer does both.
"""

from __future__ import annotations

import reflex as rx

from naranara.policy import Viewer
from naranara.states.acting_for import FocusBannerState
from naranara.states.session import SessionState, current_viewer_off_loop


class PageOpenState(rx.State):
    async def _open(self) -> Viewer | None:
        viewer = await current_viewer_off_loop(self)
        (await self.get_state(SessionState))._show(viewer)
        await (await self.get_state(FocusBannerState))._show(viewer)
        return viewer

    @rx.event
    async def load(self) -> None:
        """A public page: whoever is signed in, or no one."""
        await self._open()

    @rx.event
    async def require_sign_in(self):  # noqa: ANN201
        """A private page: a signed-out visitor is sent to sign in, and brought back."""
        if await self._open() is None:
            return [rx.redirect(f"/logga-in?next={self.router.url.path}", replace=True)]
        return []
