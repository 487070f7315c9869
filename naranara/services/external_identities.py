"""Accounts of people who sign in through an OpenID Provider.

An identity is the pair (issuer, subject) from a validated ID token, and only that:
never the e-mail address or a name, which can change hands or be typed by anyone.
The one exception is a resident a care unit enrolled: a provider's personnummer
claim that matches the keyed hash the nurse recorded links the identity to her
account (services/enrolment.py), so signing in never makes a second account for her.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, select

from naranara import clock
from naranara.i18n import normalise_locale
from naranara.models import AuthSession, ExternalIdentity, Role, User
from naranara.services import accounts, enrolment, personnummer, sessions


class NoLinkedAccount(Exception):
    """A staff sign-in for which no account exists: an administrator links staff first."""


class NotTheEnrolledPerson(Exception):
    """A sign-in from an activation sheet whose personnummer is not the one enrolled (or
    whose identity already belongs to another account): nothing is linked or made."""


class AccountClosed(Exception):
    """The identity belongs to an account an administrator has deactivated."""


@dataclass(frozen=True)
class SignedIn:
    user: User
    created: bool  # a new account: the person is shown the welcome page


def find_user(*, session: Session, issuer: str, subject: str) -> User | None:
    link = session.exec(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
        )
    ).first()
    return session.get(User, link.user_id) if link else None


def link(*, session: Session, user_id: int, issuer: str, subject: str) -> ExternalIdentity:
    """Tie a provider identity to an existing account (what an administrator does for staff)."""
    identity = ExternalIdentity(issuer=issuer, subject=subject, user_id=user_id)
    session.add(identity)
    session.flush()
    return identity


def _username_for(issuer: str, subject: str) -> str:
    # Unique and stable, reveals nothing about the person; never typed by anyone.
    return (
        accounts.GENERATED_USERNAME_PREFIX
        + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    )


def _enrolled_match(session: Session, personnummer_claim: object) -> User | None:
    if not isinstance(personnummer_claim, str) or not personnummer_claim:
        return None
    try:
        number = personnummer.parse(personnummer_claim, today=clock.today())
    except personnummer.InvalidPersonnummer:
        return None
    return enrolment.enrolled_with(session=session, number=number)


def sign_in(
    *,
    session: Session,
    issuer: str,
    subject: str,
    audience: Role,
    display_name: str,
    locale: str | None,
    personnummer_claim: object = None,
    activation_code: str | None = None,
    invited: bool = False,
) -> SignedIn:
    """The account for a validated provider identity, created for a new resident, or
    for a new relative when the sign-in is the detour of someone opening an invitation
    to help (``invited``: the browser holds one), as an account made with a password
    there is.

    An enrolled resident whose personnummer the provider vouches for gets her enrolled
    account, never a new one; from her activation sheet (``activation_code``) the
    personnummer must be hers. Raises ``NoLinkedAccount`` for an unknown identity from
    a staff provider, ``NotTheEnrolledPerson`` for an activation that does not match,
    ``AccountClosed`` for a deactivated account.
    """
    user = find_user(session=session, issuer=issuer, subject=subject)
    enrolled = _enrolled_match(session, personnummer_claim) if audience is Role.RESIDENT else None
    if activation_code and (enrolled is None or (user is not None and user.id != enrolled.id)):
        raise NotTheEnrolledPerson(issuer)
    if user is not None:
        if user.deactivated_at is not None:
            raise AccountClosed(issuer)
        if display_name and display_name != user.display_name:
            user.display_name = display_name[:120]
            session.add(user)
        if enrolled is not None and enrolled.id == user.id:
            enrolment.activate_through_identity(session=session, user=user, code=activation_code)
        _touch(session=session, issuer=issuer, subject=subject)
        return SignedIn(user=user, created=False)
    if enrolled is not None:
        if enrolled.deactivated_at is not None:
            raise AccountClosed(issuer)
        enrolment.activate_through_identity(session=session, user=enrolled, code=activation_code)
        link(session=session, user_id=enrolled.id, issuer=issuer, subject=subject)
        _touch(session=session, issuer=issuer, subject=subject)
        return SignedIn(user=enrolled, created=False)
    if audience is not Role.RESIDENT:
        raise NoLinkedAccount(issuer)
    user = accounts.create_user(
        session=session,
        username=_username_for(issuer, subject),
        display_name=display_name[:120] or "–",
        role=Role.RELATIVE if invited else Role.RESIDENT,
        locale=normalise_locale(locale),
    )
    link(session=session, user_id=user.id, issuer=issuer, subject=subject)
    _touch(session=session, issuer=issuer, subject=subject)
    return SignedIn(user=user, created=True)


def _touch(*, session: Session, issuer: str, subject: str) -> None:
    identity = session.exec(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
        )
    ).one()
    identity.last_sign_in_at = clock.now()
    session.add(identity)


def remember_id_token(*, session: Session, token: str, issuer: str, id_token: str) -> None:
    """Keep the ID token of a new session on the server, for RP-initiated logout only."""
    session.flush()
    row = session.get(AuthSession, sessions.token_digest(token))
    if row is not None:
        row.oidc_issuer = issuer
        row.oidc_id_token = id_token
        session.add(row)


def take_id_token(*, session: Session, token: str | None) -> tuple[str, str] | None:
    """(issuer, ID token) of the session this cookie opened, removed as it is used."""
    if not token:
        return None
    row = session.get(AuthSession, sessions.token_digest(token))
    if row is None or row.revoked_at is not None or not row.oidc_id_token or not row.oidc_issuer:
        return None
    found = (row.oidc_issuer, row.oidc_id_token)
    row.oidc_id_token = None
    session.add(row)
    return found
