"""The relative's Hem, and an open tab when access ends: cleared at the next event.

Erik helps Anna (care_plan and self_care, as in the demo data). His Hem shows her next
agreed time and today's tasks, each only under its own scope; when Anna turns a scope
off, the middleware that runs before every event empties his tab and says so.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import reflex as rx
from reflex_base.event import Event
from sqlalchemy import event
from sqlmodel import select

from naranara import clock
from naranara.db import get_engine, session_scope
from naranara.models import AuditEvent, ProxyScope, User
from naranara.services import access
from naranara.states.access_change import (
    PAGE_HYDRATED_EVENT,
    PAGE_LOADS_EVENT,
    AccessChangeMiddleware,
    _access_version_and_viewer,
)
from naranara.states.acting_for import FocusBannerState
from naranara.states.page_open import PageOpenState
from naranara.states.self_care_plan import SelfCarePlanState
from naranara.states.session import current_viewer_off_loop
from naranara.states.today import TodayState
from tests.states.conftest import session_cookie_for, sibling, state_for

pytestmark = pytest.mark.usefixtures("seeded_db")


def _user(username: str) -> User:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one()


def _run(state: rx.State, name: str, *args: object) -> object:
    result = type(state).event_handlers[name].fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


async def _run_in_loop(state: rx.State, name: str, *args: object) -> object:
    """``_run`` inside a test's running event loop."""
    result = type(state).event_handlers[name].fn(state, *args)
    return await result if asyncio.iscoroutine(result) else result


def _set_scopes(scopes: set[ProxyScope]) -> None:
    with session_scope() as db:
        access.set_scopes(
            session=db,
            resident_id=_user("anna").id,
            relative_id=_user("erik").id,
            scopes=frozenset(scopes),
        )


@pytest.fixture(autouse=True)
def _erik_helps_anna(seeded_db: str) -> None:
    """As ``naranara seed`` leaves it: Erik sees Anna's times and her self-care."""
    _set_scopes({ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE})


def _eriks_home(cookie: str) -> TodayState:
    home = state_for(TodayState, cookie=cookie, path="/")
    _run(home, "load")
    return home


def test_eriks_hem_shows_annas_next_time_and_todays_tasks() -> None:
    home = _eriks_home(session_cookie_for("erik"))
    assert (home.has_own_care, home.role_notice) == (False, "")
    [anna] = home.helped
    assert anna.name == "Anna Lindqvist"
    assert anna.shows_times and len(anna.next_time) == 1
    assert anna.shows_tasks and anna.tasks
    assert anna.times_href == f"/tider?invanare={anna.id}"
    # Every read is in Anna's access log.
    with session_scope() as db:
        details = db.exec(
            select(AuditEvent.detail).where(
                AuditEvent.actor_id == _user("erik").id, AuditEvent.subject_id == anna.id
            )
        ).all()
    assert {"home agreed_time", "home self_care"} <= set(details)


@pytest.mark.parametrize(
    ("scopes", "times", "tasks"),
    [
        ({ProxyScope.CARE_PLAN}, True, False),
        ({ProxyScope.SELF_CARE}, False, True),
        # Reminders alone put nothing of Anna's on Erik's Hem, not even her name.
        ({ProxyScope.REMINDERS}, False, False),
    ],
)
def test_each_part_of_hem_needs_its_own_scope(
    scopes: set[ProxyScope], times: bool, tasks: bool
) -> None:
    _set_scopes(scopes)
    home = _eriks_home(session_cookie_for("erik"))
    if not (times or tasks):
        assert home.helped == []
        return
    [anna] = home.helped
    assert (anna.shows_times, bool(anna.next_time)) == (times, times)
    assert (anna.shows_tasks, bool(anna.tasks)) == (tasks, tasks)


def test_a_relative_without_grants_is_told_what_will_come() -> None:
    _set_scopes(set())
    home = _eriks_home(session_cookie_for("erik"))
    assert home.helped == []
    assert home.role_notice.startswith("När någon ger dig behörighet")


def test_erik_ticks_off_annas_task_on_his_hem() -> None:
    cookie = session_cookie_for("erik")
    home = _eriks_home(cookie)
    task = home.helped[0].tasks[0]
    _run(home, "toggle_done", task.task_id, task.occurrence_at)
    assert home.message == ""
    assert home.helped[0].tasks[0].done is not task.done


# ---------------------------------------------------------------- the open tab, access ending


def _event(state: rx.State, handler: str) -> Event:
    return Event(name=f"{type(state).get_full_name()}.{handler}", payload={})


async def _before_event(state: rx.State, handler: str) -> object:
    """What the app's middleware does before ``handler`` of this tab runs."""
    root = state._get_root_state()
    return await AccessChangeMiddleware().preprocess(
        app=None, state=root, event=_event(state, handler)
    )


