"""Relatives' grants and staff's care relationships, as the policy reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from naranara import clock
from naranara.models import AuditEvent, AuditKind, ProxyScope, Role
from naranara.policy import Action, is_allowed, viewer_of
from naranara.services import access, audit, care_units
from tests.utils.factories import make_user


def test_a_grant_lets_the_relative_in_its_scope_only(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    db.commit()
    viewer = viewer_of(erik, session=db)
    assert viewer.grants == {anna.id: frozenset({ProxyScope.SELF_CARE})}
    assert is_allowed(viewer, Action.RECORD_SELF_CARE, anna.id)
    assert not is_allowed(viewer, Action.VIEW_CARE_PLAN, anna.id)


def test_revoked_and_expired_grants_count_for_nothing(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    access.grant(session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE)
    access.grant(
        session=db,
        resident_id=anna.id,
        relative_id=erik.id,
        scope=ProxyScope.CARE_PLAN,
        expires_at=clock.now() - timedelta(minutes=1),
    )
    assert access.grants_of(session=db, relative_id=erik.id) == {
        anna.id: frozenset({ProxyScope.SELF_CARE})
    }
    ended = access.revoke(
        session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.SELF_CARE
    )
    assert ended == 1
    assert access.grants_of(session=db, relative_id=erik.id) == {}
    assert not is_allowed(viewer_of(erik, session=db), Action.VIEW_SELF_CARE, anna.id)


def test_granting_twice_keeps_one_active_grant(db: Session) -> None:
    anna, erik = make_user(db), make_user(db, role=Role.RELATIVE)
    first = access.grant(
        session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.CARE_PLAN
    )
    later = clock.now() + timedelta(days=30)
    again = access.grant(
        session=db,
        resident_id=anna.id,
        relative_id=erik.id,
        scope=ProxyScope.CARE_PLAN,
        expires_at=later,
    )
    assert again.id == first.id and again.expires_at == later


def test_no_one_grants_access_to_themself(db: Session) -> None:
    anna = make_user(db)
    with pytest.raises(ValueError):
        access.grant(
            session=db, resident_id=anna.id, relative_id=anna.id, scope=ProxyScope.CARE_PLAN
        )


def test_staff_reads_only_during_a_care_relationship(db: Session) -> None:
    anna, bo = make_user(db), make_user(db)
    sara = make_user(db, role=Role.STAFF)
    access.record_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id)
    viewer = viewer_of(sara, session=db)
    assert viewer.cares_for == {anna.id}
    assert is_allowed(viewer, Action.VIEW_CARE_PLAN, anna.id)
    assert not is_allowed(viewer, Action.VIEW_CARE_PLAN, bo.id)
    assert not is_allowed(viewer, Action.RECORD_SELF_CARE, anna.id)
    assert access.end_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id) == 1
    assert not is_allowed(viewer_of(sara, session=db), Action.VIEW_CARE_PLAN, anna.id)


def test_grants_to_a_staff_account_are_not_read(db: Session) -> None:
    anna = make_user(db)
    sara = make_user(db, role=Role.STAFF)
    access.grant(session=db, resident_id=anna.id, relative_id=sara.id, scope=ProxyScope.SELF_CARE)
    assert viewer_of(sara, session=db).grants == {}


def test_care_recipients_lists_current_relationships_by_name(db: Session) -> None:
    sara = make_user(db, role=Role.STAFF)
    bo, anna, cilla = make_user(db), make_user(db), make_user(db)
    bo.display_name, anna.display_name, cilla.display_name = "Bo", "Anna", "Cilla"
    nacksta = care_units.create_unit(session=db, data={"name": "Nacksta"})
    care_units.add_member(session=db, unit_id=nacksta.id, staff_id=sara.id)
    for resident in (bo, anna, cilla):
        access.record_care_relationship(
            session=db, staff_id=sara.id, resident_id=resident.id, unit_id=nacksta.id
        )
    access.end_care_relationship(session=db, staff_id=sara.id, resident_id=cilla.id)
    listed = access.care_recipients(session=db, staff_id=sara.id)
    assert [(c.resident.display_name, c.unit.name, c.fixed_contact.id) for c in listed] == [
        ("Anna", "Nacksta", sara.id),
        ("Bo", "Nacksta", sara.id),
    ]


def test_access_by_others_is_logged_and_own_use_is_not(db: Session) -> None:
    anna, sara = make_user(db), make_user(db, role=Role.STAFF)
    audit.record_access(session=db, actor_id=anna.id, resident_id=anna.id, detail="care_plan")
    audit.record_access(session=db, actor_id=sara.id, resident_id=anna.id, detail="care_plan")
    audit.record_access(
        session=db, actor_id=sara.id, resident_id=anna.id, detail="goal=1 added", changed=True
    )
    db.flush()
    rows = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(r.kind, r.actor_id, r.subject_id, r.detail) for r in rows] == [
        (AuditKind.RECORD_READ, sara.id, anna.id, "care_plan"),
        (AuditKind.RECORD_CHANGED, sara.id, anna.id, "goal=1 added"),
    ]
