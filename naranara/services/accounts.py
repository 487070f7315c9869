"""Local accounts and their passwords (argon2id through pwdlib)."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, select

from naranara.i18n import SUPPORTED_LOCALES
from naranara.models import Role, User

_password_hash = PasswordHash((Argon2Hasher(),))
# Verifying against this when the user does not exist keeps the timing of
# "no such user" and "wrong password" alike.
_DUMMY_HASH = _password_hash.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def create_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    locale: str = "sv",
) -> User:
    user = User(
        username=normalise_username(username),
        display_name=display_name,
        role=role,
        locale=locale,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def normalise_username(username: str) -> str:
    return username.strip().lower()


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The user whose password this is, or None. Rehashes outdated hashes."""
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None or not user.password_hash:
        _password_hash.verify(password, _DUMMY_HASH)
        return None
    valid, new_hash = _password_hash.verify_and_update(password, user.password_hash)
    if not valid:
        return None
    if new_hash:
        user.password_hash = new_hash
        session.add(user)
    return user


def set_locale(*, session: Session, user_id: int, locale: str) -> None:
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    user = session.get(User, user_id)
    if user is not None:
        user.locale = locale
        session.add(user)
