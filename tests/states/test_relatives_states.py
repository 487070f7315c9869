"""Relatives as the pages use them: invite, accept, act, revoke mid-session, the log."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import update
from sqlmodel import select

from naranara import clock
from naranara.db import session_scope
from naranara.models import AuthSession, ProxyScope, User
from naranara.services import access, demo_data, invitations
from naranara.states.access_log import AccessLogState
from naranara.states.acting_for import ActingForState, FocusBannerState
from naranara.states.agreed_times import AgreedTimesState
from naranara.states.invitation import InvitationState
from naranara.states.page_open import PageOpenState
from naranara.states.relatives import RelativesState
from tests.states.conftest import session_cookie_for, sibling, state_for

pytestmark = [
    pytest.mark.usefixtures("seeded_db"),
    pytest.mark.time_sensitive,
]


def _user(username: str) -> User:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one()


def _run(state, name: str, *args):  # noqa: ANN001, ANN202
    result = type(state).event_handlers[name].fn(state, *args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def _invite(cookie: str, form: dict) -> RelativesState:
    state = state_for(RelativesState, cookie=cookie, path="/profil/narstaende")
    _run(state, "load")
    _run(state, "create_invitation", form)
    return state


def test_invite_accept_act_and_revoke_on_the_next_event() -> None:
    anna, erik = _user("anna"), _user("erik")
    annas = session_cookie_for("anna")
    invited = _invite(annas, {"scope_care_plan": "on", "scope_self_care": "on"})
    assert invited.form_error == "" and invited.new_code
    assert invited.new_link.endswith(f"/inbjudan?kod={invited.new_code}")
    assert invited.new_qr.startswith("data:image/svg+xml")
    assert [i.shares for i in invited.invitations] == [
        "Se mina tider och kontakter, Se och bocka av min egenvård"
    ]

    eriks = session_cookie_for("erik")
    opening = state_for(InvitationState, cookie=eriks, path=f"/inbjudan?kod={invited.new_code}")
    _run(opening, "load")
    assert (opening.inviter, opening.error) == ("Anna Lindqvist", "")
    assert opening.shares == ["Se mina tider och kontakter", "Se och bocka av min egenvård"]
    assert "/jag-hjalper" in str(_run(opening, "accept"))

    helping = state_for(ActingForState, cookie=eriks, path="/jag-hjalper")
    _run(helping, "load")
    [person] = helping.people
    assert person.name == "Anna Lindqvist"
    assert [link.label for link in person.links] == ["Tider", "Kontakter", "Plan", "Egenvård"]
    opening = state_for(PageOpenState, cookie=eriks, path=f"/tider?invanare={anna.id}")
    _run(opening, "load")
    banner = sibling(opening, FocusBannerState)
    assert (banner.helping, banner.helps_anyone) == ("Anna Lindqvist", True)

    # Erik's tab stays open on Anna's times while Anna turns the care plan off.
    times = state_for(AgreedTimesState, cookie=eriks, path=f"/tider?invanare={anna.id}")
    _run(times, "load")
    assert times.allowed and times.upcoming
    relatives = state_for(RelativesState, cookie=annas, path="/profil/narstaende")
    _run(relatives, "load")
    [shown] = relatives.relatives
    assert (shown.name, [s.scope for s in shown.scopes if s.granted]) == (
        "Erik Lindqvist",
        ["care_plan", "self_care"],
    )
    _run(relatives, "toggle_scope", erik.id, "care_plan")
    assert [s.scope for s in relatives.relatives[0].scopes if s.granted] == ["self_care"]
    # The very next event of Erik's open tab: nothing of Anna's times any more.
    _run(times, "load")
    assert (times.allowed, times.upcoming, times.past) == (False, [], [])
    # Removing Erik altogether leaves nothing, and his list of people is empty.
    _run(relatives, "remove_relative", erik.id)
    assert relatives.relatives == []
    _run(helping, "load")
    assert helping.people == []


def test_an_expired_reused_or_tampered_code_is_refused_in_swedish() -> None:
    anna = _user("anna")
    with session_scope() as db:
        made = [
            invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.PROFILE})
            for _ in range(2)
        ]
        db.connection().execute(
            update(invitations.ProxyInvitation)
            .where(invitations.ProxyInvitation.id == made[0].invitation.id)
            .values(expires_at=clock.now() - timedelta(minutes=1))
        )
    eriks = session_cookie_for("erik")

    def opened(code: str) -> InvitationState:
        state = state_for(InvitationState, cookie=eriks, path=f"/inbjudan?kod={quote(code)}")
        _run(state, "load")
        return state

    assert opened(made[0].code).error.startswith("Inbjudan har gått ut.")
    changed = made[1].code[:-1] + ("x" if made[1].code[-1] != "x" else "y")  # one letter off
    assert opened(changed).error.startswith("Koden till inbjudan stämmer inte.")
    accepted = opened(made[1].code)
    _run(accepted, "accept")
    again = opened(made[1].code)
    assert again.error.startswith("Inbjudan har redan använts.") and again.inviter == ""
    with session_scope() as db:
        fresh = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.PROFILE})
    staff = state_for(
        InvitationState, cookie=session_cookie_for("sara"), path=f"/inbjudan?kod={fresh.code}"
    )
    _run(staff, "load")
    assert staff.error == (
        "Konton för vårdpersonal kan inte ta emot inbjudningar. Logga in med ditt privata konto."
    )
    assert staff.inviter == ""


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_without_the_code() -> None:
    anna = _user("anna")
    with session_scope() as db:
        code = invitations.create(
            session=db, resident_id=anna.id, scopes={ProxyScope.CARE_PLAN}
        ).code
    state = state_for(InvitationState, cookie="nara_device=visitor-1", path=f"/inbjudan?kod={code}")
    _run(state, "load")
    assert (state.signed_in, state.has_code, state.inviter) == (False, True, "")
    # Back to plain /inbjudan: the browser holds the invitation, the address has no code.
    assert state.sign_in_href == "/logga-in?next=%2Finbjudan"
    with session_scope() as db:
        held = invitations.find_held(session=db, device_token="visitor-1")
    assert held is not None and held.resident_id == anna.id


def test_inviting_needs_a_recent_sign_in() -> None:
    cookie = session_cookie_for("anna")
    with session_scope() as db:
        db.connection().execute(
            update(AuthSession).values(created_at=clock.now() - timedelta(hours=2))
        )
    state = state_for(RelativesState, cookie=cookie, path="/profil/narstaende")
    _run(state, "load")
    # Still signed in and on her own page: only the sharing itself asks for a new sign-in.
    assert (state.loaded, state.allowed) == (True, True)
    result = _run(state, "create_invitation", {"scope_care_plan": "on"})
    assert "/logga-in?bekrafta=1" in str(result)
    assert (state.new_code, state.form_error) == ("", "")
    with session_scope() as db:
        assert invitations.open_invitations(session=db, resident_id=_user("anna").id) == []


def test_sign_in_again_is_a_redirect() -> None:
    cookie = session_cookie_for("anna")
    with session_scope() as db:
        db.connection().execute(
            update(AuthSession).values(created_at=clock.now() - timedelta(hours=2))
        )
    state = state_for(RelativesState, cookie=cookie, path="/profil/narstaende")
    result = _run(state, "create_invitation", {"scope_care_plan": "on"})
    assert "/logga-in?bekrafta=1" in str(result)


def test_nothing_chosen_keeps_the_form_with_a_message() -> None:
    state = _invite(session_cookie_for("anna"), {})
    assert state.form_error == "Välj minst en sak som personen får se eller göra."
    assert state.new_code == ""


def test_a_relative_cannot_invite_manage_or_read_the_log() -> None:
    erik = _user("erik")
    eriks = session_cookie_for("erik")
    state = _invite(eriks, {"scope_care_plan": "on"})
    assert (state.loaded, state.allowed, state.new_code) == (True, False, "")
    assert state.form_error == "Det kan du inte göra här."
    log = state_for(AccessLogState, cookie=eriks, path="/profil/vem-har-sett")
    _run(log, "load")
    assert (log.loaded, log.allowed, log.entries) == (True, False, [])
    with session_scope() as db:
        assert invitations.open_invitations(session=db, resident_id=erik.id) == []


def test_staff_without_care_are_refused_and_the_resident_sees_it() -> None:
    anna = _user("anna")
    times = state_for(
        AgreedTimesState, cookie=session_cookie_for("sara"), path=f"/tider?invanare={anna.id}"
    )
    _run(times, "load")
    assert (times.loaded, times.allowed, times.upcoming) == (True, False, [])
    log = state_for(AccessLogState, cookie=session_cookie_for("anna"), path="/profil/vem-har-sett")
    _run(log, "load")
    assert [(e.who, e.role, e.what) for e in log.entries] == [
        ("Sara Holm", "vårdpersonal", "Försökte öppna dina tider men fick inte")
    ]
    _run(log, "apply_filter", {"person": "", "doing": "read", "period": ""})
    assert log.entries == []
    _run(log, "apply_filter", {"person": str(_user("sara").id), "doing": "refused", "period": "7"})
    assert len(log.entries) == 1


def test_the_demo_lets_erik_help_anna() -> None:
    with session_scope() as db:
        demo_data.seed_relatives(db)
    anna, erik = _user("anna"), _user("erik")
    with session_scope() as db:
        assert access.grants_of(session=db, relative_id=erik.id) == {
            anna.id: {ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE}
        }
        assert access.residents_in_care_of(session=db, staff_id=_user("sara").id) == frozenset()
    log = state_for(AccessLogState, cookie=session_cookie_for("anna"), path="/profil/vem-har-sett")
    _run(log, "load")
    assert [e.who for e in log.entries] == ["Erik Lindqvist"] * 4 + ["Sara Holm"] * 2
