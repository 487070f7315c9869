"""Invitations to relatives: one use, seven days, only a hash stored, tampering refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, select

from naranara import clock
from naranara.models import AuditEvent, AuditKind, ProxyInvitation, ProxyScope, Role
from naranara.policy import Action, is_allowed, viewer_of
from naranara.services import access, invitations
from naranara.services.invitations import InvitationRefused, Refusal
from tests.utils.factories import make_user

pytestmark = [
    pytest.mark.both_databases("an invitation is spent by one conditional UPDATE"),
    pytest.mark.time_sensitive,
]

SCOPES = {ProxyScope.SELF_CARE, ProxyScope.CARE_PLAN}


def _refusal(db: Session, code: str, user, now=None) -> Refusal:  # noqa: ANN001
    with pytest.raises(InvitationRefused) as raised:
        invitations.accept(session=db, code=code, user=user, now=now)
    return raised.value.reason


def test_accepting_gives_exactly_the_chosen_scopes(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    made = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES)
    db.commit()
    invitations.accept(session=db, code=made.code, user=erik)
    db.commit()
    viewer = viewer_of(erik, session=db)
    assert viewer.grants == {anna.id: frozenset(SCOPES)}
    assert is_allowed(viewer, Action.RECORD_SELF_CARE, anna.id)
    assert not is_allowed(viewer, Action.VIEW_MEASUREMENTS, anna.id)
    stored = db.get(ProxyInvitation, made.invitation.id)
    assert stored.accepted_by_id == erik.id and stored.accepted_at is not None
    event = db.exec(select(AuditEvent).where(AuditEvent.subject_id == anna.id)).one()
    assert (event.kind, event.actor_id) == (AuditKind.RECORD_CHANGED.value, erik.id)


def test_only_the_hash_of_the_code_is_stored(db: Session) -> None:
    anna = make_user(db)
    made = invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.PROFILE})
    db.commit()
    assert len(made.code) >= 22  # 128 random bits
    row = db.connection().execute(select(ProxyInvitation.__table__)).one()._mapping
    assert made.code not in " ".join(str(value) for value in row.values())
    assert row["token_hash"] == invitations.hash_code(made.code)
    columns = {c["name"] for c in sa_inspect(db.connection()).get_columns("proxy_invitation")}
    assert "token" not in columns and "code" not in columns


def test_codes_are_different_every_time(db: Session) -> None:
    anna = make_user(db)
    codes = {
        invitations.create(session=db, resident_id=anna.id, scopes={ProxyScope.PROFILE}).code
        for _ in range(20)
    }
    assert len(codes) == 20


def test_an_invitation_works_once(db: Session) -> None:
    anna = make_user(db)
    erik, rut = make_user(db, role=Role.RELATIVE), make_user(db, role=Role.RELATIVE)
    made = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES)
    invitations.accept(session=db, code=made.code, user=erik)
    db.commit()
    assert _refusal(db, made.code, rut) is Refusal.USED
    assert _refusal(db, made.code, erik) is Refusal.USED
    assert access.grants_of(session=db, relative_id=rut.id) == {}


def test_an_invitation_expires_after_seven_days(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    now = clock.now()
    made = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES, now=now)
    assert made.invitation.expires_at == now + timedelta(days=7)
    later = now + timedelta(days=7, seconds=1)
    assert _refusal(db, made.code, erik, now=later) is Refusal.EXPIRED
    almost = now + timedelta(days=6, hours=23)
    invitations.accept(session=db, code=made.code, user=erik, now=almost)


@pytest.mark.parametrize("change", ["last", "first", "cut", "extra", "empty", "case"])
def test_a_tampered_code_is_refused(db: Session, change: str) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    code = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES).code
    flip = {"A": "B"}.get(code[-1], "A")
    tampered = {
        "last": code[:-1] + flip,
        "first": ("x" if code[0] != "x" else "y") + code[1:],
        "cut": code[:-3],
        "extra": code + "Q",
        "empty": "",
        "case": code.swapcase() if code.swapcase() != code else code + "a",
    }[change]
    assert _refusal(db, tampered, erik) is Refusal.UNKNOWN
    assert access.grants_of(session=db, relative_id=erik.id) == {}


def test_a_pasted_link_or_spaces_still_work(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    code = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES).code
    pasted = f"  https://nara.example/inbjudan?kod={code} \n"
    assert invitations.find(session=db, code=pasted).resident_id == anna.id
    invitations.accept(session=db, code=pasted, user=erik)


def test_a_withdrawn_invitation_is_refused(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    made = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES)
    bo = make_user(db)
    assert not invitations.withdraw(session=db, resident_id=bo.id, invitation_id=made.invitation.id)
    assert invitations.withdraw(session=db, resident_id=anna.id, invitation_id=made.invitation.id)
    assert _refusal(db, made.code, erik) is Refusal.WITHDRAWN
    assert invitations.open_invitations(session=db, resident_id=anna.id) == []


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_and_admin_cannot_become_ombud(db: Session, role: Role) -> None:
    anna, sara = make_user(db), make_user(db, role=role)
    made = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES)
    assert _refusal(db, made.code, sara) is Refusal.ROLE
    # Not spent: the relative it was meant for can still use it.
    invitations.accept(session=db, code=made.code, user=make_user(db, role=Role.RELATIVE))


def test_a_resident_can_help_their_partner_but_not_themself(db: Session) -> None:
    anna, bo = make_user(db), make_user(db)
    made = invitations.create(session=db, resident_id=anna.id, scopes=SCOPES)
    assert _refusal(db, made.code, anna) is Refusal.OWN
    invitations.accept(session=db, code=made.code, user=bo)
    assert access.grants_of(session=db, relative_id=bo.id) == {anna.id: frozenset(SCOPES)}


def test_an_invitation_shares_something(db: Session) -> None:
    anna = make_user(db)
    with pytest.raises(ValueError):
        invitations.create(session=db, resident_id=anna.id, scopes=set())


def test_every_refusal_has_a_message() -> None:
    assert set(invitations.REFUSAL_MESSAGES) == set(Refusal)


def test_the_qr_code_is_an_svg_image() -> None:
    uri = invitations.qr_data_uri("https://nara.example/inbjudan?kod=abc")
    assert uri.startswith("data:image/svg+xml")
