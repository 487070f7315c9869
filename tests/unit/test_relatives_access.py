"""A resident changes what each relative may do, scope by scope; a relative can step back."""

from __future__ import annotations

from sqlmodel import Session

from naranara.models import ProxyScope, Role
from naranara.policy import Action, is_allowed, viewer_of
from naranara.services import access
from tests.utils.factories import make_user

CARE, SELF, PROFILE = ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE, ProxyScope.PROFILE


def test_set_scopes_adds_and_ends_each_scope_on_its_own(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    access.set_scopes(
        session=db, resident_id=anna.id, relative_id=erik.id, scopes=frozenset({CARE, SELF})
    )
    assert access.grants_of(session=db, relative_id=erik.id) == {anna.id: {CARE, SELF}}
    access.set_scopes(
        session=db, resident_id=anna.id, relative_id=erik.id, scopes=frozenset({SELF, PROFILE})
    )
    assert access.grants_of(session=db, relative_id=erik.id) == {anna.id: {SELF, PROFILE}}
    viewer = viewer_of(erik, session=db)
    assert not is_allowed(viewer, Action.VIEW_CARE_PLAN, anna.id)
    assert is_allowed(viewer, Action.VIEW_PROFILE, anna.id)


def test_revoking_one_scope_leaves_the_others(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    for scope in (CARE, SELF):
        access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=scope)
    access.revoke(session=db, resident_id=anna.id, relative_id=erik.id, scope=CARE)
    assert access.grants_of(session=db, relative_id=erik.id) == {anna.id: {SELF}}


def test_stepping_back_ends_everything_for_that_resident_only(db: Session) -> None:
    anna, bo, erik = make_user(db), make_user(db), make_user(db, role=Role.RELATIVE)
    for resident in (anna, bo):
        access.set_scopes(
            session=db, resident_id=resident.id, relative_id=erik.id, scopes=frozenset({CARE, SELF})
        )
    assert access.revoke_all(session=db, resident_id=anna.id, relative_id=erik.id) == 2
    assert access.grants_of(session=db, relative_id=erik.id) == {bo.id: {CARE, SELF}}


def test_several_relatives_per_resident_and_residents_per_relative(db: Session) -> None:
    anna, bo = make_user(db, username="anna"), make_user(db, username="bo")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    rut = make_user(db, username="rut", role=Role.RELATIVE)
    access.set_scopes(
        session=db, resident_id=anna.id, relative_id=erik.id, scopes=frozenset({CARE})
    )
    access.set_scopes(session=db, resident_id=anna.id, relative_id=rut.id, scopes=frozenset({SELF}))
    access.set_scopes(
        session=db, resident_id=bo.id, relative_id=erik.id, scopes=frozenset({PROFILE})
    )
    assert [(u.username, s) for u, s in access.relatives_of(session=db, resident_id=anna.id)] == [
        ("erik", {CARE}),
        ("rut", {SELF}),
    ]
    assert [(u.username, s) for u, s in access.helped_by(session=db, relative_id=erik.id)] == [
        ("anna", {CARE}),
        ("bo", {PROFILE}),
    ]
    access.revoke_all(session=db, resident_id=anna.id, relative_id=rut.id)
    assert [u.username for u, _ in access.relatives_of(session=db, resident_id=anna.id)] == ["erik"]
