"""What the app asks the browser to do, by name only: no JavaScript as text.

Reflex's ``rx.call_script`` sends JavaScript as a string that the page runs with
``eval``, which needs ``'unsafe-eval'`` in the Content-Security-Policy. Here the
browser's side is a fixed set of named functions in ``assets/browser.js``
(``window.naraBrowser``), and there are two ways to call them:

- ``in_browser(name, *args)``: from an event trigger in a page (a tap, a form). The
  call is compiled into the page as a function, which Reflex calls without eval, in
  the person's own gesture (the browser asks for notification permission only then).
- ``run_in_browser(state, name, *args)``: from a handler on the server. It sets one
  state variable, rendered by ``command_element`` in every page's shell as a
  ``data-command`` attribute that browser.js watches (``full_page_load`` after a
  sign-in). The same element carries the reader's language as ``data-language``, which
  browser.js copies to ``<html lang>`` (``document_language``).

Focusing an element after a handler is Reflex's own ``rx.set_focus`` (``focus``),
which uses React refs and no eval. ``tests/unit/test_no_eval.py`` fails on any
``call_script``, ``run_script`` or ``eval`` in naranara.
"""

from __future__ import annotations

import inspect
import json
import re
import secrets
from typing import Any

import reflex as rx
from reflex.event import EventSpec, EventType
from reflex.vars import Var
from reflex_base.event import server_side
from reflex_base.utils.format import format_queue_events

SCRIPT = "/browser.js"
ELEMENT_ID = "nara-browser"
# The functions of window.naraBrowser (assets/browser.js), and no other.
FUNCTIONS = frozenset(
    {
        "focus",
        "print",
        "submitForm",
        "fullPageLoad",
        "documentLanguage",
        "signOut",
        "pushStatus",
        "pushEnable",
        "offlineCopy",
    }
)
# The arguments a page may bake into a call: plain words, ids and paths.
_ARGUMENT = re.compile(r"[A-Za-z0-9_./?=&%-]{0,200}")


def _checked(name: str, args: tuple[str, ...]) -> None:
    if name not in FUNCTIONS:
        raise ValueError(f"no browser function {name!r} in assets/browser.js")
    for arg in args:
        if not isinstance(arg, str) or not _ARGUMENT.fullmatch(arg):
            raise ValueError(f"browser function argument {arg!r} is not a plain word or path")


def in_browser(name: str, *args: str, callback: EventType[Any] | None = None) -> EventSpec:
    """An event (for ``on_click``, ``on_submit``, ``on_mount``…) that calls
    ``window.naraBrowser[name](*args)``; ``callback`` gets what it returns (or resolves to).

    Reflex's ``_call_function`` calls a function it is given directly, and a callback
    that is a function too: neither is ever evaluated from text.
    """
    _checked(name, args)
    arguments = ", ".join(json.dumps(arg) for arg in args)
    function = Var(f"(() => window.naraBrowser.{name}({arguments}))")
    return server_side(
        "_call_function",
        inspect.signature(rx.call_function),
        function=function,
        # A Var, not its text: compiled as a function of the page, never eval'd.
        callback=format_queue_events(callback, args_spec=lambda result: [result])
        if callback is not None
        else None,
    )


def command(name: str, *args: str) -> str:
    """A command for the ``data-command`` attribute: the function, its arguments and a
    random id, so the browser runs each command once (a reload sends the last one again)."""
    _checked(name, args)
    return json.dumps({"name": name, "args": list(args), "id": secrets.token_hex(8)})


def run_in_browser(session_state: Any, name: str, *args: str) -> None:  # noqa: ANN401
    """From a handler: have the browser call ``name(*args)`` after this event's update.
    ``session_state`` is the tab's ``SessionState`` (``await self.get_state(SessionState)``)."""
    session_state.browser_command = command(name, *args)


def full_page_load(session_state: Any, path: str) -> None:  # noqa: ANN401
    """A real page load of a path of this site (the new socket then carries new cookies)."""
    run_in_browser(session_state, "fullPageLoad", path)


def focus(element_id: str) -> EventSpec:
    """Move focus to the element with this id after a handler (Reflex's ref, no eval)."""
    return rx.set_focus(element_id)


def document_language(locale: Var) -> dict[str, Var]:
    """``<html lang>`` follows the reader's language without a reload: the attribute
    browser.js copies to ``document.documentElement.lang`` whenever it changes."""
    return {"data-language": locale}


def command_element(browser_command: Var, locale: Var) -> rx.Component:
    """The element browser.js watches; rendered once in every page's shell.

    It also says which page is ready: ``data-hydrated`` is the path once Reflex has run
    that page's on_load handlers (``is_hydrated``), empty before. The browser tests wait
    for it (tests/e2e/browser.wait_for_app); an assistive tool or a script could too."""
    return rx.el.div(
        id=ELEMENT_ID,
        custom_attrs={
            "data-command": browser_command,
            "data-hydrated": rx.cond(rx.State.is_hydrated, rx.State.router.url.path, ""),
            **document_language(locale),
        },
        hidden=True,
    )