async def _open_tab(cookie: str, path: str, state_class: type[rx.State]) -> rx.State:
    """A tab as the browser opens it: first event through the middleware, then the loads."""
    page = state_for(state_class, cookie=cookie, path=path)
    opening = sibling(page, PageOpenState)
    assert await _before_event(opening, "load") is None
    await _run_in_loop(opening, "load")
    if "load" in type(page).event_handlers:  # the page's own on_load (the banner has none)
        assert await _before_event(page, "load") is None
        await _run_in_loop(page, "load")
    return page


async def test_when_anna_stops_sharing_self_care_eriks_open_hem_empties_at_his_next_click() -> None:
    cookie = session_cookie_for("erik")
    home = await _open_tab(cookie, "/", TodayState)
    titles = {task.title for task in home.helped[0].tasks}
    assert titles
    # Nothing changed: events go through untouched.
    assert await _before_event(home, "toggle_done") is None

    _set_scopes({ProxyScope.CARE_PLAN})
    update = await _before_event(home, "toggle_done")
    assert update is not None, "the click is not run: the page is reloaded instead"
    banner = await home._get_root_state().get_state(FocusBannerState)
    assert banner.notice == "Anna Lindqvist har slutat dela sin egenvård med dig."
    # The browser is sent the emptied page: no task of Anna's is left in the delta.
    sent = str(update.delta)
    assert not any(title in sent for title in titles)
    assert home.helped == [] and home.tasks == [] and not home.loaded
    assert banner.notice in sent
    assert [event.name for event in update.events] == [
        "reflex___state____state.reflex___state____on_load_internal_state.on_load_internal"
    ]
    # The next click after that goes through: the tab now knows its new access.
    assert await _before_event(home, "toggle_done") is None


async def test_a_tab_that_reconnects_says_on_hem_what_anna_stopped_sharing() -> None:
    """A reconnect gets a fresh state (the client-token binding): no notice is pending,
    so Hem itself says what she stopped sharing, and shows what she still shares."""
    _set_scopes({ProxyScope.CARE_PLAN})
    home = await _open_tab(session_cookie_for("erik"), "/", TodayState)
    banner = await home._get_root_state().get_state(FocusBannerState)
    assert banner.notice == "Anna Lindqvist har slutat dela sin egenvård med dig."
    [anna] = home.helped
    assert (anna.shows_times, anna.shows_tasks, anna.tasks) == (True, False, [])
    _set_scopes(set())
    home = await _open_tab(session_cookie_for("erik"), "/", TodayState)
    banner = await home._get_root_state().get_state(FocusBannerState)
    assert banner.notice == "Anna Lindqvist delar inte längre något med dig."
    assert home.helped == []
    # Another page of his own says nothing of hers.
    other = await _open_tab(session_cookie_for("erik"), "/jag-hjalper", FocusBannerState)
    assert other.notice == ""


async def test_stepping_back_oneself_is_not_told_on_hem() -> None:
    from naranara.states.acting_for import ActingForState

    cookie = session_cookie_for("erik")
    page = await _open_tab(cookie, "/jag-hjalper", ActingForState)
    await type(page).event_handlers["step_back"].fn(page, _user("anna").id)
    home = await _open_tab(session_cookie_for("erik"), "/", TodayState)
    banner = await home._get_root_state().get_state(FocusBannerState)
    assert (banner.notice, home.helped) == ("", [])


@pytest.mark.time_sensitive
async def test_a_grant_that_expires_empties_the_open_tab_at_the_next_click() -> None:
    """No one changes anything when a grant expires: the next event finds it expired."""
    ends = clock.now() + timedelta(hours=1)
    with session_scope() as db:
        access.grant(
            session=db,
            resident_id=_user("anna").id,
            relative_id=_user("erik").id,
            scope=ProxyScope.SELF_CARE,
            expires_at=ends,
        )
    home = await _open_tab(session_cookie_for("erik"), "/", TodayState)
    assert home.helped[0].tasks
    assert await _before_event(home, "toggle_done") is None
    with clock.travel(ends + timedelta(seconds=1)):
        update = await _before_event(home, "toggle_done")
        assert update is not None, "the click is not run: the page is reloaded instead"
        banner = await home._get_root_state().get_state(FocusBannerState)
        assert banner.notice == "Anna Lindqvist har slutat dela sin egenvård med dig."
        assert home.helped == []


async def test_a_new_grant_changes_nothing_on_an_open_page() -> None:
    _set_scopes({ProxyScope.CARE_PLAN})
    cookie = session_cookie_for("erik")
    home = await _open_tab(cookie, "/", TodayState)
    _set_scopes({ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE})
    assert await _before_event(home, "toggle_done") is None


