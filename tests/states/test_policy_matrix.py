"""Every event handler and every HTTP route, against every kind of viewer: the role matrix.

Handlers and routes are found by introspection, not from a hand-kept list: every
``rx.State`` subclass defined in the ``naranara`` package with its
``event_handlers`` (Reflex's own ``setvar`` left out), and every Starlette route
the app mounts through ``api_transformer``. A handler or route without a row in
``EXPECTED`` (or without a probe in ``PROBES``) fails with its name.

Each cell answers one question: *does this viewer get to read or change resident
A's data through this handler or route, called with A's real ids wherever it
takes any?*

- ``YES``: A's data shows up in the state, or A's rows in the database change.
- ``NO``: none of A's data in the state (every value is compared with A's names,
  task titles, contacts and visits), none of A's rows changed, and where the
  handler has a visible refusal (a message, a redirect) it is there.
- ``PUB``: public, the same for everyone: the handler delivers its public
  result to every viewer alike and nothing of A's.

Relatives see a resident's data only through grants (one viewer per scope, and
one without any), staff only through a recorded care relationship (one viewer
with, one without). A new ``ProxyScope`` fails ``test_every_scope_has_a_viewer``
until it has its own column.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import json
import pkgutil
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
import pytest
import reflex as rx
from reflex.state import BaseState
from sqlalchemy import Table, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

import naranara
from naranara import clock
from naranara.db import session_scope
from naranara.models import (
    AgreedTime,
    CareContact,
    CarePlanActivity,
    CarePlanGoal,
    GuidanceArticle,
    LoginTicket,
    ProxyScope,
    Role,
    SelfCareTask,
    User,
)
from naranara.policy import Action, Forbidden, is_allowed
from naranara.services import (
    access,
    accounts,
    audit,
    calendar,
    care_units,
    invitations,
    profile,
    self_care,
    sessions,
)
from naranara.settings import get_settings
from naranara.states.acting_for import FocusBannerState
from naranara.states.session import SessionState
from tests.conftest import DatabaseTemplates
from tests.states.conftest import sibling, state_for
from tests.utils.factories import make_contact, make_task

# ---------------------------------------------------------------------------- the viewers


@dataclasses.dataclass(frozen=True)
class ViewerSpec:
    key: str
    username: str | None  # None: not signed in
    scopes: frozenset[ProxyScope] = frozenset()  # what resident A has granted this viewer
    cares_for_a: bool = False  # a recorded care relationship with resident A


VIEWERS: tuple[ViewerSpec, ...] = (
    ViewerSpec("anonymous", None),
    ViewerSpec("resident A", "anna"),
    ViewerSpec("resident B", "bo"),
    ViewerSpec("relative of A, no scope", "erik"),
    ViewerSpec("relative of A, care_plan", "rut", scopes=frozenset({ProxyScope.CARE_PLAN})),
    ViewerSpec("relative of A, self_care", "sixten", scopes=frozenset({ProxyScope.SELF_CARE})),
    ViewerSpec("relative of A, measurements", "maja", scopes=frozenset({ProxyScope.MEASUREMENTS})),
    ViewerSpec("relative of A, profile", "petra", scopes=frozenset({ProxyScope.PROFILE})),
    ViewerSpec("relative of A, reminders", "reidar", scopes=frozenset({ProxyScope.REMINDERS})),
    ViewerSpec(
        "relative of A, missed_task_alerts",
        "lars",
        scopes=frozenset({ProxyScope.MISSED_TASK_ALERTS}),
    ),
    ViewerSpec("staff, care of A", "stina", cares_for_a=True),
    ViewerSpec("staff, no care relationship", "sara"),
    ViewerSpec("admin", "adam"),
)
RESIDENT_A = "resident A"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    PUBLIC = "public"


YES, NO, PUB = Outcome.ALLOWED, Outcome.REFUSED, Outcome.PUBLIC

# ---------------------------------------------------------------------------- the table
# One column per viewer, in the order of VIEWERS; ``only(...)`` names those who get YES.


def only(*allowed: str) -> tuple[Outcome, ...]:
    """YES for the viewers named, NO for every other viewer, in the order of VIEWERS."""
    known = {viewer.key for viewer in VIEWERS}
    assert set(allowed) <= known, f"no such viewer: {set(allowed) - known}"
    return tuple(YES if viewer.key in allowed else NO for viewer in VIEWERS)


_EVERYONE_ALIKE = (PUB,) * len(VIEWERS)
_A_ONLY = only("resident A")
# A relative A let see the profile reads it; staff caring for A once A shares it with care.
_PROFILE_READERS = only("resident A", "relative of A, profile", "staff, care of A")
_CARE_PLAN_READERS = only("resident A", "relative of A, care_plan", "staff, care of A")
_CARE_PLAN_WRITERS = only("resident A", "staff, care of A")
EXPECTED: dict[str, tuple[Outcome, ...]] = {
    # Event handlers ("State.handler")
    # Every page's first load, here on ?invanare=A: the viewer's own name and language,
    # and the banner's "Du hjälper Anna" where the page shows A's data (A's times: to the
    # helper A shares her times with and to staff caring for A).
    "PageOpenState.load": _CARE_PLAN_READERS,
    "PageOpenState.require_sign_in": _CARE_PLAN_READERS,
    "SessionState.set_language": _A_ONLY,  # writes the own account only
    "SessionState.note_failure": _EVERYONE_ALIKE,
    "SessionState.dismiss_failure": _EVERYONE_ALIKE,
    "LoginState.load": _EVERYONE_ALIKE,
    "LoginState.submit": _EVERYONE_ALIKE,  # the password decides, not the viewer
    # Hem: the viewer's own care, and for a helper what A shares of today: her next
    # time with care_plan, her tasks with self_care (other scopes: nothing of hers).
    "TodayState.load": only("resident A", "relative of A, care_plan", "relative of A, self_care"),
    # With A's task id and occurrence: whoever A let help with self-care may mark it.
    "TodayState.toggle_done": only("resident A", "relative of A, self_care"),
    # Contacts and agreed times (?invanare=A): A, a relative A let see the care plan and
    # staff caring for A read them; only A and that staff member write them.
    "AgreedTimesState.load": _CARE_PLAN_READERS,
    "AgreedTimesState.confirm_cancel": _CARE_PLAN_READERS,  # after load; opens no more
    "AgreedTimesState.cancel_time": _CARE_PLAN_WRITERS,
    "AgreedTimesState.create_feed": _A_ONLY,  # a private calendar link is A's own to make
    "AgreedTimesState.revoke_feed": _A_ONLY,
    "AgreedTimeFormState.load": _CARE_PLAN_WRITERS,  # the edit form, with A's time in it
    "AgreedTimeFormState.submit": _CARE_PLAN_WRITERS,
    "CareContactsState.load": _CARE_PLAN_READERS,
    "CareContactsState.confirm_remove": _CARE_PLAN_READERS,
    "CareContactsState.remove_contact": _CARE_PLAN_WRITERS,
    "CareContactFormState.load": _CARE_PLAN_WRITERS,
    "CareContactFormState.submit": _CARE_PLAN_WRITERS,
    # The coordinated plan (?invanare=A): A, a relative A let see the care plan and staff
    # caring for A read it; only A and that staff member open its forms and save entries.
    "CarePlanState.load": _CARE_PLAN_READERS,
    "CarePlanState.open_form": _CARE_PLAN_WRITERS,  # judged by what the form holds
    "CarePlanState.close_form": _EVERYONE_ALIKE,  # empties the form; reads nothing
    "CarePlanState.save_goal": _CARE_PLAN_WRITERS,
    "CarePlanState.save_activity": _CARE_PLAN_WRITERS,
    "GuidanceLibraryState.load": _EVERYONE_ALIKE,
    # Public; a resident opening it also notes it as read, their own row ("Råd till dig").
    "GuidanceArticleState.load": tuple(YES if v.key == RESIDENT_A else PUB for v in VIEWERS),
    # Staff's list of residents in their care names A only to staff caring for A.
    "MyResidentsState.load": only("staff, care of A"),
    # "Vad är viktigt för dig?" (?invanare=A; A shares the profile with care in the probes):
    # A reads and writes it, staff caring for A read it once shared; the history is A's own.
    "WhatMattersState.load": _PROFILE_READERS,
    "WhatMattersState.load_summary": _PROFILE_READERS,
    "WhatMattersState.load_history": _A_ONLY,
    "WhatMattersState.show_question": _EVERYONE_ALIKE,  # which question is on screen
    "WhatMattersState.save_text": _A_ONLY,
    "WhatMattersState.toggle_choice": _A_ONLY,
    "WhatMattersState.set_interpreter": _A_ONLY,
    "WhatMattersState.set_shared": _A_ONLY,
    "WhatMattersState.keep_mine": _A_ONLY,
    "WhatMattersState.use_saved": _A_ONLY,
    # HTTP routes ("METHOD /path")
    "GET /auth/fresh": _EVERYONE_ALIKE,  # a static page; reads nothing
    "GET /auth/session": _A_ONLY,  # A's ticket, bound to A's browser
    "POST /auth/logout": _A_ONLY,  # ends the caller's own session only
    "POST /auth/logout-all": _A_ONLY,
    # The provider's signed ID token decides, not the viewer (flows: test_oidc_routes.py).
    "GET /auth/oidc/{provider}/login": _EVERYONE_ALIKE,
    "GET /auth/oidc/{provider}/callback": _EVERYONE_ALIKE,
    # The whole record as FHIR: only A, for A's own record (?invanare=A is ignored).
    "GET /export/fhir.json": _A_ONLY,
    "GET /viktigt/sammanfattning.pdf": _PROFILE_READERS,  # cookie + policy (?invanare=A)
    "GET /kalender/tid/{time_id:int}.ics": _CARE_PLAN_READERS,  # cookie + policy
    # A's feed token is the key, not the cookie: whoever holds A's link sees A's times
    # (phone calendars send no cookie). A stops it with "Sluta dela" (test_calendar_routes).
    "GET /kalender/prenumeration/{token}.ics": (YES,) * len(VIEWERS),
}

# ---------------------------------------------------------------------------- discovery

# Reflex adds ``setvar`` to every state: ``setvar(name, value)`` calls ``set_<name>``.
# With ``state_auto_setters`` off there are no such setters for our vars, so it reaches
# only handlers in the table (``test_setvar_reaches_nothing_outside_the_table``).
_REFLEX_OWN_HANDLERS = frozenset({"setvar"})
_REFLEX_OWN_SETTERS = frozenset({"set_is_hydrated"})


def _import_all(package_name: str) -> None:
    package = importlib.import_module(package_name)
    for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
        importlib.import_module(module.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _app():  # noqa: ANN202 - the rx.App
    from naranara.naranara import app

    return app


def discover_handlers() -> dict[str, tuple[type[rx.State], str]]:
    """Every event handler of every Reflex state in the naranara package."""
    _app()  # registers every page and its states
    for package in ("naranara.states", "naranara.pages"):
        _import_all(package)
    found: dict[str, tuple[type[rx.State], str]] = {}
    for cls in _subclasses(BaseState):
        if not cls.__module__.startswith("naranara."):
            continue
        for name, handler in cls.event_handlers.items():
            module = getattr(handler.fn, "__module__", "") or ""
            if name in _REFLEX_OWN_HANDLERS and not module.startswith("naranara."):
                continue
            key = f"{cls.__name__}.{name}"
            assert key not in found, f"two states are called {cls.__name__}: name them apart"
            found[key] = (cls, name)
    return found


def _inner_routes(app: Any) -> list[BaseRoute]:
    """The routes of a mounted app, looking through ASGI middleware (``.app``)."""
    for _ in range(10):
        routes = getattr(app, "routes", None)
        if routes:
            return list(routes)
        app = getattr(app, "app", None)
        if app is None:
            break
    return []


def _walk(
    routes: Sequence[BaseRoute], prefix: str = "", depth: int = 0
) -> Iterator[tuple[str, Route]]:
    """(full path, route) of every naranara endpoint, through mounts."""
    for route in routes:
        if isinstance(route, Route):
            if getattr(route.endpoint, "__module__", "").startswith("naranara."):
                yield prefix + route.path, route
        elif isinstance(route, Mount) and depth < 5:
            yield from _walk(_inner_routes(route.app), prefix + route.path, depth + 1)


def _mounting_transformers() -> list[Starlette]:
    transformers = _app().api_transformer
    if not isinstance(transformers, Sequence):
        transformers = [transformers]
    return [t for t in transformers if isinstance(t, Starlette)]


def discover_routes() -> dict[str, Route]:
    """Every HTTP route naranara mounts on the app (Reflex's own endpoints left out)."""
    found: dict[str, Route] = {}
    for transformer in _mounting_transformers():
        for path, route in _walk(transformer.routes):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    found[f"{method} {path}"] = route
    return found


def mounted_top_routes() -> list[BaseRoute]:
    """The app's own top-level routes and mounts, as mounted (middleware included)."""
    return [
        route
        for transformer in _mounting_transformers()
        for route in transformer.routes
        if any(True for _ in _walk([route]))
    ]


def declared_route_lists() -> dict[str, list[BaseRoute]]:
    """Module-level lists of routes under naranara/http/, mounted or not."""
    _import_all("naranara.http")
    lists = {}
    for module in pkgutil.walk_packages(naranara.http.__path__, "naranara.http."):
        mod = importlib.import_module(module.name)
        for name, value in vars(mod).items():
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(item, BaseRoute) for item in value)
            ):
                lists[f"{module.name}.{name}"] = list(value)
    return lists


