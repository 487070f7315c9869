"""Local accounts: creating people, checking passwords, choosing a language."""

from __future__ import annotations

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from naranara.db import get_engine
from naranara.models import Role, User
from naranara.services import accounts
from tests.utils.factories import make_user

PASSWORD = "rätt häst batteri häftstift"


@pytest.fixture
def anna(db: Session) -> User:
    user = accounts.create_user(
        session=db,
        username="  Anna.Lindqvist ",
        display_name="Anna Lindqvist",
        role=Role.RESIDENT,
        password=PASSWORD,
    )
    db.commit()
    return user


def test_create_user_normalises_the_username_and_stores_the_row(db: Session, anna: User) -> None:
    with Session(get_engine()) as other:
        stored = other.exec(select(User)).one()
        assert stored.id == anna.id
        assert stored.username == "anna.lindqvist"
        assert (stored.display_name, stored.role, stored.locale) == (
            "Anna Lindqvist",
            Role.RESIDENT,
            "sv",
        )
        assert stored.created_at.tzinfo is not None


def test_password_is_stored_as_an_argon2id_hash_never_in_clear(db: Session, anna: User) -> None:
    with Session(get_engine()) as other:
        stored = other.exec(select(User)).one().password_hash
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert Argon2Hasher().verify(PASSWORD, stored)


def test_the_same_password_gets_a_new_salt_each_time() -> None:
    assert accounts.hash_password(PASSWORD) != accounts.hash_password(PASSWORD)


def test_user_without_password_has_no_hash(db: Session) -> None:
    user = make_user(db, username="idp-only")
    assert user.password_hash is None
    assert accounts.authenticate(session=db, username="idp-only", password="") is None


def test_right_password_signs_in(db: Session, anna: User) -> None:
    found = accounts.authenticate(session=db, username="anna.lindqvist", password=PASSWORD)
    assert found is not None
    assert found.id == anna.id


def test_username_case_and_surrounding_whitespace_do_not_matter(db: Session, anna: User) -> None:
    for typed in ["ANNA.LINDQVIST", "  anna.lindqvist\t", "Anna.Lindqvist"]:
        found = accounts.authenticate(session=db, username=typed, password=PASSWORD)
        assert found is not None, typed
        assert found.id == anna.id


def test_wrong_password_is_refused(db: Session, anna: User) -> None:
    for password in ["wrong", "", PASSWORD.upper(), PASSWORD + " ", PASSWORD[:-1]]:
        found = accounts.authenticate(session=db, username="anna.lindqvist", password=password)
        assert found is None, password


def test_unknown_user_is_refused(db: Session, anna: User) -> None:
    assert accounts.authenticate(session=db, username="nobody", password=PASSWORD) is None


@pytest.mark.both_databases("a unique constraint, enforced by each database")
def test_usernames_differing_only_in_case_or_spaces_are_the_same_account(
    db: Session, anna: User
) -> None:
    with pytest.raises(IntegrityError):
        make_user(db, username=" ANNA.LINDQVIST")


def test_an_outdated_hash_is_replaced_on_sign_in(db: Session) -> None:
    weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8 * 1024),)).hash(PASSWORD)
    user = make_user(db, username="old")
    user.password_hash = weak
    db.add(user)
    db.commit()

    assert accounts.authenticate(session=db, username="old", password=PASSWORD) is not None
    db.commit()
    with Session(get_engine()) as other:
        rehashed = other.get(User, user.id).password_hash
    assert rehashed != weak
    assert rehashed.startswith("$argon2id$")
    assert accounts.authenticate(session=db, username="old", password=PASSWORD) is not None


def test_a_wrong_password_leaves_an_outdated_hash_alone(db: Session) -> None:
    weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8 * 1024),)).hash(PASSWORD)
    user = make_user(db, username="old")
    user.password_hash = weak
    db.add(user)
    db.commit()

    assert accounts.authenticate(session=db, username="old", password="wrong") is None
    db.commit()
    with Session(get_engine()) as other:
        assert other.get(User, user.id).password_hash == weak


def test_set_locale_changes_a_supported_locale(db: Session) -> None:
    user = make_user(db)
    db.commit()
    accounts.set_locale(session=db, user_id=user.id, locale="en")
    db.commit()
    with Session(get_engine()) as other:
        assert other.get(User, user.id).locale == "en"
    accounts.set_locale(session=db, user_id=user.id, locale="sv")
    db.commit()
    with Session(get_engine()) as other:
        assert other.get(User, user.id).locale == "sv"


def test_set_locale_rejects_unsupported_locales(db: Session) -> None:
    user = make_user(db)
    db.commit()
    for locale in ["de", "EN", "en-GB", "sv_SE", "", "fi"]:
        with pytest.raises(ValueError, match="unsupported locale"):
            accounts.set_locale(session=db, user_id=user.id, locale=locale)
    db.commit()
    with Session(get_engine()) as other:
        assert other.get(User, user.id).locale == "sv"
