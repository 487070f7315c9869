"""Who is signed in, and in which language the pages speak.

Identity never comes from a var the browser could set: it is looked up on the
server from the HttpOnly session cookie in the websocket handshake
(``router.headers.cookie``), afresh at every event: once, by the access-change
middleware just before the handler runs, and again by any later call in the handler.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import traceback
from collections.abc import Mapping
from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from types import MappingProxyType

import reflex as rx
from reflex.event import EventSpec

from naranara import i18n
from naranara.db import session_scope
from naranara.policy import Action, Viewer, require, viewer_for_session_token
from naranara.services import accounts
from naranara.settings import get_settings

LANGUAGE_COOKIE = i18n.LANGUAGE_COOKIE
_log = logging.getLogger(__name__)
_SOURCE_TEXTS = i18n.ui_texts(i18n.DEFAULT_LOCALE)
_NO_TEXTS: dict[str, str] = {}  # SessionState.texts in Swedish, one for every tab


def read_cookie(state: rx.State, name: str) -> str | None:
    """A cookie of the tab's websocket handshake, HttpOnly ones included."""
    # The router's headers field itself: ``state.router`` assembles a new RouterData at
    # every read, and this runs more than once per event.
    return _cookies(state.rx_router_headers.cookie or "").get(name)


@functools.lru_cache(maxsize=4096)
def _cookies(header: str) -> Mapping[str, str]:
    """The cookies of one ``Cookie`` header (the same for every event of a tab)."""
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return MappingProxyType({name: morsel.value for name, morsel in jar.items()})


def viewer_for_token(token: str | None) -> Viewer | None:
    """The signed-in person behind a session cookie value, or None (blocking: database)."""
    if not token:
        return None
    with session_scope() as db:
        return viewer_for_session_token(session=db, token=token)


# The viewer the access-change middleware resolved for the event about to run
# (states/access_change.py): the handler's first ``current_viewer`` takes it instead of
# reading the same rows again. Taken once: a later call in the same event (after the
# handler changed someone's access, say) reads afresh. Reflex runs each event in a task
# of its own, whose context this lives in, so it never reaches another event.
_resolved_for_event: ContextVar[tuple[str, Viewer | None] | None] = ContextVar(
    "nara_resolved_for_event", default=None
)


def resolved_for_event(token: str, viewer: Viewer | None) -> None:
    _resolved_for_event.set((token, viewer))


def _take_resolved(token: str) -> tuple[bool, Viewer | None]:
    found = _resolved_for_event.get()
    _resolved_for_event.set(None)
    if found is None or found[0] != token:
        return False, None
    return True, found[1]


def current_viewer(state: rx.State) -> Viewer | None:
    """The signed-in person for this tab, resolved on the server, or None."""
    token = read_cookie(state, get_settings().session_cookie_name)
    if not token:
        return None
    taken, viewer = _take_resolved(token)
    return viewer if taken else viewer_for_token(token)


async def current_viewer_off_loop(state: rx.State) -> Viewer | None:
    """``current_viewer`` for ``async`` handlers: the database is read in a worker thread,
    so the event loop goes on serving other tabs meanwhile."""
    token = read_cookie(state, get_settings().session_cookie_name)
    if not token:
        return None
    taken, viewer = _take_resolved(token)
    return viewer if taken else await asyncio.to_thread(viewer_for_token, token)


def t(message: str) -> rx.Var[str]:
    """A user-facing text, looked up in the reader's language when the page runs.

    Components are compiled to React ahead of time, so they cannot call gettext
    per reader. The Swedish text is compiled into the component itself (in the page's
    own code, and in the prerendered HTML); a reader in another language gets the
    catalog of theirs in SessionState and the component indexes it. So the catalog is
    not in every first visit's JavaScript (it was a quarter of it).
    An id missing from the Swedish catalog fails the compile, not the reader.
    """
    if message not in _SOURCE_TEXTS:
        raise KeyError(f"not in locales/sv/LC_MESSAGES/messages.po: {message!r}")
    return rx.cond(
        SessionState.locale == i18n.DEFAULT_LOCALE,
        _SOURCE_TEXTS[message],
        SessionState.texts[message],
    ).to(str)


class SessionState(rx.State):
    checked: bool = False
    signed_in: bool = False
    display_name: str = ""
    role: str = ""
    locale: str = i18n.DEFAULT_LOCALE
    failed: bool = False
    # What the server asks the browser to do next (components/browser.run_in_browser).
    browser_command: str = ""
    language_cookie: str = rx.Cookie(
        "", name=LANGUAGE_COOKIE, path="/", max_age=365 * 24 * 3600, same_site="lax"
    )

    @rx.var(cache=True)
    def texts(self) -> dict[str, str]:
        """The UI catalog of the tab's language, for ``t``: empty in Swedish, whose texts are
        in the components. One dict per language, shared by every tab (``i18n.ui_texts``
        is cached), not a copy stored in each tab's state."""
        return _NO_TEXTS if self.locale == i18n.DEFAULT_LOCALE else i18n.ui_texts(self.locale)

    def _apply_locale(self, locale: str) -> None:
        # Only a change of language sends the catalog again; page loads send nothing.
        # <html lang> follows ``locale`` in the browser (components/browser.command_element).
        if locale != self.locale:
            self.locale = locale

    def _show(self, viewer: Viewer | None) -> None:
        """Identity and language for the page being opened (states/page_open.py)."""
        self.signed_in = viewer is not None
        self.display_name = viewer.display_name if viewer else ""
        self.role = viewer.role.value if viewer else ""
        self.checked = True
        locale = viewer.locale if viewer else i18n.normalise_locale(self.language_cookie)
        self._apply_locale(locale)

    @rx.event
    def set_language(self, locale: str) -> None:
        if locale not in i18n.SUPPORTED_LOCALES:
            return
        self.language_cookie = locale
        viewer = current_viewer(self)
        if viewer is not None:
            require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
            with session_scope() as db:
                accounts.set_locale(session=db, user_id=viewer.user_id, locale=locale)
        self._apply_locale(locale)

    @rx.event
    def note_failure(self) -> None:
        self.failed = True

    @rx.event
    def dismiss_failure(self) -> None:
        self.failed = False


def report_backend_error(exception: Exception) -> EventSpec:
    """Reflex's handler for an exception in any event: log it, tell the reader calmly.

    The default shows an English alert; ours raises a translated banner in the shell.
    """
    _log.error("event handler failed:\n%s", "".join(traceback.format_exception(exception)))
    return SessionState.note_failure()