HANDLERS = discover_handlers()
ROUTES = discover_routes()

# ---------------------------------------------------------------------------- the world


@dataclasses.dataclass
class World:
    anna_id: int
    task_id: int
    occurrence_at: str
    markers: frozenset[str]  # A's data as it would appear in a state: names, titles, visits
    cookies: dict[str, str]  # viewer key -> Cookie header
    devices: dict[str, str]  # viewer key -> device cookie value
    before: dict[str, frozenset[tuple]] = dataclasses.field(default_factory=dict)

    def setup_done(self) -> None:
        """A probe that prepares rows of A's (a ticket, a second session) calls this after."""
        self.before = rows_of_a(self)


def _device(viewer: ViewerSpec) -> str:
    return "device-" + viewer.key.replace(" ", "-").replace(",", "")


def _give_access(db: Session, viewer: ViewerSpec, user: User, anna: User) -> None:
    for scope in viewer.scopes:
        access.grant(session=db, resident_id=anna.id, relative_id=user.id, scope=scope)
    if viewer.cares_for_a:
        # Through the staff member's unit; A lets that unit follow her self-monitoring.
        row = access.record_care_relationship(session=db, staff_id=user.id, resident_id=anna.id)
        for scope in care_units.SHAREABLE:
            care_units.set_shared(
                session=db, resident_id=anna.id, unit_id=row.unit_id, scope=scope, shared=True
            )


def _outside_a_unit(db: Session, sara: User, anna: User, bo: User) -> None:
    """Staff with no care relationship to A: Sara works at a unit that has B in its care,
    and at the unit whose care relationship with A has ended (issue 13)."""
    elsewhere = care_units.create_unit(session=db, data={"name": "Hemtjänst Bo"})
    earlier = care_units.create_unit(session=db, data={"name": "Tidigare enhet för A"})
    for unit in (elsewhere, earlier):
        care_units.add_member(session=db, unit_id=unit.id, staff_id=sara.id)
    access.record_care_relationship(
        session=db, staff_id=sara.id, resident_id=bo.id, unit_id=elsewhere.id
    )
    access.record_care_relationship(
        session=db, staff_id=sara.id, resident_id=anna.id, unit_id=earlier.id
    )
    access.end_care_relationship(session=db, resident_id=anna.id, unit_id=earlier.id)


# A provider that cannot be reached: the OIDC routes run their checks and refuse.
_UNREACHABLE_PROVIDER = {
    "name": "region",
    "label": "Region",
    "issuer": "http://127.0.0.1:9/unreachable",
    "client_id": "nara",
    "client_secret": "not-a-secret-of-any-provider",
    "audience": "resident",
}


# The world is the same for every test of a process at one instant: built once, its
# database kept (tests/conftest.py, database_templates.keep), and each test starts from
# that (building it costs a third of a second a test, for the ~800 tests of this module
# and test_handler_arguments.py).
_BUILT_WORLDS: dict[str, World] = {}


@pytest.fixture
def world(
    seeded_db: str,
    monkeypatch: pytest.MonkeyPatch,
    database_templates: DatabaseTemplates,
    instant: datetime,
) -> World:
    monkeypatch.setenv("NARA_OIDC_PROVIDERS", json.dumps([_UNREACHABLE_PROVIDER]))
    monkeypatch.setenv("NARA_SECRET_KEY", "a-test-only-secret-for-the-matrix-0123456789")
    get_settings.cache_clear()
    key = f"world-{seeded_db}@{instant.isoformat()}"
    if key in _BUILT_WORLDS and database_templates.restore(seeded_db, key):
        return copy.deepcopy(_BUILT_WORLDS[key])
    built = _build_world()
    database_templates.keep(seeded_db, key)
    _BUILT_WORLDS[key] = copy.deepcopy(built)
    return built


def _build_world() -> World:
    settings = get_settings()
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        # Resident B has data of their own, so "sees data" and "sees A's data" differ.
        bo = accounts.create_user(
            session=db, username="bo", display_name="Bo Berglund", role=Role.RESIDENT
        )
        make_task(db, bo, title="Ta vätskedrivande tablett")
        make_contact(db, bo, name="Karin Ek")
        # A contact A entered herself (hers to change; the demo's are the care unit's).
        make_contact(db, anna, name="Grannen Gun Ås")
        for username, display_name, role in (
            ("adam", "Adam Admin", Role.ADMIN),
            ("rut", "Rut Relativ", Role.RELATIVE),
            ("sixten", "Sixten Släkting", Role.RELATIVE),
            ("maja", "Maja Mätning", Role.RELATIVE),
            ("petra", "Petra Profil", Role.RELATIVE),
            ("reidar", "Reidar Påminnelse", Role.RELATIVE),
            ("lars", "Lars Larm", Role.RELATIVE),
            ("stina", "Stina Sjuksköterska", Role.STAFF),
        ):
            accounts.create_user(
                session=db, username=username, display_name=display_name, role=role
            )
        _outside_a_unit(db, db.exec(select(User).where(User.username == "sara")).one(), anna, bo)
        today = clock.today()
        first = self_care.occurrences_on(session=db, resident_id=anna.id, day=today)[0]
        markers = {anna.display_name}
        markers |= {
            t.title
            for t in db.exec(select(SelfCareTask).where(SelfCareTask.resident_id == anna.id))
        }
        for contact in db.exec(select(CareContact).where(CareContact.resident_id == anna.id)):
            markers |= {contact.name}
        markers |= {
            a.purpose for a in db.exec(select(AgreedTime).where(AgreedTime.resident_id == anna.id))
        }
        markers |= set(
            db.exec(select(CarePlanGoal.text).where(CarePlanGoal.resident_id == anna.id))
        )
        markers |= set(
            db.exec(
                select(CarePlanActivity.description).where(CarePlanActivity.resident_id == anna.id)
            )
        )
        # Public texts are no one's data, even where a task is named like an article.
        markers -= set(db.exec(select(GuidanceArticle.title)))
        cookies, devices = {}, {}
        for viewer in VIEWERS:
            devices[viewer.key] = _device(viewer)
            cookie = f"{settings.device_cookie_name}={devices[viewer.key]}"
            if viewer.username:
                user = db.exec(select(User).where(User.username == viewer.username)).one()
                _give_access(db, viewer, user, anna)
                token = sessions.start_session(session=db, user=user)
                cookie = f"{settings.session_cookie_name}={token}; {cookie}"
            cookies[viewer.key] = cookie
        world = World(
            anna_id=anna.id,
            task_id=first.task_id,
            occurrence_at=first.at.isoformat(),
            markers=frozenset(m for m in markers if m),
            cookies=cookies,
            devices=devices,
        )
    assert len(world.markers) >= 5
    return world


# Tables that are no one's data to read: the audit log is appended to by design.
_NOT_RESIDENT_DATA = frozenset({"audit_event"})
_VOLATILE_COLUMNS = frozenset({"last_seen_at"})


def rows_of_a(world: World) -> dict[str, frozenset[tuple]]:
    """Every row that is resident A's: A's account and, transitively, what points at it."""
    owned: dict[str, set] = {"user_account": {world.anna_id}}
    tables: dict[str, Table] = {t.name: t for t in SQLModel.metadata.sorted_tables}
    snapshot: dict[str, frozenset[tuple]] = {}
    with session_scope() as db:
        # sorted_tables puts every table after those it points at, so one pass follows
        # A's account -> A's tasks -> checks of A's tasks.
        for name, table in tables.items():
            if name in _NOT_RESIDENT_DATA:
                continue
            conditions = [
                column.in_(owned[fk.column.table.name])
                for column in table.columns
                for fk in column.foreign_keys
                if owned.get(fk.column.table.name)
            ]
            if name == "user_account":
                conditions.append(table.c.id == world.anna_id)
            if not conditions:
                continue
            rows = db.connection().execute(sa_select(table).where(or_(*conditions))).all()
            keep = [c.name for c in table.columns if c.name not in _VOLATILE_COLUMNS]
            snapshot[name] = frozenset(tuple(str(row._mapping[c]) for c in keep) for row in rows)
            primary = list(table.primary_key.columns)
            if len(primary) == 1:
                owned.setdefault(name, set()).update(row._mapping[primary[0].name] for row in rows)
    return snapshot


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def _root(state: rx.State) -> rx.State:
    while state.parent_state is not None:
        state = state.parent_state
    return state


# ---------------------------------------------------------------------------- probes


@dataclasses.dataclass
class Seen:
    """What one call showed: the states to search for A's data, and what it delivered."""

    states: list[rx.State] = dataclasses.field(default_factory=list)
    texts: list[str] = dataclasses.field(default_factory=list)  # response parts of a route
    public: Any = None  # a public handler's result; must be the same for every viewer
    refused: bool | None = None  # the handler's visible refusal, where it has one


async def call(state: rx.State, name: str, *args: Any) -> Any:
    """Run an event handler as Reflex would, sync or async; ``Forbidden`` is a refusal."""
    result = type(state).event_handlers[name].fn(state, *args)
    if inspect.isawaitable(result):
        result = await result
    elif inspect.isasyncgen(result):
        result = [item async for item in result]
    elif inspect.isgenerator(result):
        result = list(result)
    return result


Probe = Callable[[World, ViewerSpec, str], Awaitable[Seen]]
PROBES: dict[str, Probe] = {}


def probe(*keys: str) -> Callable[[Probe], Probe]:
    def register(fn: Probe) -> Probe:
        for key in keys:
            PROBES[key] = fn
        return fn

    return register


def _state(cls_key: str, world: World, viewer: ViewerSpec, path: str = "/") -> rx.State:
    cls, _ = HANDLERS[cls_key]
    return state_for(cls, cookie=world.cookies[viewer.key], path=path)


@probe("PageOpenState.load", "PageOpenState.require_sign_in")
async def _page_open(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=f"/tider?invanare={world.anna_id}")
    result = await call(state, key.split(".")[1])
    redirected = "/logga-in?next=/tider" in str(result)
    shown = [sibling(state, SessionState), sibling(state, FocusBannerState)]
    if key.endswith("require_sign_in") and viewer.username is None:
        return Seen(shown, refused=redirected)
    assert not redirected, "only a signed-out visitor is sent to sign in"
    return Seen(shown)


