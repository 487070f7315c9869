"""An open tab follows its viewer's access: what ends is cleared at the tab's next event.

Handlers ask the policy afresh at every event, so an ended grant or care relationship
lets nothing new through. What the tab already shows is another matter: Anna's tasks
stay on Erik's open page until something replaces them. So before every event this
middleware compares the viewer's access version (one read by primary keys, the same
read the client-token binding makes at each handshake) with the version the tab's data
was loaded under. When it moved and something was lost, the event is not run: every
page state of the tab is reset (the browser is sent the empty values), the page loads
again under the access of now, and the shell says, with the resident's name, what she
stopped sharing. A reconnect needs none of this: the binding gives it a fresh state.
"""

from __future__ import annotations

import asyncio

from reflex.app import App
from reflex.middleware import Middleware
from reflex.state import BaseState, OnLoadInternalState, StateUpdate
from reflex_base.event import Event
from reflex_base.utils.format import format_event_handler

from naranara.db import session_scope
from naranara.models import ProxyScope, User
from naranara.policy import Viewer, viewer_for_session_token
from naranara.services import access
from naranara.settings import get_settings
from naranara.states.acting_for import FocusBannerState, care_ended_text, ended_text
from naranara.states.session import SessionState, read_cookie, resolved_for_event


def lost_access_notice(banner: FocusBannerState, viewer: Viewer) -> str:
    """What ``viewer`` may no longer see of what this tab was loaded with, in words
    ("" when nothing was lost: a new grant or care relationship changes nothing shown)."""
    lost_scopes: dict[int, frozenset[ProxyScope]] = {}
    for resident_id, scopes in banner._grants.items():
        before = frozenset(ProxyScope(scope) for scope in scopes)
        gone = before - viewer.grants.get(int(resident_id), frozenset())
        if gone:
            lost_scopes[int(resident_id)] = gone
    lost_care = set(banner._cares_for) - viewer.cares_for
    if not lost_scopes and not lost_care:
        return ""
    with session_scope() as db:
        names = {
            user.id: user.display_name
            for user in (db.get(User, person) for person in {*lost_scopes, *lost_care})
            if user is not None
        }
    texts = [
        ended_text(
            viewer.locale,
            names.get(resident_id, ""),
            ended=gone,
            still=viewer.grants.get(resident_id, frozenset()),
        )
        for resident_id, gone in sorted(lost_scopes.items())
    ]
    texts += [care_ended_text(viewer.locale, names.get(person, "")) for person in sorted(lost_care)]
    return " ".join(texts)


def _page_states(root: BaseState) -> list[type[BaseState]]:
    """Every state of the app's own that may hold someone's data: all but the shell's
    identity and language, which stay as they are."""
    return [
        state
        for state in type(root).get_substates()
        if state.__module__.startswith("naranara.") and state is not SessionState
    ]


def _access_version_and_viewer(session_token: str) -> tuple[int | None, Viewer | None]:
    """The viewer's access version and the viewer, in one transaction: the version
    first, as it closes grants that reached their expiry."""
    with session_scope() as db:
        found = access.session_user_and_access_version(session=db, token=session_token)
        if found is None:
            return None, None
        # Held here, the session row and the user are what the viewer is resolved from,
        # without reading them again (one statement in all, once the access is cached).
        _row, _user, version = found
        return version, viewer_for_session_token(session=db, token=session_token)


# Reflex's own events around a page's on_load handlers: the one that starts them and the
# one that marks the page hydrated after them. Neither shows anyone's data, and each
# handler they start comes through here on its own (two reads saved per page opened).
PAGE_LOADS_EVENT = format_event_handler(OnLoadInternalState.event_handlers["on_load_internal"])
PAGE_HYDRATED_EVENT = format_event_handler(OnLoadInternalState.event_handlers["set_is_hydrated"])
_SHOW_NO_DATA = frozenset({PAGE_LOADS_EVENT, PAGE_HYDRATED_EVENT})


class AccessChangeMiddleware(Middleware):
    """Registered on the app (naranara.py); runs before every event of every tab."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        session_token = read_cookie(state, get_settings().session_cookie_name)
        if not session_token or event.name in _SHOW_NO_DATA:
            return None
        # Database reads in a worker thread: the event loop serves other tabs meanwhile.
        # The viewer read here is the one the handler gets (session.resolved_for_event).
        version, viewer = await asyncio.to_thread(_access_version_and_viewer, session_token)
        resolved_for_event(session_token, viewer)
        banner = await state.get_state(FocusBannerState)
        if viewer is None or version == banner._version:
            return None
        first = banner._version < 0
        notice = "" if first else await asyncio.to_thread(lost_access_notice, banner, viewer)
        banner._remember_access(viewer)
        if not notice:
            return None
        return await _reload_page(state, notice)


async def _reload_page(root: BaseState, notice: str) -> StateUpdate:
    """Empty every page state, say why, and run the page's loads again."""
    banner = await root.get_state(FocusBannerState)
    remembered = (banner._version, banner._grants, banner._cares_for)
    for state_class in _page_states(root):
        (await root.get_state(state_class)).reset()
    banner._version, banner._grants, banner._cares_for = remembered
    banner.notice = banner._pending_notice = notice
    delta = await root._get_resolved_delta()
    root._clean()
    return StateUpdate(
        delta=delta, events=Event.from_event_type([OnLoadInternalState.on_load_internal])
    )
