"""States and HTTP routes run in-process against a migrated, seeded temporary database."""

from __future__ import annotations

import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import select

from naranara.db import session_scope
from naranara.models import User
from naranara.services import sessions
from naranara.settings import get_settings


def session_cookie_for(username: str) -> str:
    """A ``Cookie`` header with a real server-side session for a demo user."""
    with session_scope() as db:
        user = db.exec(select(User).where(User.username == username)).one()
        token = sessions.start_session(session=db, user=user)
    return f"{get_settings().session_cookie_name}={token}; {get_settings().device_cookie_name}=device-1"


def state_for(state_class: type[rx.State], *, cookie: str = "", path: str = "/") -> rx.State:
    """An instance of ``state_class`` in a fresh state tree, as a tab with this Cookie header sees it."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data(
        {"headers": {"cookie": cookie}, "pathname": path.split("?")[0], "query": {}, "asPath": path}
    )
    return root.get_substate(state_class.get_full_name().split("."))


def sibling(state: rx.State, state_class: type[rx.State]) -> rx.State:
    """Another state of the same tab (the same state tree)."""
    return state._get_root_state().get_substate(state_class.get_full_name().split("."))


def full_page_load_path(state: rx.State) -> str:
    """The path the server last asked this tab's browser to load with a real page load
    (components/browser.full_page_load), or "" if it asked for none."""
    import json

    from naranara.states.session import SessionState

    root = state
    while root.parent_state is not None:
        root = root.parent_state
    session = root.get_substate(SessionState.get_full_name().split("."))
    if not session.browser_command:
        return ""
    command = json.loads(session.browser_command)
    assert command["name"] == "fullPageLoad", command
    (path,) = command["args"]
    return path