@probe("SessionState.set_language")
async def _set_language(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state("SessionState.set_language", world, viewer)
    await call(state, "set_language", "en")
    return Seen([state])


@probe("SessionState.note_failure", "SessionState.dismiss_failure")
async def _failure_banner(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state("SessionState.note_failure", world, viewer)
    await call(state, "note_failure")
    raised = state.failed
    await call(state, "dismiss_failure")
    return Seen([state], public=(raised, state.failed))


@probe("LoginState.load")
async def _login_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state("LoginState.load", world, viewer, path="/logga-in")
    await call(state, "load")
    return Seen([state], public=(state.error, state.busy))


@probe("LoginState.submit")
async def _login_submit(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state("LoginState.submit", world, viewer, path="/logga-in")
    result = await call(state, "submit", {"username": "anna", "password": "not-annas-password"})
    with session_scope() as db:
        tickets = len(db.exec(select(LoginTicket)).all())
    refused = bool(state.error or getattr(state, "wait_notice", "")) and not state.busy
    return Seen([state], texts=[str(result)], public=refused and tickets == 0)


@probe("TodayState.load")
async def _today_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state("TodayState.load", world, viewer)
    await call(state, "load")
    return Seen([state], refused=not state.loaded or not state.has_own_care or None)


@probe("TodayState.toggle_done")
async def _today_toggle(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Without loading Hem first: what Hem shows is TodayState.load's row, this is the click.
    state = _state("TodayState.toggle_done", world, viewer)
    await call(state, "toggle_done", world.task_id, world.occurrence_at)
    return Seen([state], refused=bool(state.message) if viewer.key != RESIDENT_A else None)


@probe("AgreedTimesState.load", "CareContactsState.load")
async def _care_plan_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=f"/tider?invanare={world.anna_id}")
    await call(state, "load")
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


# Contacts and agreed times: every probe names A in the address (?invanare=A) and acts on
# A's own rows; write probes judge by A's rows only, as the readers among them see A's data.


def _a_time_id(world: World) -> int:
    with session_scope() as db:
        return db.exec(
            select(AgreedTime.id)
            .where(AgreedTime.resident_id == world.anna_id, AgreedTime.status != "cancelled")
            .where(AgreedTime.starts_at > clock.local_now())
            .order_by(AgreedTime.starts_at)
        ).first()


def _a_contact_id(world: World) -> int:
    with session_scope() as db:
        return db.exec(
            select(CareContact.id).where(CareContact.resident_id == world.anna_id)
        ).first()


def _for_a(world: World, path: str, **query: object) -> str:
    return f"{path}?" + "&".join(
        f"{k}={v}" for k, v in {**query, "invanare": world.anna_id}.items()
    )


@probe("AgreedTimesState.confirm_cancel", "CareContactsState.confirm_remove")
async def _confirm(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_for_a(world, "/tider"))
    await call(state, "load")
    row_id = _a_time_id(world) if key.startswith("Agreed") else _a_contact_id(world)
    await call(state, key.split(".")[1], row_id)
    return Seen([state], refused=state.confirming != row_id or None)


# Times and contacts are agreed from both sides (issue 13): what the care side recorded is
# the care team's to change, what A entered herself is A's. The write probes try both of
# A's rows; the side that may not change a row must leave it as it was.
_STAFF_CARING = "staff, care of A"


def _a_sides(world: World, table: type) -> dict[bool, int]:
    """{care_side: id} of A's first upcoming time (or contact) of each side; one is made
    again where an earlier viewer's probe cancelled or removed the last."""
    from naranara.services import patient_contract

    with session_scope() as db:
        query = select(table).where(table.resident_id == world.anna_id)
        if table is AgreedTime:
            query = query.where(
                AgreedTime.status != "cancelled", AgreedTime.starts_at > clock.local_now()
            ).order_by(AgreedTime.starts_at)
        found: dict[bool, int] = {}
        for row in db.exec(query.order_by(table.id)):
            found.setdefault(row.care_side, row.id)
        for side in {True, False} - set(found):
            if table is AgreedTime:
                made = patient_contract.add_agreed_time(
                    session=db,
                    resident_id=world.anna_id,
                    actor_id=world.anna_id,
                    data={**_TIME_FORM, "purpose": "Ny tid för proben"},
                    now=clock.now(),
                    care_side=side,
                )
            else:
                made = patient_contract.add_care_contact(
                    session=db,
                    resident_id=world.anna_id,
                    actor_id=world.anna_id,
                    data={**_CONTACT_FORM, "name": "Ny kontakt för proben"},
                    care_side=side,
                )
            found[side] = made.id
    world.markers = world.markers | {"Ny tid för proben", "Ny kontakt för proben"}
    world.setup_done()
    return found


def _row(table: type, row_id: int) -> str:
    with session_scope() as db:
        row = db.get(table, row_id)
        return repr(row.model_dump()) if row else "gone"


async def _on_both_sides(
    world: World, viewer: ViewerSpec, table: type, act: Callable[[int], Awaitable[bool]]
) -> bool:
    """Run ``act`` on A's own row and on the care side's; the side that is not the
    viewer's is unchanged. Returns whether every call was visibly refused."""
    sides = _a_sides(world, table)
    before = {side: _row(table, row_id) for side, row_id in sides.items()}
    refused = [await act(row_id) for row_id in sides.values()]
    not_theirs = {RESIDENT_A: True, _STAFF_CARING: False}.get(viewer.key)
    if not_theirs is not None:
        assert _row(table, sides[not_theirs]) == before[not_theirs], (
            f"{viewer.key} changed a {table.__name__} the other side recorded"
        )
        assert refused[list(sides).index(not_theirs)], f"{viewer.key}: no visible refusal"
    return all(refused)


@probe("AgreedTimesState.cancel_time")
async def _cancel_time(world: World, viewer: ViewerSpec, key: str) -> Seen:
    async def cancel(time_id: int) -> bool:
        state = _state(key, world, viewer, path=_for_a(world, "/tider"))
        await call(state, "load")
        await call(state, "cancel_time", time_id)
        return bool(state.message)

    refused = await _on_both_sides(world, viewer, AgreedTime, cancel)
    return Seen(refused=refused if viewer.key not in (RESIDENT_A, _STAFF_CARING) else None)


@probe("CareContactsState.remove_contact")
async def _remove_contact(world: World, viewer: ViewerSpec, key: str) -> Seen:
    async def remove(contact_id: int) -> bool:
        state = _state(key, world, viewer, path=_for_a(world, "/kontakter"))
        await call(state, "load")
        await call(state, "remove_contact", contact_id)
        return bool(state.message)

    refused = await _on_both_sides(world, viewer, CareContact, remove)
    return Seen(refused=refused if viewer.key not in (RESIDENT_A, _STAFF_CARING) else None)


@probe("AgreedTimesState.create_feed", "AgreedTimesState.revoke_feed")
async def _calendar_feed(world: World, viewer: ViewerSpec, key: str) -> Seen:
    if key.endswith("revoke_feed"):
        with session_scope() as db:
            calendar.create_feed(session=db, resident_id=world.anna_id)
        world.setup_done()
    state = _state(key, world, viewer, path=_for_a(world, "/tider"))
    await call(state, key.split(".")[1])
    # Signed out, there is no page to show a refusal on: nothing happens.
    speaks = viewer.key != RESIDENT_A and viewer.username is not None
    return Seen([state], refused=bool(state.message) if speaks else None)


@probe("AgreedTimeFormState.load", "CareContactFormState.load")
async def _edit_form_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    states = []

    async def load(row_id: int) -> bool:
        if key.startswith("Agreed"):
            path = _for_a(world, "/tider/andra", tid=row_id)
        else:
            path = _for_a(world, "/kontakter/andra", kontakt=row_id)
        state = _state(key, world, viewer, path=path)
        await call(state, "load")
        states.append(state)
        return not (state.loaded and state.allowed)

    table = AgreedTime if key.startswith("Agreed") else CareContact
    refused = await _on_both_sides(world, viewer, table, load)
    # Refused forms hold nothing: the states are searched for A's data all the same.
    return Seen(states, refused=refused or None)


_TIME_FORM = {
    "date": "2031-05-06",
    "start": "10:00",
    "end": "10:30",
    "purpose": "Flyttad tid",
    "place": "Hälsocentralen",
}
_CONTACT_FORM = {
    "name": "Ny kontakt",
    "role_title": "Rehab",
    "organisation": "Sundsvalls kommun",
    "organisation_kind": "municipality",
    "phone": "060-19 10 00",
    "reach_phone": "on",
}


@probe("AgreedTimeFormState.submit", "CareContactFormState.submit")
async def _form_submit(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Changing A's existing rows: the edit page, then a valid form, on each side's row.
    states = []

    async def submit(row_id: int) -> bool:
        if key.startswith("Agreed"):
            path, form = _for_a(world, "/tider/andra", tid=row_id), _TIME_FORM
        else:
            path, form = _for_a(world, "/kontakter/andra", kontakt=row_id), _CONTACT_FORM
        state = _state(key, world, viewer, path=path)
        await call(state, "load")
        await call(state, "submit", form)
        states.append(state)
        return bool(state.form_error)

    table = AgreedTime if key.startswith("Agreed") else CareContact
    refused = await _on_both_sides(world, viewer, table, submit)
    writers = (RESIDENT_A, _STAFF_CARING)
    return Seen(states, refused=refused if viewer.key not in writers else None)


@probe("GuidanceLibraryState.load")
async def _guidance_library(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state("GuidanceLibraryState.load", world, viewer, path="/egenvard")
    await call(state, "load")
    return Seen([state], public=tuple(article.slug for article in state.articles) or None)


@probe("MyResidentsState.load")
async def _my_residents(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/mina-invanare")
    await call(state, "load")
    return Seen([state])


@probe("GuidanceArticleState.load")
async def _guidance_article(world: World, viewer: ViewerSpec, key: str) -> Seen:
    path = "/egenvard/vag-dig-vid-hjartsvikt"
    state = _state("GuidanceArticleState.load", world, viewer, path=path)
    await call(state, "load")
    return Seen([state], public=state.article.title if state.found else None)


# Routes run on a Starlette app with exactly the routes the app mounts.


async def _request(world: World, viewer: ViewerSpec, method: str, url: str) -> httpx.Response:
    app = Starlette(routes=mounted_top_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.request(method, url, headers={"cookie": world.cookies[viewer.key]})


def _seen_response(response: httpx.Response) -> list[str]:
    return [response.text, response.headers.get("location", "")]


@probe("GET /auth/session")
async def _complete_sign_in(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # A's one-time ticket, issued to A's browser, presented by this viewer's browser.
    with session_scope() as db:
        anna = db.get(User, world.anna_id)
        ticket = sessions.issue_login_ticket(
            session=db, user=anna, device_token=world.devices[RESIDENT_A]
        ).token
    world.setup_done()
    response = await _request(world, viewer, "GET", f"/auth/session?ticket={ticket}")
    cookie_set = get_settings().session_cookie_name + "=" in response.headers.get("set-cookie", "")
    refused = response.headers.get("location") == "/logga-in?fel=utgangen" and not cookie_set
    return Seen(
        texts=_seen_response(response), refused=refused if viewer.key != RESIDENT_A else None
    )


@probe("POST /auth/logout", "POST /auth/logout-all")
async def _sign_out(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # A is also signed in elsewhere; the viewer also names A's id, which must be ignored.
    with session_scope() as db:
        sessions.start_session(session=db, user=db.get(User, world.anna_id))
    world.setup_done()
    path = key.split(" ", 1)[1]
    response = await _request(world, viewer, "POST", f"{path}?user_id={world.anna_id}")
    return Seen(texts=_seen_response(response))


@probe("GET /auth/fresh")
async def _fresh_client(world: World, viewer: ViewerSpec, key: str) -> Seen:
    response = await _request(world, viewer, "GET", "/auth/fresh?next=/tider")
    return Seen(texts=_seen_response(response), public=(response.status_code, response.text))


@probe("GET /auth/oidc/{provider}/login", "GET /auth/oidc/{provider}/callback")
async def _oidc(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # A callback with a state this browser never got, as a replay or forgery would carry.
    path = key.split(" ", 1)[1].replace("{provider}", "region")
    query = "?code=stolen-code&state=forged-state" if path.endswith("callback") else "?next=/tider"
    response = await _request(world, viewer, "GET", path + query)
    unknown = await _request(world, viewer, "GET", path.replace("region", "nobody"))
    cookie_set = get_settings().session_cookie_name + "=" in response.headers.get("set-cookie", "")
    return Seen(
        texts=_seen_response(response),
        public=None
        if cookie_set
        else (response.status_code, response.headers.get("location"), unknown.status_code),
    )


@probe("GET /kalender/tid/{time_id:int}.ics")
async def _time_ics(world: World, viewer: ViewerSpec, key: str) -> Seen:
    response = await _request(world, viewer, "GET", f"/kalender/tid/{_a_time_id(world)}.ics")
    return Seen(texts=_seen_response(response), refused=response.status_code == 404 or None)


@probe("GET /kalender/prenumeration/{token}.ics")
async def _feed(world: World, viewer: ViewerSpec, key: str) -> Seen:
    with session_scope() as db:
        token = calendar.create_feed(session=db, resident_id=world.anna_id)
    world.setup_done()
    response = await _request(world, viewer, "GET", f"/kalender/prenumeration/{token}.ics")
    return Seen(texts=_seen_response(response))


# "Vad är viktigt för dig?": A's profile has A's words and is shared with A's care.
_A_PROFILE_TEXT = "Att höra fåglarna på morgonen"
_A_OTHER_DEVICE_TEXT = "Skrivet på Annas andra telefon"


def _share_a_profile(world: World) -> None:
    with session_scope() as db:
        found = profile.get(session=db, resident_id=world.anna_id)
        profile.save(
            session=db,
            resident_id=world.anna_id,
            changes={"important_to_me": _A_PROFILE_TEXT},
            expected_version=found.version,
            changed_by_id=world.anna_id,
        )
        profile.set_shared(
            session=db, resident_id=world.anna_id, shared=True, changed_by_id=world.anna_id
        )
    world.markers = world.markers | {_A_PROFILE_TEXT, _A_OTHER_DEVICE_TEXT}
    world.setup_done()


@probe("WhatMattersState.load", "WhatMattersState.load_summary", "WhatMattersState.load_history")
async def _what_matters_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _share_a_profile(world)
    state = _state(key, world, viewer, path=f"/viktigt?invanare={world.anna_id}")
    await call(state, key.split(".")[1])
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


@probe("WhatMattersState.show_question")
async def _what_matters_question(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/viktigt/fyll-i")
    await call(state, "show_question", 3)
    return Seen([state], public=state.question)


_PROFILE_EDITS = {
    "save_text": ("important_to_me", "Ny text från proben"),
    "toggle_choice": ("aids", "hearing"),
    "set_interpreter": (True,),
    "set_shared": (False,),
}


@probe(*(f"WhatMattersState.{name}" for name in _PROFILE_EDITS))
async def _what_matters_edit(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Edits always go to the editor's own profile: opened as the page does, then changed.
    _share_a_profile(world)
    name = key.split(".")[1]
    state = _state(key, world, viewer, path="/viktigt/fyll-i")
    await call(state, "load")
    await call(state, name, *_PROFILE_EDITS[name])
    own_profile = viewer.key in (RESIDENT_A, "resident B")
    return Seen([state], refused=None if own_profile else state.save_state == "error")


@probe("WhatMattersState.keep_mine", "WhatMattersState.use_saved")
async def _what_matters_conflict(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _share_a_profile(world)
    state = _state(key, world, viewer, path="/viktigt/fyll-i")
    await call(state, "load")
    with session_scope() as db:  # A's other phone saves while this tab still has the old text
        found = profile.get(session=db, resident_id=world.anna_id)
        profile.save(
            session=db,
            resident_id=world.anna_id,
            changes={"important_to_me": _A_OTHER_DEVICE_TEXT},
            expected_version=found.version,
            changed_by_id=world.anna_id,
        )
    world.setup_done()
    await call(state, "save_text", "important_to_me", "Min version")
    await call(state, key.split(".")[1], "important_to_me")
    own_profile = viewer.key in (RESIDENT_A, "resident B")
    return Seen([state], refused=None if own_profile else state.save_state == "error")


def _pdf_text(response: httpx.Response) -> str:
    """The text drawn in a PDF, read back by pypdf (the font is embedded: no plain text)."""
    import io

    from pypdf import PdfReader

    if not response.content.startswith(b"%PDF"):
        return ""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@probe("GET /viktigt/sammanfattning.pdf")
async def _what_matters_pdf(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _share_a_profile(world)
    response = await _request(
        world, viewer, "GET", f"/viktigt/sammanfattning.pdf?invanare={world.anna_id}"
    )
    refused = response.status_code in (303, 403)
    return Seen(texts=[*_seen_response(response), _pdf_text(response)], refused=refused or None)


# The coordinated plan: every probe names A in the address and acts on A's own rows.


def _a_plan_ids(world: World) -> tuple[int, int]:
    """A's first goal and first activity (the demo plan has both)."""
    with session_scope() as db:
        goal_id = db.exec(
            select(CarePlanGoal.id)
            .where(CarePlanGoal.resident_id == world.anna_id)
            .order_by(CarePlanGoal.id)
        ).first()
        activity_id = db.exec(
            select(CarePlanActivity.id)
            .where(CarePlanActivity.resident_id == world.anna_id)
            .order_by(CarePlanActivity.id)
        ).first()
    return goal_id, activity_id


@probe("CarePlanState.load")
async def _care_plan_page(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=f"/plan?invanare={world.anna_id}")
    await call(state, "load")
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


@probe("CarePlanState.open_form")
async def _care_plan_open_form(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Readers saw A's plan through load already: judged by what the edit form holds.
    state = _state(key, world, viewer, path=f"/plan?invanare={world.anna_id}")
    await call(state, "load")
    await call(state, "open_form", "goal", _a_plan_ids(world)[0], 0)
    return Seen(
        texts=[json.dumps(state.values, ensure_ascii=False)],
        refused=state.form == "" if viewer.key != RESIDENT_A else None,
    )


@probe("CarePlanState.close_form")
async def _care_plan_close_form(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=f"/plan?invanare={world.anna_id}")
    await call(state, "close_form")
    return Seen([state], public=(state.form, state.editing_id, dict(state.values)))


@probe("CarePlanState.save_goal", "CarePlanState.save_activity")
async def _care_plan_save(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Changing A's existing goal or activity as the page does: load, open the form, save.
    goal_id, activity_id = _a_plan_ids(world)
    state = _state(key, world, viewer, path=f"/plan?invanare={world.anna_id}")
    await call(state, "load")
    if key.endswith("save_goal"):
        await call(state, "open_form", "goal", goal_id, 0)
        await call(state, "save_goal", {"text": "Ändrat av proben", "status": "achieved"})
    else:
        await call(state, "open_form", "activity", activity_id, 0)
        form = {
            "description": "Ändrad av proben",
            "responsible": "region",
            "responsible_name": "Rehab",
            "follow_up_on": "",
            "status": "done",
        }
        await call(state, "save_activity", form)
    return Seen(refused=bool(state.form_error) if viewer.key != RESIDENT_A else None)


@probe("GET /export/fhir.json")
async def _fhir_export(world: World, viewer: ViewerSpec, key: str) -> Seen:
    response = await _request(world, viewer, "GET", f"/export/fhir.json?invanare={world.anna_id}")
    return Seen(texts=_seen_response(response), refused=response.status_code in (303, 403) or None)


# --- notifications and push (issue 6)
# Profil → Aviseringar and /push/*: only ever the signed-in person's own devices and
# settings. A has a device of her own (its label is A's data); others' calls name it.
_A_DEVICE_LABEL = "Annas telefon i köket"
_A_DEVICE_ENDPOINT = "https://127.0.0.1:9/push/anna-phone"  # refuses at once: no waiting


def _push_keys() -> dict[str, str]:
    import base64
    import os

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": b64url(os.urandom(16))}


def _a_device(world: World) -> int:
    """A's device (made again if a probe took it away); the id of its row."""
    from naranara.models import PushSubscription

    with session_scope() as db:
        row = db.exec(
            select(PushSubscription).where(PushSubscription.endpoint == _A_DEVICE_ENDPOINT)
        ).first()
        if row is None:
            row = PushSubscription(
                user_id=world.anna_id,
                endpoint=_A_DEVICE_ENDPOINT,
                device_label=_A_DEVICE_LABEL,
                **_push_keys(),
            )
            db.add(row)
            db.flush()
        device_id = row.id
    world.markers = world.markers | {_A_DEVICE_LABEL}
    world.setup_done()
    return device_id


async def _post_json(world: World, viewer: ViewerSpec, path: str, body: dict) -> httpx.Response:
    """As the page and the service worker send it: JSON, from this site."""
    app = Starlette(routes=mounted_top_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.post(
            path,
            json=body,
            headers={"cookie": world.cookies[viewer.key], "origin": "http://localhost"},
        )


EXPECTED.update(
    {
        # The page lists the viewer's own devices: A's only to A.
        "NotificationsState.load": _A_ONLY,
        "NotificationsState.reminders_turned_on": _A_ONLY,
        "NotificationsState.show_device_status": _EVERYONE_ALIKE,  # a word from push.js
        "NotificationsState.remove_device": _A_ONLY,  # with A's device id
        "NotificationsState.send_test": _A_ONLY,  # pushes to the caller's own devices
        "NotificationsState.save_settings": _A_ONLY,  # the caller's own settings
        "GET /push/nyckel": _EVERYONE_ALIKE,  # the server's public VAPID key
        # With A's endpoint: only A refreshes or removes it; nobody takes it over.
        "POST /push/prenumeration": _A_ONLY,
        "POST /push/prenumeration/ta-bort": _A_ONLY,
        # A's signed token is the key, not the cookie: a locked phone sends none. The
        # token names one reminder of A's and expires; policy is asked for A, its recipient.
        "POST /push/atgard": (YES,) * len(VIEWERS),
    }
)


@probe("NotificationsState.load", "NotificationsState.reminders_turned_on")
async def _notifications_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _a_device(world)
    state = _state(key, world, viewer, path="/profil/aviseringar")
    if key.endswith("load"):
        await call(state, "load")
    else:
        await call(state, "reminders_turned_on", "on")
    return Seen([state], refused=not state.allowed if viewer.username is None else None)


@probe("NotificationsState.show_device_status")
async def _notifications_status(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/profil/aviseringar")
    await call(state, "show_device_status", "on")
    return Seen([state], public=state.device_status)


@probe("NotificationsState.remove_device")
async def _notifications_remove(world: World, viewer: ViewerSpec, key: str) -> Seen:
    device_id = _a_device(world)
    state = _state(key, world, viewer, path="/profil/aviseringar")
    await call(state, "load")
    await call(state, "remove_device", device_id)
    speaks = viewer.key != RESIDENT_A and viewer.username is not None
    return Seen([state], refused=bool(state.message) if speaks else None)


@probe("NotificationsState.send_test", "NotificationsState.save_settings")
async def _notifications_own(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _a_device(world)
    state = _state(key, world, viewer, path="/profil/aviseringar")
    await call(state, "load")
    if key.endswith("send_test"):
        await call(state, "send_test")
    else:
        form = {"quiet_from": "22:00", "quiet_until": "06:30", "lock_screen": "detailed"}
        await call(state, "save_settings", form)
    return Seen([state])


@probe("GET /push/nyckel")
async def _push_public_key(world: World, viewer: ViewerSpec, key: str) -> Seen:
    response = await _request(world, viewer, "GET", "/push/nyckel")
    return Seen(texts=_seen_response(response), public=(response.status_code, response.text))


@probe("POST /push/prenumeration", "POST /push/prenumeration/ta-bort")
async def _push_subscription(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _a_device(world)
    path = key.split(" ", 1)[1]
    body = {"endpoint": _A_DEVICE_ENDPOINT, "keys": _push_keys()}
    response = await _post_json(world, viewer, path, body)
    refused = response.status_code in (401, 409) or response.json().get("removed") is False
    return Seen(texts=_seen_response(response), refused=refused or None)


@probe("POST /push/atgard")
async def _push_action(world: World, viewer: ViewerSpec, key: str) -> Seen:
    from naranara.models import ReminderKind, ReminderOccurrence, ReminderStatus
    from naranara.reminders import actions

    now = clock.now()
    with session_scope() as db:
        occurrence = ReminderOccurrence(
            key=f"probe:{viewer.key}:{now.isoformat()}",
            recipient_id=world.anna_id,
            resident_id=world.anna_id,
            kind=ReminderKind.SELF_CARE,
            task_id=world.task_id,
            occurrence_at=datetime.fromisoformat(world.occurrence_at),
            due_at=now,
            send_after=now,
            expires_at=now,
            status=ReminderStatus.SENT,
        )
        db.add(occurrence)
        db.flush()
        token = actions.action_token(occurrence)
    world.setup_done()
    response = await _post_json(world, viewer, "/push/atgard", {"token": token, "action": "snooze"})
    forged = await _post_json(
        world, viewer, "/push/atgard", {"token": token[:-2] + "xx", "action": "snooze"}
    )
    assert forged.status_code == 403, "a changed token is refused"
    return Seen(texts=_seen_response(response))


# --- relatives: invitations, grants, acting for, access log (issue 7)
# A's relatives in the world are the scoped viewers; rut (care_plan) is the one A
# changes or removes in the probes. An invitation's code is its key, like a feed token:
# whoever may help someone and holds A's code sees who invites and can accept, once.
_HELPERS_OF_A = (
    "relative of A, care_plan",
    "relative of A, self_care",
    "relative of A, measurements",
    "relative of A, profile",
    "relative of A, reminders",
    "relative of A, missed_task_alerts",
)
_MAY_ACCEPT_A_CODE = only("resident B", "relative of A, no scope", *_HELPERS_OF_A)
EXPECTED.update(
    {
        "RelativesState.load": _A_ONLY,  # A's relatives and waiting invitations
        "RelativesState.create_invitation": _A_ONLY,  # an invitation of A's own
        "RelativesState.withdraw_invitation": _A_ONLY,
        "RelativesState.toggle_scope": _A_ONLY,
        "RelativesState.remove_relative": _A_ONLY,
        # A's name, to those who may accept. A visitor who is not signed in sees nothing
        # of hers, but the page holds A's invitation for that browser while they sign in
        # or make an account (a proxy_invitation_hold row, so a row of A's changes).
        "InvitationState.load": only(
            "anonymous", "resident B", "relative of A, no scope", *_HELPERS_OF_A
        ),
        "InvitationState.accept": _MAY_ACCEPT_A_CODE,
        "InvitationState.use_code": _EVERYONE_ALIKE,  # only moves the code to the address
        # Only a visitor without an account makes one (and the invitation stays held for
        # that browser); the signed-in are not given a second account.
        "InvitationState.create_account": only("anonymous"),
        # Whom a relative helps: A's name to those A has granted anything, and only them.
        "ActingForState.load": only(*_HELPERS_OF_A),
        "ActingForState.step_back": only(*_HELPERS_OF_A),  # ends their own grants from A
        # "Vem har sett mina uppgifter": A's own log, to A alone.
        "AccessLogState.load": _A_ONLY,
        "AccessLogState.apply_filter": _A_ONLY,
        "AccessLogState.go_to_page": _A_ONLY,
    }
)
_RUT_NAME = "Rut Relativ"


def _rut_id() -> int:
    with session_scope() as db:
        return db.exec(select(User.id).where(User.username == "rut")).one()


def _mark_relatives_of_a(world: World) -> None:
    """The names of A's relatives are A's data too (whom A lets help)."""
    with session_scope() as db:
        relatives = access.relatives_of(session=db, resident_id=world.anna_id)
    names = {user.display_name for user, _ in relatives}
    world.markers = world.markers | names


@probe("RelativesState.load")
async def _relatives_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _mark_relatives_of_a(world)
    state = _state(key, world, viewer, path="/profil/narstaende")
    await call(state, "load")
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


@probe("RelativesState.create_invitation")
async def _relatives_invite(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/profil/narstaende")
    await call(state, "load")
    result = await call(state, "create_invitation", {"scope_care_plan": "on"})
    refused = bool(state.form_error) or "/logga-in" in str(result)
    return Seen([state], refused=None if viewer.username in (None, "anna", "bo") else refused)


def _a_invitation(world: World) -> tuple[int, str]:
    with session_scope() as db:
        made = invitations.create(
            session=db, resident_id=world.anna_id, scopes={ProxyScope.SELF_CARE}
        )
        found = (made.invitation.id, made.code)
    world.setup_done()
    return found


@probe("RelativesState.withdraw_invitation")
async def _relatives_withdraw(world: World, viewer: ViewerSpec, key: str) -> Seen:
    invitation_id, _ = _a_invitation(world)
    state = _state(key, world, viewer, path="/profil/narstaende")
    await call(state, "withdraw_invitation", invitation_id)
    return Seen([state])


@probe("RelativesState.toggle_scope", "RelativesState.remove_relative")
async def _relatives_change(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _mark_relatives_of_a(world)
    state = _state(key, world, viewer, path="/profil/narstaende")
    await call(state, "load")
    if key.endswith("toggle_scope"):
        await call(state, "toggle_scope", _rut_id(), "care_plan")
    else:
        await call(state, "remove_relative", _rut_id())
    return Seen([state], refused=None if viewer.username in (None, "anna") else True)


@probe("InvitationState.load", "InvitationState.accept")
async def _invitation(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _, code = _a_invitation(world)
    state = _state(key, world, viewer, path=f"/inbjudan?kod={code}")
    await call(state, key.split(".")[1])
    refused = bool(state.error) or not state.signed_in if key.endswith("load") else None
    return Seen([state], refused=refused or None)


@probe("InvitationState.create_account")
async def _invitation_account(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _, code = _a_invitation(world)
    state = _state(key, world, viewer, path=f"/inbjudan?kod={code}")
    username = "ny-" + world.devices[viewer.key][-20:].strip("-")
    form = {"display_name": "Ny Hjälpare", "username": username, "password": "fyra ord i rad nu"}
    result = await call(state, "create_account", form)
    with session_scope() as db:
        created = accounts.user_by_username(session=db, username=username) is not None
    assert created is (viewer.username is None), "an account only for a visitor without one"
    return Seen([state], texts=[str(result)])


@probe("InvitationState.use_code")
async def _invitation_code(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/inbjudan")
    result = await call(state, "use_code", {"code": " abc-123 "})
    return Seen([state], public=("/inbjudan?kod=abc-123" in str(result), state.code_error))


@probe("ActingForState.load")
async def _acting_for(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/jag-hjalper")
    await call(state, "load")
    return Seen([state])


@probe("ActingForState.step_back")
async def _acting_for_step_back(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/jag-hjalper")
    await call(state, "load")
    await call(state, "step_back", world.anna_id)
    # Everyone may step back from their own grants; without one from A, nothing ends.
    return Seen([state])


_STINAS_NAME = "Stina Sjuksköterska"


@probe("AccessLogState.load", "AccessLogState.apply_filter", "AccessLogState.go_to_page")
async def _access_log(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Stina read A's plan: that A's log names her is A's data.
    with session_scope() as db:
        stina = db.exec(select(User).where(User.username == "stina")).one()
        audit.record_access(
            session=db, actor_id=stina.id, resident_id=world.anna_id, detail="care_plan"
        )
    world.markers = world.markers | {_STINAS_NAME}
    world.setup_done()
    state = _state(key, world, viewer, path="/profil/vem-har-sett")
    name = key.split(".")[1]
    if name == "load":
        await call(state, "load")
    elif name == "apply_filter":
        await call(state, "apply_filter", {"person": "", "doing": "read", "period": "30"})
    else:
        await call(state, "go_to_page", 1)
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


# --- self-care plan and measurements (issue 5)
# Min egenvård, a task's history and Mätvärden (?invanare=A) on A's demo tasks and values.
# Readers: A, the relative A lets help with self-care (or see measurements) and staff
# caring for A. Marking an occurrence is for A and the self-care relative; changing the
# plan itself (adopt, schedule, pause, stop) and logging values are A's own.
_SELF_CARE_READERS = only("resident A", "relative of A, self_care", "staff, care of A")
_MEASUREMENT_READERS = only("resident A", "relative of A, measurements", "staff, care of A")
EXPECTED.update(
    {
        "SelfCarePlanState.load": _SELF_CARE_READERS,
        "SelfCarePlanState.mark": only("resident A", "relative of A, self_care"),
        "SelfCareTaskState.load": _SELF_CARE_READERS,
        "SelfCareTaskState.open_schedule": _A_ONLY,  # judged by the form it opens
        "SelfCareTaskState.close_schedule": _EVERYONE_ALIKE,  # closes the form; reads nothing
        "SelfCareTaskState.save_schedule": _A_ONLY,
        "SelfCareTaskState.set_paused": _A_ONLY,
        "SelfCareTaskState.ask_stop": _A_ONLY,  # judged by the question it asks
        "SelfCareTaskState.keep_task": _EVERYONE_ALIKE,  # closes the question
        "SelfCareTaskState.stop_task": _A_ONLY,
        # An empty form with the article's template: no one's data, whoever opens it.
        "SelfCareTaskNewState.load": only(),
        "SelfCareTaskNewState.submit": _A_ONLY,  # adds a task to the viewer's own plan
        "MeasurementsState.load": _MEASUREMENT_READERS,
        "MeasurementsState.choose_kind": _EVERYONE_ALIKE,  # which fields the form shows
        "MeasurementsState.show_chart": _MEASUREMENT_READERS,
        "MeasurementsState.set_period": _MEASUREMENT_READERS,
        "MeasurementsState.submit": _A_ONLY,
        "GET /export/matvarden.csv": _MEASUREMENT_READERS,  # cookie + policy (?invanare=A)
    }
)


def _self_care_state(key: str, world: World, viewer: ViewerSpec, path: str) -> rx.State:
    return _state(key, world, viewer, path=f"{path}?invanare={world.anna_id}")


def _task_path(world: World) -> str:
    return f"/egenvard/uppgift?uppgift={world.task_id}&invanare={world.anna_id}"


@probe("SelfCarePlanState.load")
async def _self_care_plan_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _self_care_state(key, world, viewer, "/egenvard/mina-uppgifter")
    await call(state, "load")
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


@probe("SelfCarePlanState.mark")
async def _self_care_plan_mark(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Readers saw A's tasks through load already: judged by A's rows only.
    state = _self_care_state(key, world, viewer, "/egenvard/mina-uppgifter")
    await call(state, "load")
    await call(state, "mark", world.task_id, world.occurrence_at, "done")
    return Seen(refused=bool(state.message) if viewer.key != RESIDENT_A else None)


@probe("SelfCareTaskState.load")
async def _self_care_task_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_task_path(world))
    await call(state, "load")
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


@probe("SelfCareTaskState.open_schedule", "SelfCareTaskState.ask_stop")
async def _self_care_task_open(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_task_path(world))
    await call(state, "load")
    await call(state, key.split(".")[1])
    opened = state.editing or state.confirming_stop
    return Seen(
        texts=[state.title] if opened else [],
        refused=not opened if viewer.key != RESIDENT_A else None,
    )


@probe("SelfCareTaskState.close_schedule", "SelfCareTaskState.keep_task")
async def _self_care_task_close(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_task_path(world))
    await call(state, key.split(".")[1])
    return Seen([state], public=(state.editing, state.confirming_stop, dict(state.errors)))


@probe("SelfCareTaskState.save_schedule", "SelfCareTaskState.set_paused")
async def _self_care_task_change(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_task_path(world))
    await call(state, "load")
    await call(state, "open_schedule")
    if key.endswith("save_schedule"):
        await call(state, "save_schedule", {"schedule": "daily", "time_of_day": "09:15"})
    else:
        await call(state, "set_paused", True)
    return Seen(refused=bool(state.form_error) if viewer.key != RESIDENT_A else None)


@probe("SelfCareTaskState.stop_task")
async def _self_care_task_stop(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_task_path(world))
    await call(state, "load")
    await call(state, "ask_stop")
    await call(state, "stop_task")
    return Seen(refused=bool(state.form_error) if viewer.key != RESIDENT_A else None)


_TEMPLATE_PATH = "/egenvard/ny-uppgift?artikel=vag-dig-vid-hjartsvikt&mall=vag-dig"


@probe("SelfCareTaskNewState.load")
async def _self_care_new_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=f"{_TEMPLATE_PATH}&invanare={world.anna_id}")
    await call(state, "load")
    return Seen([state])


@probe("SelfCareTaskNewState.submit")
async def _self_care_new_submit(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # The page of a template; the task goes to the viewer's own plan, never A's for others.
    state = _state(key, world, viewer, path=f"{_TEMPLATE_PATH}&invanare={world.anna_id}")
    await call(state, "load")
    today = clock.today().isoformat()
    form = {"title": "Väg dig på kvällen", "schedule": "daily", "time_of_day": "20:00"}
    await call(state, "submit", {**form, "starts_on": today})
    # Resident B adds to B's own plan: no refusal, and nothing of A's.
    own_plan = viewer.key in (RESIDENT_A, "resident B")
    return Seen(refused=None if own_plan else bool(state.form_error))


@probe("MeasurementsState.load")
async def _measurements_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _self_care_state(key, world, viewer, "/matvarden")
    await call(state, "load")
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


@probe("MeasurementsState.choose_kind")
async def _measurements_choose_kind(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _self_care_state(key, world, viewer, "/matvarden")
    await call(state, "choose_kind", "blood_pressure")
    return Seen([state], public=state.kind)


@probe("MeasurementsState.show_chart", "MeasurementsState.set_period")
async def _measurements_chart(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # A fresh tab that never loaded: the handler alone must not show A's values.
    state = _self_care_state(key, world, viewer, "/matvarden")
    await call(state, "load")
    if key.endswith("show_chart"):
        await call(state, "show_chart", "blood_pressure")
    else:
        await call(state, "set_period", 90)
    return Seen([state], refused=not state.allowed or None)


@probe("MeasurementsState.submit")
async def _measurements_submit(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _self_care_state(key, world, viewer, "/matvarden")
    await call(state, "load")
    today = clock.local_now()
    form = {"kind": "weight", "value": "72,5", "date": today.date().isoformat(), "time": "00:01"}
    await call(state, "submit", form)
    return Seen(refused=bool(state.form_error) if viewer.key != RESIDENT_A else None)


@probe("GET /export/matvarden.csv")
async def _measurements_csv(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # A value of A's named like A's first task, so A's data is recognisable in the file.
    from naranara.models import Measurement

    with session_scope() as db:
        title = db.exec(select(SelfCareTask.title).where(SelfCareTask.id == world.task_id)).one()
        if not db.exec(select(Measurement).where(Measurement.custom_name == title)).first():
            db.add(
                Measurement(
                    resident_id=world.anna_id,
                    kind="custom",
                    value=1,
                    custom_name=title,
                    measured_at=clock.local_now(),
                )
            )
    world.setup_done()
    response = await _request(
        world, viewer, "GET", f"/export/matvarden.csv?invanare={world.anna_id}"
    )
    refused = response.status_code in (303, 403)
    return Seen(texts=_seen_response(response), refused=refused or None)


# --- self-care guidance: library, search and the staff editor (issue 5)
# The library and articles are public (rows above). The editor is a staff role's tool on
# no resident's data: nobody gets A's data through it, so every cell is NO. What the
# cells cannot tell apart, the probes check themselves: staff (stina and sara alike, as
# care relationships do not matter here) get a working editor, everyone else a visible
# refusal; a probe that finds otherwise fails its cell with an AssertionError.
_NO_RESIDENT_DATA = (NO,) * len(VIEWERS)
_GUIDANCE_STAFF = ("stina", "sara")
EXPECTED.update(
    {
        "GuidanceEditorState.load": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.load": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.save": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.submit_for_review": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.publish": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.return_to_draft": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.unpublish": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.restore": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.show_diff": _NO_RESIDENT_DATA,
        "GuidanceEditorArticleState.measure": _NO_RESIDENT_DATA,  # LIX of the text typed
        # "Råd för dig" on Hem: public articles, chosen by the viewer's own goals and tasks;
        # no one's data is shown (A's suggestions are article texts), so NO everywhere.
        "GuidanceSuggestionsState.load": _NO_RESIDENT_DATA,
        # Images in published articles are as public as the articles.
        "GET /bilder/egenvard/{name}": _EVERYONE_ALIKE,
        "POST /redaktion/bild": _NO_RESIDENT_DATA,
    }
)
_GUIDANCE_FORM = {
    "slug": "",
    "variant": "sv",
    "title": "Råd från proben",
    "summary": "Kort.",
    "category": "somn",
    "reading_minutes": "2",
    "responsible_unit": "Hälsocentralen",
    "reviewed_on": "2026-10-01",
    "warning_markdown": "",
    "body_markdown": "Text.",
}
_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _guidance_article(status: str) -> tuple[int, int]:
    """A fresh article by a staff member who is none of the viewers: (article id, version id),
    its newest version in ``status`` (draft, in_review or published)."""
    from naranara.services import guidance_editor

    with session_scope() as db:
        author = db.exec(select(User).where(User.username == "greta")).first()
        reviewer = db.exec(select(User).where(User.username == "gustav")).first()
        if author is None:
            author = accounts.create_user(
                session=db, username="greta", display_name="Greta Granskare", role=Role.STAFF
            )
            reviewer = accounts.create_user(
                session=db, username="gustav", display_name="Gustav Granskare", role=Role.STAFF
            )
        slug = f"proben-{max(db.exec(select(GuidanceArticle.id)).all()) + 1}"
        version = guidance_editor.create_article(
            session=db, editor_id=author.id, slug=slug, variant="sv", values=_GUIDANCE_FORM
        )
        if status != "draft":
            guidance_editor.submit_for_review(
                session=db, editor_id=author.id, version_id=version.id
            )
        if status == "published":
            guidance_editor.publish(
                session=db,
                reviewer_id=reviewer.id,
                version_id=version.id,
                reviewed_hash=guidance_editor.content_hash_of(session=db, version_id=version.id),
            )
        return version.article_id, version.id


def _is_guidance_staff(viewer: ViewerSpec) -> bool:
    return viewer.username in _GUIDANCE_STAFF


@probe("GuidanceEditorState.load")
async def _guidance_editor_list(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/redaktion")
    await call(state, "load")
    if _is_guidance_staff(viewer):
        assert state.allowed and len(state.rows) > 20, "staff see every article"
        return Seen([state])
    assert state.rows == []
    return Seen([state], refused=not state.allowed)


_GUIDANCE_STEPS: dict[str, tuple[str, Callable[[int], tuple], tuple[str, bool]]] = {
    # handler: (the newest version's status before, its arguments given the version id,
    # (the newest version's status, whether residents see the article) after, as staff)
    "load": ("draft", lambda v: (), ("draft", False)),
    "save": (
        "draft",
        lambda v: ({**_GUIDANCE_FORM, "title": "Ändrad av proben"},),
        ("draft", False),
    ),
    "submit_for_review": ("draft", lambda v: (), ("in_review", False)),
    "publish": ("in_review", lambda v: ({"publish_at": ""},), ("published", True)),
    "return_to_draft": ("in_review", lambda v: (), ("draft", False)),
    "unpublish": ("published", lambda v: (), ("unpublished", False)),
    "restore": ("published", lambda v: (v,), ("draft", True)),
    "show_diff": ("published", lambda v: (v,), ("published", True)),
    "measure": ("draft", lambda v: ("body_markdown", "Väg dig varje dag."), ("draft", False)),
}


@probe(*(f"GuidanceEditorArticleState.{name}" for name in _GUIDANCE_STEPS))
async def _guidance_editor_article(world: World, viewer: ViewerSpec, key: str) -> Seen:
    from naranara.services import guidance_editor

    name = key.split(".")[1]
    before, arguments, after = _GUIDANCE_STEPS[name]
    article_id, version_id = _guidance_article(before)
    world.setup_done()
    state = _state(key, world, viewer, path=f"/redaktion/artikel?artikel={article_id}")
    await call(state, "load")
    if name != "load":
        await call(state, name, *arguments(version_id))
    with session_scope() as db:
        newest = guidance_editor.latest_version(session=db, article_id=article_id)
        article = db.get(GuidanceArticle, article_id)
        statuses = (newest.status, article.published_at is not None)
    if _is_guidance_staff(viewer):
        assert state.allowed and state.form_error == "", state.form_error
        assert statuses == after, f"{name} as staff left {statuses}, not {after}"
        if name == "show_diff":
            assert state.diff, "staff see what changed"
        if name == "measure":
            # "Kort." and "Väg dig varje dag.": 5 words, 2 sentences, none long: 2.5
            assert state.lix_figure == "3", "staff see the LIX of what they typed"
        return Seen([state])
    unchanged = (before, before == "published")
    assert statuses == unchanged, f"{name} changed the article for {viewer.key}: {statuses}"
    refused = not state.allowed if name == "load" else state.form_error != ""
    return Seen([state], refused=refused)


@probe("GuidanceSuggestionsState.load")
async def _guidance_suggestions(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/")
    await call(state, "load")
    assert len(state.suggestions) == 3, "everyone gets three pieces of advice"
    return Seen([state])


@probe("GET /bilder/egenvard/{name}")
async def _guidance_image(world: World, viewer: ViewerSpec, key: str) -> Seen:
    from naranara.services import guidance_images

    address = guidance_images.store(_PNG)
    response = await _request(world, viewer, "GET", address)
    missing = await _request(world, viewer, "GET", "/bilder/egenvard/" + "0" * 64 + ".png")
    return Seen(public=(response.status_code, response.content == _PNG, missing.status_code))


@probe("POST /redaktion/bild")
async def _guidance_image_upload(world: World, viewer: ViewerSpec, key: str) -> Seen:
    app = Starlette(routes=mounted_top_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        response = await client.post(
            "/redaktion/bild?artikel=1",
            files={"bild": ("bild.png", _PNG, "image/png")},
            headers={"cookie": world.cookies[viewer.key], "origin": "http://localhost"},
        )
    if _is_guidance_staff(viewer):
        assert response.status_code == 303 and "bild=" in response.headers["location"]
        return Seen(texts=_seen_response(response))
    return Seen(texts=_seen_response(response), refused=response.status_code == 403)


# --- care units, enrolment, times agreed from both sides (issue 13)
# Staff reach A through the unit that has A in its care (stina works there; A shares her
# self-monitoring with it); sara works elsewhere and at a unit whose relationship with A
# has ended. A's care-side time is answered by A or a relative with care_plan, never by
# someone else's resident; staff reply to requests. Enrolling and administration are on
# no resident's data: the probes check that staff (and administrators) get a working page
# and everyone else a visible refusal. A's activation code is the key, like a feed token.
_ANSWERERS = only(RESIDENT_A, "relative of A, care_plan")
_CARE_TEAM = only(_STAFF_CARING)
EXPECTED.update(
    {
        "AgreedTimesState.say_coming": _ANSWERERS,
        "AgreedTimesState.ask_other_time": _CARE_PLAN_READERS,  # after load; opens a form
        "AgreedTimesState.close_answer": _EVERYONE_ALIKE,  # closes the forms; reads nothing
        "AgreedTimesState.send_other_time": _ANSWERERS,
        "AgreedTimesState.open_reply": _CARE_PLAN_READERS,  # after load; opens a form
        "AgreedTimesState.send_reply": _CARE_TEAM,
        "CareSharingState.load": _A_ONLY,  # the units that have A in their care
        "CareSharingState.toggle": _A_ONLY,
        "EnrolState.load": _NO_RESIDENT_DATA,
        "EnrolState.submit": _NO_RESIDENT_DATA,
        "ResidentOverviewState.load": _CARE_TEAM,
        "ResidentOverviewState.new_activation": _CARE_TEAM,
        "ResidentOverviewState.confirm_end": _CARE_TEAM,  # after load
        "ResidentOverviewState.end_care": _CARE_TEAM,
        # Whoever holds A's activation code sees whose account it opens and sets its
        # password, once (each probe gives A a fresh code and an unused account).
        "ActivationState.load": (YES,) * len(VIEWERS),
        "ActivationState.use_code": _EVERYONE_ALIKE,  # only moves the code to the address
        "ActivationState.activate": (YES,) * len(VIEWERS),
        "AdminState.load": _NO_RESIDENT_DATA,
        "AdminState.open_unit": _NO_RESIDENT_DATA,
        "AdminState.close_unit": _EVERYONE_ALIKE,
        "AdminState.save_unit": _NO_RESIDENT_DATA,
        "AdminState.create_staff": _NO_RESIDENT_DATA,
        "AdminStaffState.load": _NO_RESIDENT_DATA,
        "AdminStaffState.set_role": _NO_RESIDENT_DATA,
        "AdminStaffState.add_membership": _NO_RESIDENT_DATA,
        "AdminStaffState.end_membership": _NO_RESIDENT_DATA,
        "AdminStaffState.set_active": _NO_RESIDENT_DATA,
    }
)
IDENTITY_NOT_POLICY_13 = {
    "ActivationState.load": "the one-time activation code names the account: no viewer yet",
    "ActivationState.activate": "sets the first password of the account the code names",
}
_ANSWER_TEXT = "Går det bättre på fredag förmiddag?"


def _care_time(world: World) -> int:
    return _a_sides(world, AgreedTime)[True]


def _open_request(world: World) -> None:
    """A asks for another time for her care-side time: something for staff to answer."""
    from naranara.models import AnswerKind
    from naranara.services import time_answers

    with session_scope() as db:
        time_answers.answer(
            session=db,
            resident_id=world.anna_id,
            time_id=_care_time(world),
            author_id=world.anna_id,
            kind=AnswerKind.OTHER_TIME,
            text=_ANSWER_TEXT,
        )
    world.markers = world.markers | {_ANSWER_TEXT}
    world.setup_done()


@probe("AgreedTimesState.say_coming", "AgreedTimesState.send_other_time")
async def _answer_time(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Readers saw A's times through load already: judged by A's rows only.
    state = _state(key, world, viewer, path=_for_a(world, "/tider"))
    await call(state, "load")
    if key.endswith("say_coming"):
        await call(state, "say_coming", _care_time(world))
    else:
        await call(state, "ask_other_time", _care_time(world))
        await call(state, "send_other_time", {"text": "Jag kan bara på förmiddagar."})
    answering = viewer.key in (RESIDENT_A, "relative of A, care_plan")
    return Seen(refused=None if answering else bool(state.message) or state.answering == 0)


@probe("AgreedTimesState.ask_other_time", "AgreedTimesState.open_reply")
async def _open_answer_form(world: World, viewer: ViewerSpec, key: str) -> Seen:
    if key.endswith("open_reply"):
        _open_request(world)
    state = _state(key, world, viewer, path=_for_a(world, "/tider"))
    await call(state, "load")
    await call(state, key.split(".")[1], _care_time(world))
    opened = state.answering or state.replying
    return Seen([state], refused=not opened or None)


@probe("AgreedTimesState.close_answer")
async def _close_answer(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_for_a(world, "/tider"))
    await call(state, "close_answer")
    return Seen([state], public=(state.answering, state.replying, state.answer_error))


@probe("AgreedTimesState.send_reply")
async def _send_reply(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _open_request(world)
    state = _state(key, world, viewer, path=_for_a(world, "/tider"))
    await call(state, "load")
    await call(state, "open_reply", _care_time(world))
    await call(state, "send_reply", {"text": "Ja, jag flyttar tiden till fredag."})
    return Seen(refused=bool(state.message) or state.replying == 0 or None)


def _a_unit(world: World) -> tuple[int, str]:
    with session_scope() as db:
        unit = care_units.units_caring_for(session=db, resident_id=world.anna_id)[0]
        return unit.id, unit.name


@probe("CareSharingState.load", "CareSharingState.toggle")
async def _care_sharing(world: World, viewer: ViewerSpec, key: str) -> Seen:
    unit_id, unit_name = _a_unit(world)
    world.markers = world.markers | {unit_name}  # where A is cared for is A's data
    state = _state(key, world, viewer, path="/profil/dela-med-varden")
    await call(state, "load")
    if key.endswith("toggle"):
        await call(state, "toggle", unit_id, "measurements")
        # Signed out, there is no page to show a refusal on: nothing happens.
        speaks = viewer.key != RESIDENT_A and viewer.username is not None
        return Seen(refused=bool(state.message) if speaks else None)
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


_ENROL_FORM = {
    "display_name": "Greta Provsson",
    "phone": "070-123 45 67",
    "how_to_reach": "Ring på förmiddagen",
    "personnummer": "19481224-9987",
    "starts_on": "",
}


def _works_in_a_unit(viewer: ViewerSpec) -> bool:
    return viewer.username in ("stina", "sara")


@probe("EnrolState.load", "EnrolState.submit")
async def _enrol(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/mina-invanare/ny")
    await call(state, "load")
    if key.endswith("load"):
        if _works_in_a_unit(viewer):
            assert state.allowed and state.units and state.contacts, "staff in a unit enrol"
            return Seen([state])
        return Seen([state], refused=not state.allowed)
    form = {
        **_ENROL_FORM,
        "unit": state.units[0].value if state.units else "1",
        "fixed_contact": state.contacts[0].value if state.contacts else "1:1",
    }
    await call(state, "submit", form)
    if _works_in_a_unit(viewer):
        assert state.has_sheet and state.form_error == "", state.form_error
        assert state.sheet.code and state.values["personnummer"] == ""
        with session_scope() as db:  # one enrolment per personnummer: undone for the next
            from naranara.models import Enrolment

            for row in db.exec(select(Enrolment)).all():
                row.personnummer_hash = None
                db.add(row)
        return Seen([state])
    assert not state.has_sheet
    return Seen([state], refused=state.form_error != "")


def _a_enrolled_not_activated(world: World) -> str:
    """A has an enrolment she has not activated, and a fresh activation code."""
    from naranara.models import Enrolment
    from naranara.services import enrolment

    with session_scope() as db:
        row = enrolment.enrolment_of(session=db, resident_id=world.anna_id)
        if row is None:
            row = Enrolment(resident_id=world.anna_id)
        row.activated_at = None
        db.add(row)
        db.flush()
        code = enrolment.new_activation(session=db, resident_id=world.anna_id, actor_id=None).code
    world.setup_done()
    return code


@probe("ResidentOverviewState.load", "ResidentOverviewState.confirm_end")
async def _overview(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path=_for_a(world, "/mina-invanare/invanare"))
    await call(state, "load")
    if key.endswith("confirm_end"):
        await call(state, "confirm_end", True)
        return Seen([state], refused=not state.confirming_end or None)
    return Seen([state], refused=not (state.loaded and state.allowed) or None)


@probe("ResidentOverviewState.new_activation", "ResidentOverviewState.end_care")
async def _overview_change(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _a_enrolled_not_activated(world)
    state = _state(key, world, viewer, path=_for_a(world, "/mina-invanare/invanare"))
    await call(state, "load")
    await call(state, key.split(".")[1])
    if viewer.key == _STAFF_CARING:
        assert state.has_sheet if key.endswith("new_activation") else state.ended
        return Seen()
    return Seen(refused=bool(state.message) or None)


@probe("ActivationState.load", "ActivationState.activate")
async def _activation(world: World, viewer: ViewerSpec, key: str) -> Seen:
    code = _a_enrolled_not_activated(world)
    state = _state(key, world, viewer, path=f"/aktivera?kod={code}")
    await call(state, "load")
    assert state.usable, "A's fresh code opens A's account"
    if key.endswith("activate"):
        await call(
            state,
            "activate",
            {"password": "en lång mening om kaffe", "repeat": "en lång mening om kaffe"},
        )
        return Seen()
    return Seen([state])


@probe("ActivationState.use_code")
async def _activation_code(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/aktivera")
    result = await call(state, "use_code", {"code": " k7qm-2xwd-9hfn "})
    return Seen([state], public=("/aktivera?kod=K7QM2XWD9HFN" in str(result), state.code_error))


def _is_admin(viewer: ViewerSpec) -> bool:
    return viewer.username == "adam"


def _admin_done(viewer: ViewerSpec, state: rx.State, ok: bool) -> Seen:
    if _is_admin(viewer):
        assert ok, f"the administrator's change did not go through: {state.message!r}"
        return Seen([state])
    assert not ok, f"{viewer.key} changed units or accounts"
    return Seen([state], refused=True)


@probe("AdminState.load", "AdminState.open_unit", "AdminState.save_unit")
async def _admin_units(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/admin")
    await call(state, "load")
    name = key.split(".")[1]
    if name == "load":
        return _admin_done(viewer, state, state.allowed and len(state.units) >= 2)
    await call(state, "open_unit", 0)
    if name == "open_unit":
        return _admin_done(viewer, state, state.unit_form == 0)
    with session_scope() as db:
        before = len(care_units.all_units(session=db))
    await call(state, "save_unit", {"name": f"Ny enhet {viewer.key}", "kind": "region"})
    with session_scope() as db:
        after = len(care_units.all_units(session=db))
    return _admin_done(viewer, state, after == before + 1)


@probe("AdminState.close_unit")
async def _admin_close_unit(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/admin")
    await call(state, "close_unit")
    return Seen([state], public=state.unit_form)


@probe("AdminState.create_staff")
async def _admin_create_staff(world: World, viewer: ViewerSpec, key: str) -> Seen:
    state = _state(key, world, viewer, path="/admin")
    await call(state, "load")
    username = "ny." + viewer.key.replace(" ", "").replace(",", "")[:20].lower()
    form = {
        "display_name": "Ny Kollega",
        "username": username,
        "role": "staff",
        "sign_in": "password",
        "password": "ett första lösenord för kollegan",
        "unit": "",
    }
    await call(state, "create_staff", form)
    with session_scope() as db:
        made = accounts.user_by_username(session=db, username=username) is not None
    return _admin_done(viewer, state, made)


def _stina_id() -> int:
    with session_scope() as db:
        return db.exec(select(User.id).where(User.username == "stina")).one()


@probe(
    "AdminStaffState.load",
    "AdminStaffState.set_role",
    "AdminStaffState.add_membership",
    "AdminStaffState.end_membership",
    "AdminStaffState.set_active",
)
async def _admin_staff(world: World, viewer: ViewerSpec, key: str) -> Seen:
    # Changes to Stina's account: she stays in A's unit's staff for the next viewers.
    state = _state(key, world, viewer, path=f"/admin/personal?konto={_stina_id()}")
    await call(state, "load")
    name = key.split(".")[1]
    with session_scope() as db:
        stina = db.get(User, _stina_id())
        memberships = care_units.memberships_of(session=db, staff_id=stina.id)
        extra = care_units.unit_named(session=db, name="Hemtjänst Bo")
    if name == "load":
        return _admin_done(viewer, state, state.allowed and bool(state.memberships))
    if name == "set_role":
        await call(state, "set_role", {"role": "admin"})
        with session_scope() as db:
            changed = db.get(User, stina.id).role.value == "admin"
            if changed:  # back as she was, memberships too
                db.get(User, stina.id).role = Role.STAFF
                for membership, _ in memberships:
                    care_units.add_member(session=db, unit_id=membership.unit_id, staff_id=stina.id)
        return _admin_done(viewer, state, changed)
    if name == "add_membership":
        await call(state, "add_membership", {"unit": str(extra.id)})
        with session_scope() as db:
            units = {u.id for _, u in care_units.memberships_of(session=db, staff_id=stina.id)}
            changed = extra.id in units
            for membership, unit in care_units.memberships_of(session=db, staff_id=stina.id):
                if unit.id == extra.id:
                    care_units.end_membership(session=db, membership_id=membership.id)
        return _admin_done(viewer, state, changed)
    if name == "end_membership":
        await call(state, "end_membership", memberships[0][0].id)
        with session_scope() as db:
            changed = not care_units.memberships_of(session=db, staff_id=stina.id)
            if changed:
                care_units.add_member(session=db, unit_id=memberships[0][1].id, staff_id=stina.id)
        return _admin_done(viewer, state, changed)
    await call(state, "set_active", False)
    with session_scope() as db:
        user = db.get(User, stina.id)
        changed = user.deactivated_at is not None
        user.deactivated_at = None
        db.add(user)
    return _admin_done(viewer, state, changed)


# ---------------------------------------------------------------------------- the tests


def _observed(world: World, seen: Seen, before: dict, after: dict) -> tuple[Outcome | str, str]:
    leaked = sorted(
        {
            text
            for state in seen.states
            for text in _strings(_root(state).dict())
            if text in world.markers
        }
        | {marker for text in seen.texts for marker in world.markers if marker in text}
    )
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    if leaked or changed:
        return YES, f"A's data shown {leaked}, A's rows changed in {changed}"
    if seen.public is not None and seen.public is not False:
        return PUB, f"public result {seen.public!r}"
    if seen.refused is False:
        return "unclear", "no data of A's, but no refusal either"
    return NO, "nothing of A's shown or changed" + (", refusal visible" if seen.refused else "")


def test_every_scope_has_a_viewer() -> None:
    granted = [viewer.scopes for viewer in VIEWERS if viewer.scopes]
    assert {scope for scopes in granted for scope in scopes} == set(ProxyScope)
    assert all(len(scopes) == 1 for scopes in granted), "one scope per viewer, each on its own"
    assert any(v.username == "erik" and not v.scopes for v in VIEWERS), "a relative without any"
    assert [v.cares_for_a for v in VIEWERS if v.username in ("stina", "sara")] == [True, False]


def test_every_viewer_has_a_column() -> None:
    assert len({viewer.key for viewer in VIEWERS}) == len(VIEWERS)
    assert [viewer.key for viewer in VIEWERS][1] == RESIDENT_A
    for key, row in EXPECTED.items():
        assert len(row) == len(VIEWERS), f"{key}: one outcome per viewer in VIEWERS"


@pytest.mark.parametrize("key", sorted(HANDLERS) + sorted(ROUTES))
async def test_role_matrix(key: str, world: World) -> None:
    assert key in EXPECTED, (
        f"{key} is in the code but not in EXPECTED (tests/states/test_policy_matrix.py): "
        "add a row saying what each viewer must get, and a probe in PROBES"
    )
    assert key in PROBES, f"{key} has a row in EXPECTED but no probe: add one with @probe({key!r})"
    wrong, outcomes = [], {}
    world.setup_done()
    for viewer, expected in zip(VIEWERS, EXPECTED[key], strict=True):
        try:
            seen = await PROBES[key](world, viewer, key)
        except Forbidden:
            seen = Seen(refused=True)
        except Exception as error:  # a crash is a wrong cell too, not the end of the row
            wrong.append(f"{viewer.key}: expected {expected}, but it raised {error!r}")
            world.setup_done()
            continue
        after = rows_of_a(world)
        observed, why = _observed(world, seen, world.before, after)
        world.before = after  # where the next viewer starts (a probe that prepares rows of
        # A's takes its own snapshot after preparing them)
        outcomes[viewer.key] = seen.public
        if observed != expected:
            wrong.append(f"{viewer.key}: expected {expected}, got {observed} ({why})")
    assert wrong == [], f"{key}:\n  " + "\n  ".join(wrong)
    public = {repr(v) for k, v in outcomes.items() if EXPECTED[key][_index(k)] is PUB}
    assert len(public) <= 1, f"{key} is public but differs between viewers: {public}"


def _index(viewer_key: str) -> int:
    return [viewer.key for viewer in VIEWERS].index(viewer_key)


def test_matrix_covers_exactly_what_the_code_has() -> None:
    discovered = set(HANDLERS) | set(ROUTES)
    stale = sorted(set(EXPECTED) - discovered)
    assert stale == [], f"rows in EXPECTED for handlers or routes that no longer exist: {stale}"
    missing = sorted(discovered - set(EXPECTED))
    assert missing == [], f"handlers or routes without a row in EXPECTED: {missing}"
    mounted = {id(route) for route in ROUTES.values()}
    unmounted = [
        f"{name}: {path}"
        for name, routes in declared_route_lists().items()
        for path, route in _walk(routes)
        if id(route) not in mounted
    ]
    assert unmounted == [], f"routes declared under naranara/http/ but not mounted: {unmounted}"
    assert len(HANDLERS) >= 13 and len(ROUTES) >= 3  # discovery did find the app
    cells = (len(HANDLERS) + len(ROUTES)) * len(VIEWERS)
    print(
        f"\npolicy matrix: {len(HANDLERS)} event handlers, {len(ROUTES)} HTTP routes, "
        f"{len(VIEWERS)} viewers, {cells} cells"
    )


def test_setvar_reaches_nothing_outside_the_table() -> None:
    """What a browser can reach through Reflex's ``setvar``: our own handlers, nothing else."""
    reachable = sorted(
        f"{cls.__name__}.{name}"
        for cls in {cls for cls, _ in HANDLERS.values()}
        for name in dir(cls)
        if name.startswith("set_")
        and name not in _REFLEX_OWN_SETTERS
        and f"{cls.__name__}.{name}" not in HANDLERS
    )
    assert reachable == [], (
        "setters a browser can call through setvar (is state_auto_setters on?); "
        "list them in EXPECTED or remove them"
    )


@pytest.mark.parametrize("refused", [Action.VIEW_CARE_PLAN, Action.VIEW_SELF_CARE])
async def test_today_asks_for_each_kind_of_data_on_its_own(
    refused: Action, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grants will come per scope: the care plan and self-care must each ask their own action."""
    from naranara.states import today

    def is_allowed_except(viewer, action, subject_id=None) -> bool:  # noqa: ANN001
        return action is not refused and is_allowed(viewer, action, subject_id)

    monkeypatch.setattr(today, "is_allowed", is_allowed_except)
    state = _state("TodayState.load", world, VIEWERS[1])
    await call(state, "load")
    assert bool(state.next_time) is (refused is not Action.VIEW_CARE_PLAN)
    assert bool(state.tasks) is (refused is not Action.VIEW_SELF_CARE)


# Handlers and routes that open the database without asking the policy, and why that is
# right: they establish or end identity itself, before there is a viewer to ask about.
IDENTITY_NOT_POLICY = {
    "LoginState.submit": "checks a password and issues a ticket: no viewer yet",
    "InvitationState.create_account": "makes an account from an open invitation: no viewer yet",
    "GET /auth/session": "swaps a ticket bound to this browser for a session",
    "POST /auth/logout": "ends only the session whose cookie it was sent",
    "GET /auth/oidc/{provider}/callback": "the provider's signed ID token decides who it is",
    # issue 6: apply_action asks policy for the reminder's recipient, whom the token names
    "POST /push/atgard": "a notification button: the signed token names the reminder",
    **IDENTITY_NOT_POLICY_13,
}


def _source(key: str) -> str:
    if key in HANDLERS:
        cls, name = HANDLERS[key]
        return inspect.getsource(inspect.unwrap(cls.event_handlers[name].fn))
    return inspect.getsource(inspect.unwrap(ROUTES[key].endpoint))


def test_every_handler_that_opens_the_database_asks_the_policy() -> None:
    """Static companion of the matrix: data access goes through is_allowed or require."""
    silent = [
        key
        for key, source in ((key, _source(key)) for key in sorted(set(HANDLERS) | set(ROUTES)))
        if "session_scope(" in source
        and not ("is_allowed(" in source or "require(" in source)
        and key not in IDENTITY_NOT_POLICY
    ]
    assert silent == [], f"open the database without asking naranara/policy.py: {silent}"
    stale = sorted(set(IDENTITY_NOT_POLICY) - set(HANDLERS) - set(ROUTES))
    assert stale == [], f"IDENTITY_NOT_POLICY names what no longer exists: {stale}"


# ---------------------------------------------------------------------------- operations

EXPECTED.update(
    {
        # For load balancers and monitoring: fixed words, no person's data, same for all.
        "GET /healthz": _EVERYONE_ALIKE,
        "GET /readyz": _EVERYONE_ALIKE,
    }
)


@probe("GET /healthz", "GET /readyz")
async def _health(world: World, viewer: ViewerSpec, key: str) -> Seen:
    response = await _request(world, viewer, "GET", key.split()[1])
    return Seen(texts=_seen_response(response), public=(response.status_code, response.text))


# ---------------------------------------------------------------------------- without signal
# Issue 15. The offline copy is A's own, on a device A chose: only A, with A's device
# cookie, sees or changes it; relatives' and staff's views are never kept offline.
# Check-offs sent later are marked by whoever policy lets mark A's tasks.

EXPECTED.update(
    {
        "OfflineCopyState.load": _A_ONLY,  # "Uppdaterad …" of A's own device
        "OfflineCopyState.set_on": _A_ONLY,  # the viewer's own device, residents only
        "GET /utan-nat": _EVERYONE_ALIKE,  # the offline page names no one
        "GET /utan-nat/kopia": _A_ONLY,  # only to A's device, once A turned it on
        "POST /utan-nat/avbockningar": only("resident A", "relative of A, self_care"),
        "GET /utan-nat/artikel/{variant}/{slug}": _EVERYONE_ALIKE,  # public, as its page
    }
)


def _a_keeps_a_copy(world: World) -> str:
    """A's device keeps a copy, brought up to date at 03.17 two days ago; the words A
    reads for that on Profil are A's data."""
    from naranara.services import offline_copy

    refreshed = clock.now().replace(hour=2, minute=17, second=0, microsecond=0) - timedelta(days=2)
    with session_scope() as db:
        anna = world.anna_id
        device = world.devices[RESIDENT_A]
        offline_copy.turn_on(session=db, user_id=anna, device_token=device)
        offline_copy.mark_refreshed(session=db, user_id=anna, device_token=device, now=refreshed)
    label = offline_copy.updated_label(refreshed, now=clock.now(), locale="sv")
    world.markers = world.markers | {label}
    world.setup_done()
    return label


@probe("OfflineCopyState.load")
async def _offline_copy_load(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _a_keeps_a_copy(world)
    state = _state(key, world, viewer, path="/profil")
    await call(state, "load")
    # B is allowed a copy of her own, on her own device: her load shows nothing of A's.
    return Seen([state], refused=True if viewer.username and not state.allowed else None)


@probe("OfflineCopyState.set_on")
async def _offline_copy_set_on(world: World, viewer: ViewerSpec, key: str) -> Seen:
    from naranara.services import offline_copy

    with session_scope() as db:  # A's device starts without a copy: turning it on is a change
        offline_copy.turn_off(
            session=db, user_id=world.anna_id, device_token=world.devices[RESIDENT_A]
        )
    world.setup_done()
    state = _state(key, world, viewer, path="/profil")
    await call(state, "set_on", True)
    return Seen([state])


@probe("GET /utan-nat")
async def _offline_page(world: World, viewer: ViewerSpec, key: str) -> Seen:
    response = await _request(world, viewer, "GET", "/utan-nat")
    return Seen(texts=_seen_response(response), public=(response.status_code, response.text))


@probe("GET /utan-nat/artikel/{variant}/{slug}")
async def _offline_article(world: World, viewer: ViewerSpec, key: str) -> Seen:
    response = await _request(world, viewer, "GET", "/utan-nat/artikel/sv/vag-dig-vid-hjartsvikt")
    assert response.status_code == 200, "a published article, for everyone"
    # Its advice names "Väg dig" as A's task does: compared whole, the same for every
    # viewer (as the article page's probe compares its state), not searched for A's words.
    return Seen(public=(response.status_code, response.text))


@probe("GET /utan-nat/kopia")
async def _offline_copy_document(world: World, viewer: ViewerSpec, key: str) -> Seen:
    _a_keeps_a_copy(world)
    response = await _request(world, viewer, "GET", "/utan-nat/kopia")
    return Seen(texts=_seen_response(response), refused=response.status_code == 404)


@probe("POST /utan-nat/avbockningar")
async def _offline_check_offs(world: World, viewer: ViewerSpec, key: str) -> Seen:
    body = {
        "checkOffs": [
            {
                "key": _device(viewer).replace("-", "_")[:60].ljust(16, "x"),
                "taskId": world.task_id,
                "occurrenceAt": world.occurrence_at,
                "status": "skipped",
                # A moment of its own per viewer: a second relative's mark is a change too.
                "pressedAt": (clock.now() - timedelta(minutes=_index(viewer.key))).isoformat(),
            }
        ]
    }
    response = await _post_json(world, viewer, "/utan-nat/avbockningar", body)
    results = response.json().get("results", [])
    refused = response.status_code == 401 or [r["outcome"] for r in results] == ["not-allowed"]
    return Seen(texts=_seen_response(response), refused=refused)


# ---------------------------------------------------------------------- the cross-site viewer
# A page on another site, in the browser of resident A (signed in, with A's cookies): it
# may make the browser post a form or a fetch to any route. Every route that changes
# state refuses it before it runs, through the app's own middleware (CrossSiteRequestGuard),
# whatever the browser tells of where the request came from.
_FOREIGN = "https://evil.example"
CROSS_SITE_REQUESTS: dict[str, dict[str, str]] = {
    "a form on another site": {"origin": _FOREIGN, "sec-fetch-site": "cross-site"},
    "Sec-Fetch-Site alone": {"sec-fetch-site": "cross-site"},
    "Origin alone (an older browser)": {"origin": _FOREIGN},
    "a sibling subdomain": {"origin": "http://other.localhost", "sec-fetch-site": "same-site"},
    "a sandboxed frame or data: URL": {"origin": "null", "sec-fetch-site": "cross-site"},
    "a look-alike origin": {"origin": "http://localhost.evil.example"},
    "this host on another port": {"origin": "http://localhost:1", "sec-fetch-site": "same-site"},
}
STATE_CHANGING = sorted(key for key in ROUTES if key.split(" ", 1)[0] not in ("GET", "OPTIONS"))


def test_the_cross_site_viewer_has_every_state_changing_route_to_try() -> None:
    assert {
        "POST /auth/logout",
        "POST /auth/logout-all",
        "POST /push/prenumeration",
        "POST /push/prenumeration/ta-bort",
        "POST /push/atgard",
    } <= set(STATE_CHANGING)


async def _through_the_app(method: str, url: str, headers: dict[str, str]) -> httpx.Response:
    """Through the Starlette apps exactly as mounted, their middleware included."""
    (app,) = _mounting_transformers()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.request(method, url, headers=headers, json={})


def _refused_by_the_guard(response: httpx.Response) -> bool:
    return response.status_code == 403 and response.content == b'{"error": "cross-site"}'


@pytest.mark.parametrize("how", sorted(CROSS_SITE_REQUESTS))
@pytest.mark.parametrize("key", STATE_CHANGING)
async def test_the_cross_site_viewer_is_refused_everywhere(
    key: str, how: str, world: World
) -> None:
    method, path = key.split(" ", 1)
    url = path.replace("{provider}", "region")
    anna_cookie = world.cookies[RESIDENT_A]
    token = anna_cookie.split(";")[0].split("=", 1)[1]
    before = rows_of_a(world)
    response = await _through_the_app(
        method, url, {"cookie": anna_cookie, **CROSS_SITE_REQUESTS[how]}
    )
    assert _refused_by_the_guard(response), (response.status_code, response.text)
    assert "set-cookie" not in response.headers  # not even the session cookie cleared
    assert rows_of_a(world) == before
    with session_scope() as db:
        from naranara.policy import viewer_for_session_token

        assert viewer_for_session_token(session=db, token=token) is not None  # still signed in


@pytest.mark.parametrize("key", STATE_CHANGING)
async def test_the_same_request_from_the_app_itself_passes_the_guard(
    key: str, world: World
) -> None:
    # The control: the guard refuses where the request came from, not the request.
    method, path = key.split(" ", 1)
    response = await _through_the_app(
        method,
        path,
        {
            "cookie": world.cookies[RESIDENT_A],
            "origin": "http://localhost",
            "sec-fetch-site": "same-origin",
        },
    )
    assert not _refused_by_the_guard(response), key
