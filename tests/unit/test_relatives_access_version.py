"""The access version, held invitations, accounts made from an invitation (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock, inputs
from naranara.models import (
    AuditEvent,
    AuditKind,
    ProxyGrant,
    ProxyInvitationHold,
    ProxyScope,
    Role,
    User,
)
from naranara.policy import may_hold_grants, viewer_of
from naranara.services import access, accounts, audit, invitations, sessions, throttle
from naranara.services.access_log import HELPING_ENDED_DETAIL, read_page
from naranara.services.audit import fingerprint
from naranara.services.invitations import InvitationRefused, Refusal
from tests.utils.factories import make_user


def _version(db: Session, user: User) -> int:
    db.expire_all()
    return db.get(User, user.id).access_version


def test_every_change_of_a_grant_or_care_relationship_raises_the_version(db: Session) -> None:
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    sara = make_user(db, username="sara", role=Role.STAFF)
    steps = [
        lambda: access.grant(
            session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE
        ),
        lambda: access.grant(
            session=db,
            resident_id=anna.id,
            relative_id=erik.id,
            scope=ProxyScope.SELF_CARE,
            expires_at=clock.now() + timedelta(days=3),
        ),
        lambda: access.set_scopes(
            session=db,
            resident_id=anna.id,
            relative_id=erik.id,
            scopes=frozenset({ProxyScope.CARE_PLAN}),
        ),
        lambda: access.revoke_all(session=db, resident_id=anna.id, relative_id=erik.id),
    ]
    seen = [_version(db, erik)]
    for step in steps:
        step()
        seen.append(_version(db, erik))
    assert all(after > before for before, after in zip(seen, seen[1:], strict=False)), seen
    # Nothing changed, nothing raised: the same grant again, or revoking what is not there.
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.PROFILE)
    held = _version(db, erik)
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.PROFILE)
    access.revoke(
        session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.MEASUREMENTS
    )
    assert _version(db, erik) == held
    # Anna's own version never moves: her access to others did not change.
    assert _version(db, anna) == 0

    before = _version(db, sara)
    access.record_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id)
    middle = _version(db, sara)
    access.end_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id)
    assert before < middle < _version(db, sara)


def test_the_version_is_read_from_the_session_cookie_and_carried_by_the_viewer(
    db: Session,
) -> None:
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    token = sessions.start_session(session=db, user=erik)
    db.flush()
    access.bump_access_version(session=db, user_id=erik.id)
    access.bump_access_version(session=db, user_id=erik.id)
    assert access.access_version_of_session(session=db, token=token) == 2
    assert access.access_version_of_session(session=db, token="not-a-session") is None
    assert access.access_version_of_session(session=db, token=None) is None
    assert viewer_of(db.get(User, erik.id), session=db).access_version == 2


def test_ended_scopes_are_what_was_shared_once_and_is_not_now(db: Session) -> None:
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    for scope in (ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE):
        access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=scope)
    assert access.ended_scopes(session=db, resident_id=anna.id, relative_id=erik.id) == set()
    access.revoke(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    assert access.ended_scopes(session=db, resident_id=anna.id, relative_id=erik.id) == {
        ProxyScope.SELF_CARE
    }
    # Granted again: nothing has ended any more.
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    assert access.ended_scopes(session=db, resident_id=anna.id, relative_id=erik.id) == set()


@pytest.mark.parametrize(
    ("role", "may"),
    [(Role.RELATIVE, True), (Role.RESIDENT, True), (Role.STAFF, False), (Role.ADMIN, False)],
)
def test_who_may_hold_a_grant_is_the_policys_answer(db: Session, role: Role, may: bool) -> None:
    assert may_hold_grants(role) is may
    anna = make_user(db, username="anna")
    someone = make_user(db, role=role)
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.SELF_CARE})
    assert (
        invitations.refusal_for(role=role, user_id=someone.id, invitation=made.invitation) is None
    ) is may


# ------------------------------------------------------------------------- held invitations


def test_an_invitation_held_for_a_browser_is_found_by_that_browser_only(db: Session) -> None:
    anna = make_user(db, username="anna")
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.CARE_PLAN})
    now = clock.now()
    invitations.hold(session=db, invitation=made.invitation, device_token="phone", now=now)
    db.flush()
    assert invitations.find_held(session=db, device_token="phone", now=now).id == (
        made.invitation.id
    )
    assert invitations.find_held(session=db, device_token="laptop", now=now) is None
    assert invitations.find_held(session=db, device_token="", now=now) is None
    # Only the hash of the device cookie is stored.
    assert [row.device_hash for row in db.exec(select(ProxyInvitationHold))] == [
        sessions.token_digest("phone")
    ]
    later = now + invitations.HOLD_FOR + timedelta(seconds=1)
    assert invitations.find_held(session=db, device_token="phone", now=later) is None


def test_a_held_invitation_is_accepted_once_and_then_held_no_more(db: Session) -> None:
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.SELF_CARE})
    invitations.hold(session=db, invitation=made.invitation, device_token="phone")
    db.flush()
    invitations.accept_held(session=db, device_token="phone", user=erik)
    assert access.grants_of(session=db, relative_id=erik.id) == {anna.id: {ProxyScope.SELF_CARE}}
    assert db.exec(select(ProxyInvitationHold)).all() == []
    with pytest.raises(InvitationRefused) as refused:
        invitations.accept_held(session=db, device_token="phone", user=erik)
    assert refused.value.reason is Refusal.UNKNOWN


def test_a_held_invitation_that_ended_meanwhile_says_why(db: Session) -> None:
    anna = make_user(db, username="anna")
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.SELF_CARE})
    invitations.hold(session=db, invitation=made.invitation, device_token="phone")
    invitations.withdraw(session=db, resident_id=anna.id, invitation_id=made.invitation.id)
    db.flush()
    with pytest.raises(InvitationRefused) as refused:
        invitations.find_held(session=db, device_token="phone")
    assert refused.value.reason is Refusal.WITHDRAWN


# ----------------------------------------------------------------- an account from the link


def test_an_account_from_an_invitation_is_a_relatives_and_in_the_audit_log(db: Session) -> None:
    anna = make_user(db, username="anna")
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.SELF_CARE})
    user = invitations.create_account(
        session=db,
        invitation=made.invitation,
        username=" Ingrid ",
        display_name="  Ingrid \u200b Granne\u202e ",
        password_hash=accounts.hash_password("tre ord i rad för ingrid"),
        locale="sv",
        client_address="203.0.113.7",
    )
    assert (user.username, user.display_name, user.role) == ("ingrid", "Ingrid Granne", "relative")
    event = db.exec(select(AuditEvent).where(AuditEvent.actor_id == user.id)).one()
    assert event.kind == AuditKind.ACCOUNT_CREATED.value
    assert made.code not in event.detail and "203.0.113.7" not in event.client_hash
    # A name already taken: no account, and the attempt counts towards the limit.
    again = invitations.create_account(
        session=db,
        invitation=made.invitation,
        username="INGRID",
        display_name="Någon Annan",
        password_hash="x",
        locale="sv",
        client_address="203.0.113.7",
    )
    assert again is None


@pytest.mark.parametrize(
    ("username", "problem"),
    [
        ("ingrid", None),
        ("ingrid.granne-2", None),
        ("i", accounts.USERNAME_INVALID),
        ("ingrid granne", accounts.USERNAME_INVALID),
        ("ingrid@example.se", accounts.USERNAME_INVALID),
        ("åsa", accounts.USERNAME_INVALID),
        ("oidc-0123456789abcdef01234567", accounts.USERNAME_INVALID),
        ("x" * 65, accounts.USERNAME_INVALID),
    ],
)
def test_usernames_people_choose(username: str, problem: str | None) -> None:
    assert accounts.username_problem(username) == problem


def test_each_field_of_a_new_account_is_checked_on_its_own() -> None:
    assert accounts.new_account_problems(
        display_name="\u200b\u202e ", username="ingrid", password="ingrid"
    ) == {
        "display_name": accounts.DISPLAY_NAME_MISSING,
        "password": accounts.PASSWORD_TOO_SHORT,
    }
    assert accounts.new_account_problems(
        display_name="In\x00grid", username="ingrid", password="ingrid-ingrid"
    ) == {"display_name": inputs.UNSAVEABLE}
    assert accounts.new_account_problems(
        display_name="x" * 121, username="ingrid", password="ingrid-ingrid"
    ) == {"display_name": inputs.TOO_LONG}
    assert (
        accounts.new_account_problems(
            display_name="Ingrid", username="ingrid", password="tre ord i rad"
        )
        == {}
    )


def test_new_accounts_per_address_wait_after_three(db: Session) -> None:
    now = clock.now()
    for ago in (timedelta(minutes=10), timedelta(minutes=5), timedelta(seconds=10)):
        db.add(
            AuditEvent(
                at=now - ago,
                kind=AuditKind.ACCOUNT_CREATED.value,
                client_hash=fingerprint("203.0.113.7"),
            )
        )
    db.flush()
    wait = throttle.account_creation_wait(session=db, client_address="203.0.113.7", now=now)
    # The fourth waits a minute after the third, like a sixth failed sign-in.
    assert wait == throttle.FIRST_WAIT - timedelta(seconds=10)
    assert (
        throttle.account_creation_wait(session=db, client_address="198.51.100.2", now=now) is None
    )
    later = now + throttle.WINDOW
    assert (
        throttle.account_creation_wait(session=db, client_address="203.0.113.7", now=later) is None
    )


def test_the_log_says_what_a_helper_did_with_the_invitation(db: Session) -> None:
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.SELF_CARE})
    invitations.accept(session=db, code=made.code, user=erik)
    db.flush()
    now = clock.now() + timedelta(seconds=1)
    # What states/acting_for.step_back writes when a relative stops helping.
    db.add(
        AuditEvent(
            at=now,
            kind=AuditKind.RECORD_CHANGED.value,
            actor_id=erik.id,
            subject_id=anna.id,
            detail=HELPING_ENDED_DETAIL,
        )
    )
    db.flush()
    page = read_page(session=db, resident_id=anna.id, locale="sv", now=now)
    assert [entry.what for entry in page.entries] == [
        "Slutade hjälpa dig",
        "Tackade ja till din inbjudan och kan nu hjälpa dig",
    ]
    english = read_page(session=db, resident_id=anna.id, locale="en", now=now)
    assert [entry.what for entry in english.entries] == [
        "Stopped helping you",
        "Accepted your invitation and can now help you",
    ]


@pytest.mark.time_sensitive
@pytest.mark.both_databases("a conditional UPDATE, and EXISTS in the select, on each database")
def test_a_grant_that_expires_raises_the_version_at_the_next_read(db: Session) -> None:
    """No one touches a grant when it expires: the next read of the relative's version
    (every event, every handshake) closes it and raises the version, once."""
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    token = sessions.start_session(session=db, user=erik)
    ends = clock.now() + timedelta(hours=1)
    access.grant(
        session=db,
        resident_id=anna.id,
        relative_id=erik.id,
        scope=ProxyScope.SELF_CARE,
        expires_at=ends,
    )
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.CARE_PLAN)
    db.flush()
    before = access.access_version_of_session(session=db, token=token)
    assert access.access_version_of_session(session=db, token=token) == before  # nothing yet
    with clock.travel(ends + timedelta(seconds=1)):
        after = access.access_version_of_session(session=db, token=token)
        assert after == before + 1
        assert access.access_version_of_session(session=db, token=token) == after  # once
        db.expire_all()
        row = db.exec(
            select(ProxyGrant).where(
                ProxyGrant.relative_id == erik.id, ProxyGrant.scope == ProxyScope.SELF_CARE
            )
        ).one()
        assert row.revoked_at == ends
        # What she still shares is untouched; what ended is what he is told ended.
        assert access.grants_of(session=db, relative_id=erik.id) == {
            anna.id: frozenset({ProxyScope.CARE_PLAN})
        }
        assert access.ended_scopes(session=db, resident_id=anna.id, relative_id=erik.id) == {
            ProxyScope.SELF_CARE
        }
    assert _version(db, anna) == 0


@pytest.mark.time_sensitive
def test_what_a_helper_is_told_on_hem_after_the_resident_stopped_sharing(db: Session) -> None:
    """What she turned off lately and does not share now, with what she still shares;
    not what the helper gave up himself, not what ended more than a week ago."""
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    greta = make_user(db, username="greta")
    for resident in (anna, greta):
        access.set_scopes(
            session=db,
            resident_id=resident.id,
            relative_id=erik.id,
            scopes=frozenset({ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE}),
        )
    assert access.recently_ended(session=db, relative_id=erik.id) == {}
    access.revoke(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    assert access.recently_ended(session=db, relative_id=erik.id) == {
        anna.id: (frozenset({ProxyScope.SELF_CARE}), frozenset({ProxyScope.CARE_PLAN}))
    }
    # Turned on again: nothing to tell.
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    assert access.recently_ended(session=db, relative_id=erik.id) == {}
    access.revoke_all(session=db, resident_id=anna.id, relative_id=erik.id)
    assert access.recently_ended(session=db, relative_id=erik.id) == {
        anna.id: (frozenset({ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE}), frozenset())
    }
    # Erik steps back from Greta himself (as ActingForState.step_back records it).
    access.revoke_all(session=db, resident_id=greta.id, relative_id=erik.id)
    audit.record_access(
        session=db,
        actor_id=erik.id,
        resident_id=greta.id,
        detail=HELPING_ENDED_DETAIL,
        changed=True,
    )
    assert set(access.recently_ended(session=db, relative_id=erik.id)) == {anna.id}
    with clock.travel(clock.now() + access.RECENTLY_ENDED_FOR + timedelta(minutes=1)):
        assert access.recently_ended(session=db, relative_id=erik.id) == {}
