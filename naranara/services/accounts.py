"""Local accounts and their passwords (argon2id through pwdlib)."""

from __future__ import annotations

import re
import unicodedata

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_, SUPPORTED_LOCALES
from naranara.inputs import Checker, checked_text, column_length
from naranara.models import AuditKind, Role, User
from naranara.services import audit, sessions

_password_hash = PasswordHash((Argon2Hasher(),))
# Verifying against this when the user does not exist keeps the timing of
# "no such user" and "wrong password" alike.
_DUMMY_HASH = _password_hash.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


# Password rules in the spirit of NIST SP 800-63B: length matters, composition
# rules do not; refuse only what is known to be guessed first.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # the sign-in form reads no more than this

PASSWORD_TOO_SHORT = N_(
    "Choose a password of at least 12 characters. A few words in a row are easy to remember."
)
PASSWORD_TOO_LONG = N_("Choose a password of at most 256 characters.")
PASSWORD_IS_USERNAME = N_("Choose a password that is not your username.")
PASSWORD_TOO_COMMON = N_("That password is too common and easy to guess. Choose another one.")

# A small list of the passwords tried first (international lists and Swedish
# favourites); compared without regard to case. Short ones stay for shorter minimums.
_COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456123456",
        "1q2w3e4r5t6y",
        "abc123abc123",
        "abcdefghijkl",
        "administrator",
        "adminadmin123",
        "asdfghjkl123",
        "iloveyou1234",
        "letmein12345",
        "nara-demo",
        "naranaranara",
        "passw0rdpassw0rd",
        "password",
        "password1234",
        "password12345",
        "passwordpassword",
        "qwerty123456",
        "qwertyuiop123",
        "qwertyuiopå",
        "qwertyuiopasdf",
        "welcome12345",
        "lösenord",
        "lösenord1234",
        "losenord1234",
        "lösenordlösenord",
        "hejhejhejhej",
        "sommar123456",
        "sommaren2025",
        "sommaren2026",
        "vinter123456",
        "välkommen123",
        "valkommen123",
        "sverige12345",
        "stockholm123",
        "hammarby1897",
        "aik1891aik1891",
    }
)
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyzåäö", "qwertyuiopåasdfghjklöäzxcvbnm")


def _is_trivial(password: str) -> bool:
    """One character over and over, or a run along the digits, alphabet or keyboard."""
    folded = password.casefold()
    if len(set(folded)) <= 1:
        return True
    return any(folded in run or folded in run[::-1] for run in _SEQUENCES)


def password_problem(password: str, *, username: str) -> str | None:
    """Why this password will not do, as a message id to translate; None if it will.

    Length counts characters (after Unicode NFKC normalisation), so a Swedish
    letter is one character; spaces are allowed and count.
    """
    normalised = unicodedata.normalize("NFKC", password)
    if len(normalised) < MIN_PASSWORD_LENGTH:
        return PASSWORD_TOO_SHORT
    if len(normalised) > MAX_PASSWORD_LENGTH:
        return PASSWORD_TOO_LONG
    folded = normalised.strip().casefold()
    if username and folded == normalise_username(username).casefold():
        return PASSWORD_IS_USERNAME
    if folded in _COMMON_PASSWORDS or _is_trivial(folded):
        return PASSWORD_TOO_COMMON
    return None


# What people sign in with: lower case after ``normalise_username``. Names that
# accounts made through an identity provider get ("oidc-…") cannot be chosen.
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
GENERATED_USERNAME_PREFIX = "oidc-"
USERNAME_INVALID = N_(
    "Choose a username of 2 to 64 characters: the letters a to z, digits, "
    "full stop, hyphen or underscore."
)
USERNAME_TAKEN = N_("That username is already taken. Choose another one.")


def username_problem(username: str) -> str | None:
    """Why this username cannot be chosen, as a message id; None if its form will do
    (whether it is free is ``user_by_username``'s question)."""
    normalised = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(normalised) or normalised.startswith(
        GENERATED_USERNAME_PREFIX
    ):
        return USERNAME_INVALID
    return None


