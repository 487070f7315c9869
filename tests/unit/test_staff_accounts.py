"""Staff accounts as an administrator makes and changes them (/admin)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from naranara.inputs import InputInvalid
from naranara.models import AuditEvent, AuditKind, Role, User
from naranara.services import accounts, care_units, external_identities, sessions, staff_accounts
from tests.utils.factories import make_user

ISSUER = "https://siths.region.example"
PASSWORD = "ett första lösenord för kim"


def _new(db: Session, **data: str) -> staff_accounts.NewStaff:
    return staff_accounts.validate_new_staff(
        session=db,
        data={"display_name": "Kim Lund", "username": "Kim.Lund", "role": "staff", **data},
        with_identity="subject" in data,
    )


def test_a_staff_account_with_a_first_password_and_a_unit(db: Session) -> None:
    unit = care_units.create_unit(session=db, data={"name": "Granloholm"})
    admin = make_user(db, username="alva", role=Role.ADMIN)
    user = staff_accounts.create_staff(
        session=db,
        new=_new(db),
        password_hash=accounts.hash_password(PASSWORD),
        issuer=None,
        unit_id=unit.id,
        actor_id=admin.id,
    )
    db.commit()
    assert (user.username, user.role) == ("kim.lund", Role.STAFF)
    assert accounts.authenticate(session=db, username="kim.lund", password=PASSWORD)
    assert [u.name for _, u in care_units.memberships_of(session=db, staff_id=user.id)] == [
        "Granloholm"
    ]
    created = db.exec(select(AuditEvent).where(AuditEvent.kind == "staff_created")).one()
    assert (created.actor_id, created.detail) == (admin.id, "role=staff sign_in=password")


def test_a_staff_account_for_the_identity_provider_has_no_password(db: Session) -> None:
    user = staff_accounts.create_staff(
        session=db,
        new=_new(db, subject="SE2321000016-ABCD"),
        password_hash=None,
        issuer=ISSUER,
        unit_id=None,
        actor_id=None,
    )
    db.commit()
    assert user.password_hash is None
    found = external_identities.sign_in(
        session=db,
        issuer=ISSUER,
        subject="SE2321000016-ABCD",
        audience=Role.STAFF,
        display_name="Kim Lund",
        locale="sv",
    )
    assert found.user.id == user.id and not found.created
    with pytest.raises(InputInvalid) as taken:
        staff_accounts.create_staff(
            session=db,
            new=_new(db, username="other", subject="SE2321000016-ABCD"),
            password_hash=None,
            issuer=ISSUER,
            unit_id=None,
            actor_id=None,
        )
    assert taken.value.errors == {"subject": staff_accounts.ERROR_IDENTITY_TAKEN}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "x"}, "username"),
        ({"username": "sara"}, "username"),  # taken
        ({"username": "ok.name", "display_name": " "}, "display_name"),
        ({"username": "ok.name", "role": "resident"}, "role"),
        ({"username": "ok.name", "subject": ""}, "subject"),
    ],
)
def test_what_an_administrator_typed_is_checked(db: Session, data: dict, field: str) -> None:
    make_user(db, username="sara", role=Role.STAFF)
    with pytest.raises(InputInvalid) as refused:
        _new(db, **data)
    assert field in refused.value.errors


def test_an_administrator_works_in_no_unit(db: Session) -> None:
    unit = care_units.create_unit(session=db, data={"name": "Nacksta"})
    sara = make_user(db, username="sara", role=Role.STAFF)
    care_units.add_member(session=db, unit_id=unit.id, staff_id=sara.id)
    assert staff_accounts.change_role(session=db, user=sara, role=Role.ADMIN, actor_id=None)
    assert care_units.memberships_of(session=db, staff_id=sara.id) == []
    assert not staff_accounts.change_role(session=db, user=sara, role=Role.ADMIN, actor_id=None)
    resident = make_user(db)
    with pytest.raises(ValueError):  # residents keep their role
        staff_accounts.change_role(session=db, user=resident, role=Role.STAFF, actor_id=None)


def test_a_closed_account_cannot_sign_in_and_its_sessions_end(db: Session) -> None:
    kim = make_user(db, username="kim", role=Role.STAFF, password=PASSWORD)
    token = sessions.start_session(session=db, user=kim)
    db.commit()
    assert accounts.set_active(session=db, user=kim, active=False, actor_id=None)
    db.commit()
    assert accounts.authenticate(session=db, username="kim", password=PASSWORD) is None
    assert sessions.resolve_session(session=db, token=token) is None
    assert accounts.set_active(session=db, user=kim, active=True, actor_id=None)
    db.commit()
    assert accounts.authenticate(session=db, username="kim", password=PASSWORD) is not None
    assert sessions.resolve_session(session=db, token=token) is None  # ended for good
    kinds = [e.kind for e in db.exec(select(AuditEvent)).all()]
    assert kinds == [AuditKind.ACCOUNT_DEACTIVATED.value, AuditKind.ACCOUNT_REACTIVATED.value]
    assert db.get(User, kim.id).deactivated_at is None
