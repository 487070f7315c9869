"""Reflex's client token, bound to the browser's cookies before Reflex sees it."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from starlette.types import Receive, Scope, Send

from naranara.db import session_scope
from naranara.http.middleware import ClientTokenBindingMiddleware
from naranara.models import ProxyScope, Role
from naranara.services import access, sessions
from tests.utils.factories import make_user

# The binding reads the signed-in person's access version: a database for each test.
pytestmark = pytest.mark.usefixtures("database")

TAB_TOKEN = "0b6c5a4e-1f2d-4c3b-9a8e-7d6c5b4a3f2e"


class _Recorder:
    """The app behind the middleware: remembers the scope it was called with."""

    def __init__(self) -> None:
        self.scope: Scope | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scope = scope


async def _seen_by_reflex(path: str, *, query: str = "", cookie: str = "", headers=()) -> Scope:
    recorder = _Recorder()
    scope = {
        "type": "websocket" if path.startswith("/_event") else "http",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"cookie", cookie.encode()), *headers],
    }
    await ClientTokenBindingMiddleware(recorder)(scope, None, None)
    assert recorder.scope is not None
    return recorder.scope


async def _event_token(cookie: str, token: str = TAB_TOKEN) -> str:
    scope = await _seen_by_reflex(
        "/_event/", query=f"token={token}&EIO=4&transport=websocket", cookie=cookie
    )
    query = parse_qs(scope["query_string"].decode())
    assert query["EIO"] == ["4"] and query["transport"] == ["websocket"]
    return query["token"][0]


async def test_same_tab_same_cookies_keeps_its_state() -> None:
    cookie = "nara_device=d1; nara_session=s1"
    first = await _event_token(cookie)
    assert first != TAB_TOKEN
    assert await _event_token(cookie) == first


@pytest.mark.parametrize(
    "other_cookie",
    [
        "nara_device=d2; nara_session=s1",  # the token copied into another browser
        "nara_device=d1; nara_session=s2",  # a new session: signed in again
        "nara_device=d1",  # signed out
        "",  # no cookies at all
    ],
)
async def test_a_token_under_other_cookies_finds_another_state(other_cookie: str) -> None:
    assert await _event_token(other_cookie) != await _event_token("nara_device=d1; nara_session=s1")


async def test_the_bound_token_itself_opens_nothing() -> None:
    cookie = "nara_device=d1; nara_session=s1"
    bound = await _event_token(cookie)
    assert await _event_token(cookie, token=bound) != bound


async def test_upload_header_is_bound_the_same_way() -> None:
    cookie = "nara_device=d1; nara_session=s1"
    scope = await _seen_by_reflex(
        "/_upload", cookie=cookie, headers=[(b"reflex-client-token", TAB_TOKEN.encode())]
    )
    assert dict(scope["headers"])[b"reflex-client-token"].decode() == await _event_token(cookie)


async def test_other_paths_pass_untouched() -> None:
    scope = await _seen_by_reflex("/tider", query=f"token={TAB_TOKEN}")
    assert scope["query_string"] == f"token={TAB_TOKEN}".encode()


def _signed_in_relative_of_anna() -> tuple[int, int, str]:
    """Anna, and Erik signed in with a grant from her: (anna id, erik id, Erik's cookie)."""
    with session_scope() as db:
        anna = make_user(db, username="anna")
        erik = make_user(db, username="erik", role=Role.RELATIVE)
        access.grant(
            session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE
        )
        token = sessions.start_session(session=db, user=erik)
    return anna.id, erik.id, f"nara_device=d1; nara_session={token}"


async def test_a_tab_that_reconnects_after_its_access_ended_finds_a_fresh_state() -> None:
    anna_id, erik_id, cookie = _signed_in_relative_of_anna()
    before = await _event_token(cookie)
    assert await _event_token(cookie) == before  # nothing changed: the same state
    with session_scope() as db:
        access.revoke(
            session=db, resident_id=anna_id, relative_id=erik_id, scope=ProxyScope.SELF_CARE
        )
    after = await _event_token(cookie)
    assert after != before
    # A new grant is a change too; a revoke of what was never granted is none.
    with session_scope() as db:
        access.revoke(
            session=db, resident_id=anna_id, relative_id=erik_id, scope=ProxyScope.PROFILE
        )
    assert await _event_token(cookie) == after
    with session_scope() as db:
        access.grant(session=db, resident_id=anna_id, relative_id=erik_id, scope=ProxyScope.PROFILE)
    assert await _event_token(cookie) != after


async def test_care_relationships_move_staff_tabs_to_a_fresh_state() -> None:
    with session_scope() as db:
        anna = make_user(db, username="anna")
        sara = make_user(db, username="sara", role=Role.STAFF)
        token = sessions.start_session(session=db, user=sara)
    cookie = f"nara_device=d1; nara_session={token}"
    tokens = [await _event_token(cookie)]
    with session_scope() as db:
        access.record_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id)
    tokens.append(await _event_token(cookie))
    with session_scope() as db:
        access.end_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id)
    tokens.append(await _event_token(cookie))
    assert len(set(tokens)) == 3