DISPLAY_NAME_MISSING = N_("Write your name, as the person who invited you knows you.")


def display_name_from(text: str) -> str:
    """A name as stored, under the text rule (``naranara.inputs``): one line, spaces
    collapsed, without invisible formatting characters (a right-to-left override or a
    zero-width space could make one name look like another in the lists others read).
    Raises ``InputInvalid`` for a name ``new_account_problems`` refuses."""
    return checked_text(
        text,
        field="display_name",
        max_length=column_length(User, "display_name"),
        required=DISPLAY_NAME_MISSING,
    )


def new_account_problems(*, display_name: str, username: str, password: str) -> dict[str, str]:
    """Field name -> why it will not do (a message id), for someone making an account."""
    checker = Checker()
    checker.text(
        {"display_name": display_name},
        "display_name",
        max_length=column_length(User, "display_name"),
        required=DISPLAY_NAME_MISSING,
    )
    problems = checker.errors
    if problem := username_problem(username):
        problems["username"] = problem
    if problem := password_problem(password, username=username):
        problems["password"] = problem
    return problems


def create_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    locale: str = "sv",
    password_hash: str | None = None,
) -> User:
    """A new account. Pass ``password_hash`` when the hashing (~0.1 s of argon2) was done
    off the event loop, ``password`` otherwise (the command line, tests, demo data)."""
    user = User(
        username=normalise_username(username),
        display_name=display_name,
        role=role,
        locale=locale,
        password_hash=password_hash or (hash_password(password) if password else None),
    )
    session.add(user)
    session.flush()
    return user


def normalise_username(username: str) -> str:
    return username.strip().lower()


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The user whose password this is, or None. Rehashes outdated hashes."""
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None or not user.password_hash or user.deactivated_at is not None:
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


STAFF_ROLES = (Role.STAFF, Role.ADMIN)


def user_by_username(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == normalise_username(username))).first()


def staff_accounts(*, session: Session) -> list[User]:
    """Staff and administrators, by username."""
    return list(
        session.exec(
            select(User).where(col(User.role).in_(STAFF_ROLES)).order_by(col(User.username))
        )
    )


def set_role(*, session: Session, user: User, role: Role) -> Role:
    """Change a staff account's role; returns the role it had. Residents and relatives
    keep theirs: their data and grants hang on it."""
    if role not in STAFF_ROLES or user.role not in STAFF_ROLES:
        raise ValueError(f"only staff and admin roles can be changed here, not {user.role}")
    previous = user.role
    user.role = role
    session.add(user)
    return previous


# ---------------------------------------------------------------- usernames and deactivation

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "ae", "ø": "o"})


def username_for(*, session: Session, display_name: str) -> str:
    """A free username made from a name: "Greta Nilsson" -> "greta.nilsson" (then
    "greta.nilsson2", …); printed on the activation sheet, so plain letters only."""
    folded = unicodedata.normalize("NFKD", display_name.lower().translate(_FOLD))
    words = re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode())
    base = ".".join(words)[:56].strip(".") or "invanare"
    if len(base) < 2:
        base = f"{base}.nara"
    candidate, number = base, 1
    while user_by_username(session=session, username=candidate) is not None:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def set_active(*, session: Session, user: User, active: bool, actor_id: int | None) -> bool:
    """Deactivate an account (every session ends, no sign-in works) or let it in again;
    whether anything changed."""
    if (user.deactivated_at is None) == active:
        return False
    user.deactivated_at = None if active else clock.now()
    session.add(user)
    if not active:
        sessions.end_all_sessions(session=session, user_id=user.id)
    audit.record(
        session=session,
        kind=AuditKind.ACCOUNT_REACTIVATED if active else AuditKind.ACCOUNT_DEACTIVATED,
        actor_id=actor_id,
        subject_id=user.id,
    )
    return True
