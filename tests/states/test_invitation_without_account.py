"""A relative without an account opens Anna's invitation, makes one, and accepts.

The invitation survives the detour under the browser's device cookie: the code is in
no address but the invitation link itself.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy import update
from sqlmodel import select

from naranara import clock
from naranara.db import session_scope
from naranara.models import AuditEvent, AuditKind, ProxyInvitation, ProxyScope, Role, User
from naranara.policy import viewer_for_session_token
from naranara.services import accounts, invitations, sessions
from naranara.settings import get_settings
from naranara.states.invitation import InvitationState
from tests.states.conftest import full_page_load_path, session_cookie_for

pytestmark = pytest.mark.usefixtures("seeded_db")

DEVICE = "device-of-ingrids-phone"
PASSWORD = "tre ord i rad för ingrid"


def _tab(path: str, *, cookie: str = f"nara_device={DEVICE}", ip: str = "203.0.113.7") -> rx.State:
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data(
        {
            "headers": {"cookie": cookie},
            "pathname": path.split("?")[0],
            "query": {},
            "asPath": path,
            "ip": ip,
        }
    )
    return root.get_substate(InvitationState.get_full_name().split("."))


def _run(state: rx.State, name: str, *args: object) -> object:
    result = type(state).event_handlers[name].fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def _annas_code(scopes: set[ProxyScope] | None = None) -> str:
    with session_scope() as db:
        anna = db.exec(select(User).where(User.username == "anna")).one()
        return invitations.create(
            session=db, resident_id=anna.id, scopes=scopes or {ProxyScope.SELF_CARE}
        ).code


def _form(**changes: str) -> dict[str, str]:
    return {"display_name": "Ingrid Granne", "username": "ingrid", "password": PASSWORD, **changes}


def _visitor_with(code: str, **tab: str) -> InvitationState:
    state = _tab(f"/inbjudan?kod={code}", **tab)
    _run(state, "load")
    assert (state.has_code, state.signed_in, state.inviter) == (True, False, "")
    return state


def test_a_new_account_from_the_link_signs_in_and_comes_back_without_the_code() -> None:
    code = _annas_code()
    page = _visitor_with(code)
    hashed_in: list[str] = []
    real_hash = accounts.hash_password

    def hash_and_note_the_thread(password: str) -> str:
        hashed_in.append(threading.current_thread().name)
        return real_hash(password)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "hash_password", hash_and_note_the_thread)
        assert _run(page, "create_account", _form()) is None
        result = full_page_load_path(page)
    # argon2 ran in a worker thread, not on the event loop's.
    assert hashed_in and hashed_in[0] != threading.main_thread().name
    assert result.startswith("/auth/session?")
    target = result
    query = parse_qs(urlsplit(target).query)
    assert query["next"] == ["/inbjudan"] and code not in result
    with session_scope() as db:
        user = sessions.redeem_login_ticket(
            session=db, ticket=query["ticket"][0], device_token=DEVICE
        )
        assert (user.username, user.display_name, user.role) == (
            "ingrid",
            "Ingrid Granne",
            Role.RELATIVE,
        )
        assert accounts.authenticate(session=db, username="ingrid", password=PASSWORD)
        token = sessions.start_session(session=db, user=user)
        created = db.exec(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.ACCOUNT_CREATED.value)
        ).one()
        assert code not in created.detail and created.client_hash
    # Back on plain /inbjudan in the same browser: Anna's invitation, to accept.
    cookie = f"{get_settings().session_cookie_name}={token}; nara_device={DEVICE}"
    back = _tab("/inbjudan", cookie=cookie)
    _run(back, "load")
    assert (back.signed_in, back.inviter, back.error) == (True, "Anna Lindqvist", "")
    assert back.shares == ["Se och bocka av min egenvård"]
    assert back.may_change.startswith("Anna Lindqvist kan ändra eller avsluta")
    assert "/jag-hjalper" in str(_run(back, "accept"))
    with session_scope() as db:
        viewer = viewer_for_session_token(session=db, token=token)
        assert list(viewer.grants.values()) == [frozenset({ProxyScope.SELF_CARE})]
        assert invitations.find_held(session=db, device_token=DEVICE) is None


def test_what_was_typed_stays_and_each_field_says_what_is_wrong() -> None:
    page = _visitor_with(_annas_code())
    _run(page, "create_account", _form(display_name=" ", username="Å", password="kort"))
    assert page.account_values == {"display_name": " ", "username": "Å"}
    assert page.account_errors["display_name"].startswith("Skriv ditt namn")
    assert page.account_errors["username"].startswith("Välj ett användarnamn")
    assert page.account_errors["password"].startswith("Välj ett lösenord med minst 12 tecken")
    # The password is never kept in the state, refused or not.
    assert PASSWORD not in str(page.dict()) and "kort" not in str(page.dict())
    _run(page, "create_account", _form(username="oidc-123456"))  # the providers' names
    assert page.account_errors["username"].startswith("Välj ett användarnamn")
    _run(page, "create_account", _form(username="anna"))
    assert page.account_errors["username"] == (
        "Det användarnamnet är redan upptaget. Välj ett annat."
    )
    with session_scope() as db:
        assert db.exec(select(User).where(User.username == "ingrid")).first() is None
        refused = db.exec(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.ACCOUNT_REFUSED.value)
        ).all()
    assert len(refused) == 1


def test_accounts_from_one_address_are_throttled_like_sign_in() -> None:
    code = _annas_code()
    for number in range(3):
        page = _visitor_with(code, cookie=f"nara_device=device-{number}")
        _run(page, "create_account", _form(username=f"n{number}x"))
        assert full_page_load_path(page).startswith("/auth/session?")
    page = _visitor_with(code, cookie="nara_device=device-4")
    assert _run(page, "create_account", _form(username="n4x")) is None
    assert page.account_notice == "För många försök. Vänta 1 minut och försök igen."
    # Another address is not held up by this one.
    other = _visitor_with(code, cookie="nara_device=device-5", ip="198.51.100.2")
    _run(other, "create_account", _form(username="n5x"))
    assert full_page_load_path(other).startswith("/auth/session?")
    with clock.travel(clock.now() + timedelta(minutes=2)):
        later = _visitor_with(code, cookie="nara_device=device-6")
        _run(later, "create_account", _form(username="n6x"))
        assert full_page_load_path(later).startswith("/auth/session?")


@pytest.mark.parametrize("ending", ["expired", "withdrawn", "used"])
def test_no_account_from_an_invitation_that_no_longer_works(ending: str) -> None:
    code = _annas_code()
    page = _visitor_with(code)
    column = {"expired": "expires_at", "withdrawn": "revoked_at", "used": "accepted_at"}[ending]
    moment = clock.now() - timedelta(minutes=1)
    with session_scope() as db:
        db.connection().execute(
            update(ProxyInvitation)
            .where(ProxyInvitation.token_hash == invitations.hash_code(code))
            .values({column: moment})
        )
    assert _run(page, "create_account", _form()) is None
    assert page.error.startswith("Inbjudan") and not page.has_code
    with session_scope() as db:
        assert accounts.user_by_username(session=db, username="ingrid") is None
        assert invitations.find_held(session=db, device_token=DEVICE) is None


def test_without_an_invitation_there_is_no_account_to_make() -> None:
    page = _tab("/inbjudan", cookie="nara_device=a-browser-that-opened-nothing")
    _run(page, "load")
    assert not page.has_code
    assert _run(page, "create_account", _form()) is None
    with session_scope() as db:
        assert accounts.user_by_username(session=db, username="ingrid") is None


def test_the_held_invitation_stays_with_the_browser_that_opened_it() -> None:
    _visitor_with(_annas_code())
    # Bo signs in on another phone and opens /inbjudan: nothing is offered to him.
    cookie = session_cookie_for("erik").replace("device-1", "another-phone")
    elsewhere = _tab("/inbjudan", cookie=cookie)
    _run(elsewhere, "load")
    assert (elsewhere.has_code, elsewhere.inviter) == (False, "")
    # And it lasts half an hour: a shared computer does not offer it for long.
    with clock.travel(clock.now() + invitations.HOLD_FOR + timedelta(seconds=1)):
        later = _tab("/inbjudan", cookie=session_cookie_for("erik").replace("device-1", DEVICE))
        _run(later, "load")
        assert (later.has_code, later.inviter) == (False, "")


def test_a_signed_in_visitor_is_not_given_a_second_account() -> None:
    code = _annas_code()
    cookie = session_cookie_for("erik")
    page = _tab(f"/inbjudan?kod={code}", cookie=cookie)
    _run(page, "load")
    assert page.inviter == "Anna Lindqvist"
    assert _run(page, "create_account", _form()) is None
    with session_scope() as db:
        assert accounts.user_by_username(session=db, username="ingrid") is None


@pytest.mark.parametrize(
    "hostile",
    [
        {"display_name": "Ingrid\x00Granne"},  # NUL: PostgreSQL refuses it in text
        {"display_name": "Ingrid \udda0"},  # a lone surrogate: JSON allows it, UTF-8 not
        {"display_name": "\u202eennarG dirgnI"},  # a right-to-left override
        {"display_name": "x" * 200_000},
        {"username": "ingrid\x00"},
        {"username": ["ingrid"]},
        {"password": {"$ne": ""}},
        {"password": "p" * 100_000},
        {"display_name": None, "username": None, "password": None},
    ],
)
def test_hostile_fields_with_a_live_invitation_are_refused_calmly(hostile: dict) -> None:
    page = _visitor_with(_annas_code())
    form = {**_form(), **hostile}
    result = _run(page, "create_account", form)
    with session_scope() as db:
        made = accounts.user_by_username(session=db, username="ingrid")
    if made is None:
        assert result is None and any(page.account_errors.values())
    else:
        # Only what could be cleaned into a plain name goes through, and it is plain.
        assert made.display_name.isprintable() and "\x00" not in made.display_name