async def test_stepping_back_oneself_is_not_announced_as_annas_doing() -> None:
    from naranara.states.acting_for import ActingForState

    cookie = session_cookie_for("erik")
    page = await _open_tab(cookie, "/jag-hjalper", ActingForState)
    await type(page).event_handlers["step_back"].fn(page, _user("anna").id)
    assert page.message == "Du hjälper inte längre Anna Lindqvist."
    assert await _before_event(page, "load") is None


async def test_after_a_reload_annas_page_says_she_stopped_sharing_and_names_no_helper() -> None:
    anna = _user("anna")
    _set_scopes({ProxyScope.CARE_PLAN})
    cookie = session_cookie_for("erik")
    path = f"/egenvard/mina-uppgifter?invanare={anna.id}"
    page = await _open_tab(cookie, path, SelfCarePlanState)
    banner = await page._get_root_state().get_state(FocusBannerState)
    assert (page.allowed, page.tasks) == (False, [])
    assert (banner.helping, banner.page_closed) == ("", True)
    assert banner.notice == "Anna Lindqvist har slutat dela sin egenvård med dig."
    # On a page of what she still shares, the banner says whom he helps, and nothing else.
    times = await _open_tab(cookie, f"/tider?invanare={anna.id}", FocusBannerState)
    assert (times.helping, times.page_closed, times.notice) == ("Anna Lindqvist", False, "")


async def test_someone_never_granted_learns_nothing_from_the_closed_page() -> None:
    anna = _user("anna")
    cookie = session_cookie_for("sara")  # staff without a care relationship with Anna
    banner = await _open_tab(
        cookie, f"/egenvard/mina-uppgifter?invanare={anna.id}", FocusBannerState
    )
    assert (banner.helping, banner.viewing, banner.notice, banner.page_closed) == (
        "",
        "",
        "",
        False,
    )


# ---------------------------------------------------------------- the viewer, once per event


def _rename(username: str, name: str) -> None:
    with session_scope() as db:
        user = db.exec(select(User).where(User.username == username)).one()
        user.display_name = name
        db.add(user)


async def test_the_handler_gets_the_viewer_the_middleware_read_and_reads_afresh_after() -> None:
    home = state_for(TodayState, cookie=session_cookie_for("erik"), path="/")
    assert await _before_event(home, "load") is None
    # Changed after the middleware's read, before the handler's: the handler's first
    # viewer is the one read for this event (no second read of the same rows) ...
    _rename("erik", "Erik Ny")
    assert (await current_viewer_off_loop(home)).display_name == "Erik Lindqvist"
    # ... and any later call in the same event reads afresh.
    assert (await current_viewer_off_loop(home)).display_name == "Erik Ny"


async def test_the_viewer_read_for_one_event_reaches_no_other_tab_or_event() -> None:
    eriks = state_for(TodayState, cookie=session_cookie_for("erik"), path="/")
    annas = state_for(TodayState, cookie=session_cookie_for("anna"), path="/")
    assert await _before_event(eriks, "load") is None
    # Another tab's cookie: its own viewer, never the one read for Erik's event.
    assert (await current_viewer_off_loop(annas)).display_name == "Anna Lindqvist"

    # Reflex runs each event in a task of its own: what one event's middleware read is
    # not seen by the next event's handler.
    await asyncio.create_task(_before_event(eriks, "load"))
    _rename("erik", "Erik Ny")
    assert (await current_viewer_off_loop(eriks)).display_name == "Erik Ny"


@pytest.mark.parametrize("reflex_event", [PAGE_LOADS_EVENT, PAGE_HYDRATED_EVENT])
async def test_reflex_around_a_pages_loads_reads_nothing_and_each_load_is_checked(
    reflex_event: str,
) -> None:
    home = await _open_tab(session_cookie_for("erik"), "/", TodayState)
    _set_scopes({ProxyScope.CARE_PLAN})
    root = home._get_root_state()
    # Reflex's events that start the page's on_load handlers and mark the page hydrated
    # pass unread ...
    around_loads = Event(name=reflex_event, payload={})
    assert (
        await AccessChangeMiddleware().preprocess(app=None, state=root, event=around_loads) is None
    )
    # ... and the first of those handlers finds the access gone and reloads the page.
    update = await _before_event(home, "load")
    assert update is not None
    assert home.helped == [] and not home.loaded


def test_an_events_viewer_and_access_version_are_one_statement() -> None:
    """What the middleware reads before every event: the session row, the user and the
    access version in one SELECT (the viewer's grants come from the access cache once
    read). The session's last-seen time is written at most once a minute, not here."""
    token = session_cookie_for("erik").split(";")[0].split("=", 1)[1]
    _access_version_and_viewer(token)  # the first event reads Erik's grants too
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(get_engine(), "before_cursor_execute", note)
    try:
        version, viewer = _access_version_and_viewer(token)
    finally:
        event.remove(get_engine(), "before_cursor_execute", note)
    assert viewer.display_name == "Erik Lindqvist" and viewer.grants
    assert version == viewer.access_version
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1, statements
