"""Accounts of people who sign in through an identity provider: linked on (issuer, sub) only."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from naranara.models import ExternalIdentity, Role, User
from naranara.services import external_identities
from tests.utils.factories import make_user

BANKID = "https://bankid.example"
OTHER = "https://other.example"


def _users(db: Session) -> int:
    return db.exec(select(func.count()).select_from(User)).one()


def test_first_sign_in_creates_a_resident_then_finds_the_same(db: Session) -> None:
    first = external_identities.sign_in(
        session=db,
        issuer=BANKID,
        subject="197001011234",
        audience=Role.RESIDENT,
        display_name="Ella Berg",
        locale="en-GB",
    )
    assert first.created
    assert (first.user.role, first.user.display_name, first.user.locale) == (
        Role.RESIDENT,
        "Ella Berg",
        "en",
    )
    # The username is never the personal identity number or anything else readable.
    assert "197001011234" not in first.user.username
    again = external_identities.sign_in(
        session=db,
        issuer=BANKID,
        subject="197001011234",
        audience=Role.RESIDENT,
        display_name="Ella Berg-Lund",
        locale="sv",
    )
    assert not again.created and again.user.id == first.user.id
    assert again.user.display_name == "Ella Berg-Lund"
    assert again.user.locale == "en"  # the person's own choice is kept


def test_the_same_subject_at_another_issuer_is_another_person(db: Session) -> None:
    one = external_identities.sign_in(
        session=db,
        issuer=BANKID,
        subject="42",
        audience=Role.RESIDENT,
        display_name="A",
        locale=None,
    )
    two = external_identities.sign_in(
        session=db,
        issuer=OTHER,
        subject="42",
        audience=Role.RESIDENT,
        display_name="A",
        locale=None,
    )
    assert one.user.id != two.user.id


@pytest.mark.both_databases("a unique constraint, enforced by each database")
def test_an_identity_links_to_one_account_only(db: Session) -> None:
    anna = make_user(db, role=Role.RESIDENT)
    erik = make_user(db, role=Role.RELATIVE)
    external_identities.link(session=db, user_id=anna.id, issuer=BANKID, subject="x")
    db.commit()
    with pytest.raises(IntegrityError):
        external_identities.link(session=db, user_id=erik.id, issuer=BANKID, subject="x")
    db.rollback()
    assert db.exec(select(func.count()).select_from(ExternalIdentity)).one() == 1


def test_staff_are_not_created_on_first_sign_in(db: Session) -> None:
    before = _users(db)
    with pytest.raises(external_identities.NoLinkedAccount):
        external_identities.sign_in(
            session=db,
            issuer=BANKID,
            subject="hsa-1",
            audience=Role.STAFF,
            display_name="Sara Holm",
            locale="sv",
        )
    assert _users(db) == before
    sara = make_user(db, role=Role.STAFF)
    external_identities.link(session=db, user_id=sara.id, issuer=BANKID, subject="hsa-1")
    found = external_identities.sign_in(
        session=db,
        issuer=BANKID,
        subject="hsa-1",
        audience=Role.STAFF,
        display_name="",
        locale=None,
    )
    assert (found.user.id, found.created) == (sara.id, False)
    assert found.user.display_name == sara.display_name  # an empty name never overwrites
