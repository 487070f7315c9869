"""Invitations from a resident to a relative (ombud): one code, one use, seven days.

The code is 128 random bits (``secrets.token_urlsafe``), shown to the resident once
as a link, as text and as a QR code; only its SHA-256 is stored, so a copy of the
database opens nothing. Accepting turns the invitation into one grant per scope
(services/access.py) for the person who accepted, and can happen only once.

Someone who opens the link without being signed in, or without an account, goes on
a detour (sign-in, a new account, an identity provider). The invitation waits for
them under their browser's device cookie (``hold``), so the code is never carried
in another address or a log line, and comes back when they land on /inbjudan.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import segno
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import N_
from naranara.models import (
    AuditKind,
    ProxyInvitation,
    ProxyInvitationHold,
    ProxyScope,
    Role,
    User,
)
from naranara.policy import may_hold_grants
from naranara.services import access, accounts, audit
from naranara.services.sessions import token_digest

VALID_FOR = timedelta(days=7)
# Long enough to make an account or go through an identity provider; short enough
# that a shared computer does not offer the invitation to the next person for long.
HOLD_FOR = timedelta(minutes=30)
_TOKEN_BYTES = 16  # 128 bits: not guessable however many tries
# Longer than any code we hand out, so pasted text with spaces around still fits.
MAX_CODE_LENGTH = 64


class Refusal(StrEnum):
    """Why an invitation cannot be used; each has a message for the person holding it."""

    UNKNOWN = "unknown"  # mistyped, cut short, changed, or never made
    EXPIRED = "expired"
    USED = "used"
    WITHDRAWN = "withdrawn"
    OWN = "own"  # the resident opened their own invitation
    ROLE = "role"  # staff or administrator accounts cannot be ombud


REFUSAL_MESSAGES = {
    Refusal.UNKNOWN: N_(
        "This invitation code is not right. Check that you have the whole link, "
        "or ask for a new invitation."
    ),
    Refusal.EXPIRED: N_(
        "This invitation has expired. An invitation works for 7 days. Ask for a new one."
    ),
    Refusal.USED: N_(
        "This invitation has already been used. Each invitation works once. Ask for a new one."
    ),
    Refusal.WITHDRAWN: N_("This invitation has been withdrawn. Ask for a new one if you need it."),
    Refusal.OWN: N_("This is your own invitation. Send it to the person who will help you."),
    Refusal.ROLE: N_(
        "Staff accounts cannot accept invitations. Sign in with your personal account."
    ),
}


class InvitationRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def scopes_of(invitation: ProxyInvitation) -> list[ProxyScope]:
    stored = set(invitation.scopes.split(","))
    return [scope for scope in ProxyScope if scope.value in stored]


def _stored_scopes(scopes: Iterable[ProxyScope]) -> str:
    chosen = set(scopes)
    return ",".join(scope.value for scope in ProxyScope if scope in chosen)


@dataclass(frozen=True)
class NewInvitation:
    invitation: ProxyInvitation
    code: str  # only here, once: the database has its hash


def create(
    *,
    session: Session,
    resident_id: int,
    scopes: Iterable[ProxyScope],
    now: datetime | None = None,
) -> NewInvitation:
    """A new invitation to share ``scopes``; the code is returned, never stored."""
    stored = _stored_scopes(scopes)
    if not stored:
        raise ValueError("an invitation shares at least one thing")
    now = now or clock.now()
    code = secrets.token_urlsafe(_TOKEN_BYTES)
    invitation = ProxyInvitation(
        resident_id=resident_id,
        token_hash=hash_code(code),
        scopes=stored,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    session.add(invitation)
    session.flush()
    return NewInvitation(invitation=invitation, code=code)


def normalise_code(text: str) -> str:
    """What was pasted or typed, or the end of a whole pasted link, without spaces."""
    text = "".join(text.split())[: MAX_CODE_LENGTH * 4]
    if "kod=" in text:
        text = text.rsplit("kod=", 1)[1].split("&", 1)[0]
    return text[:MAX_CODE_LENGTH]


def _still_open(invitation: ProxyInvitation | None, now: datetime) -> ProxyInvitation:
    if invitation is None:
        raise InvitationRefused(Refusal.UNKNOWN)
    if invitation.accepted_at is not None:
        raise InvitationRefused(Refusal.USED)
    if invitation.revoked_at is not None:
        raise InvitationRefused(Refusal.WITHDRAWN)
    if invitation.expires_at <= now:
        raise InvitationRefused(Refusal.EXPIRED)
    return invitation


def find(*, session: Session, code: str, now: datetime | None = None) -> ProxyInvitation:
    """The open invitation behind ``code``, or ``InvitationRefused`` saying why not."""
    code = normalise_code(code)
    if not code:
        raise InvitationRefused(Refusal.UNKNOWN)
    invitation = session.exec(
        select(ProxyInvitation).where(ProxyInvitation.token_hash == hash_code(code))
    ).first()
    return _still_open(invitation, now or clock.now())


def refusal_for(*, role: Role, user_id: int, invitation: ProxyInvitation) -> Refusal | None:
    """Why the account ``user_id`` of ``role`` cannot take up this invitation, or None."""
    if not may_hold_grants(role):
        return Refusal.ROLE
    if user_id == invitation.resident_id:
        return Refusal.OWN
    return None


# ------------------------------------------------------------ held for a browser on a detour


def hold(
    *,
    session: Session,
    invitation: ProxyInvitation,
    device_token: str,
    now: datetime | None = None,
) -> None:
    """Keep ``invitation`` for the browser with this device cookie for ``HOLD_FOR``."""
    if not device_token:
        return
    until = min((now or clock.now()) + HOLD_FOR, invitation.expires_at)
    row = session.get(ProxyInvitationHold, token_digest(device_token))
    if row is None:
        row = ProxyInvitationHold(device_hash=token_digest(device_token))
    row.invitation_id, row.held_until = invitation.id, until
    session.add(row)


def find_held(
    *, session: Session, device_token: str | None, now: datetime | None = None
) -> ProxyInvitation | None:
    """The invitation this browser opened a moment ago, or None if there is none (or its
    time is up); ``InvitationRefused`` if it was used, withdrawn or expired meanwhile."""
    if not device_token:
        return None
    now = now or clock.now()
    row = session.get(ProxyInvitationHold, token_digest(device_token))
    if row is None or row.held_until <= now:
        return None
    return _still_open(session.get(ProxyInvitation, row.invitation_id), now)


def release_held(*, session: Session, device_token: str | None) -> None:
    """This browser no longer holds an invitation (it was taken up, or is refused)."""
    row = session.get(ProxyInvitationHold, token_digest(device_token)) if device_token else None
    if row is not None:
        session.delete(row)


# ------------------------------------------------------------- an account from the invitation


def create_account(
    *,
    session: Session,
    invitation: ProxyInvitation,
    username: str,
    display_name: str,
    password_hash: str,
    locale: str,
    client_address: str | None,
) -> User | None:
    """A relative's own account with a password, made from an open invitation: nobody
    gets an account in Nära without someone asking them in (or their care unit). The
    fields were checked with ``accounts.new_account_problems``; the password was
    hashed off the event loop. None if the username is taken (``USERNAME_TAKEN``)."""
    username = accounts.normalise_username(username)
    if accounts.user_by_username(session=session, username=username) is not None:
        audit.record(
            session=session,
            kind=AuditKind.ACCOUNT_REFUSED,
            detail=f"method=password invitation={invitation.id} reason=taken",
            client_address=client_address,
        )
        return None
    user = accounts.create_user(
        session=session,
        username=username,
        display_name=accounts.display_name_from(display_name),
        role=Role.RELATIVE,
        locale=locale,
        password_hash=password_hash,
    )
    audit.record(
        session=session,
        kind=AuditKind.ACCOUNT_CREATED,
        actor_id=user.id,
        subject_id=user.id,
        detail=f"method=password invitation={invitation.id}",
        client_address=client_address,
    )
    return user


# ------------------------------------------------------------------------------- accepting


def accept(
    *, session: Session, code: str, user: User, now: datetime | None = None
) -> ProxyInvitation:
    """``user`` takes up the invitation: one grant per scope, and the code is spent."""
    now = now or clock.now()
    return _accept(session, find(session=session, code=code, now=now), user, now)


def accept_held(
    *, session: Session, device_token: str | None, user: User, now: datetime | None = None
) -> ProxyInvitation:
    """``user`` takes up the invitation their browser holds (see ``hold``)."""
    now = now or clock.now()
    invitation = find_held(session=session, device_token=device_token, now=now)
    if invitation is None:
        raise InvitationRefused(Refusal.UNKNOWN)
    return _accept(session, invitation, user, now)


def _accept(
    session: Session, invitation: ProxyInvitation, user: User, now: datetime
) -> ProxyInvitation:
    refusal = refusal_for(role=Role(user.role), user_id=user.id, invitation=invitation)
    if refusal is not None:
        raise InvitationRefused(refusal)
    # Spent in one statement that only an unspent invitation matches: two people
    # accepting at the same moment cannot both get in.
    spent = session.connection().execute(
        update(ProxyInvitation)
        .where(
            col(ProxyInvitation.id) == invitation.id,
            col(ProxyInvitation.accepted_at).is_(None),
            col(ProxyInvitation.revoked_at).is_(None),
        )
        .values(accepted_at=now, accepted_by_id=user.id)
    )
    if spent.rowcount != 1:
        raise InvitationRefused(Refusal.USED)
    session.refresh(invitation)
    # Taken up: no browser holds it any more.
    session.exec(
        delete(ProxyInvitationHold).where(col(ProxyInvitationHold.invitation_id) == invitation.id)
    )
    for scope in scopes_of(invitation):
        access.grant(
            session=session, resident_id=invitation.resident_id, relative_id=user.id, scope=scope
        )
    audit.record_access(
        session=session,
        actor_id=user.id,
        resident_id=invitation.resident_id,
        detail=f"invitation={invitation.id} accepted",
        changed=True,
    )
    return invitation


def open_invitations(
    *, session: Session, resident_id: int, now: datetime | None = None
) -> list[ProxyInvitation]:
    """The resident's invitations still waiting for someone, newest first."""
    return list(
        session.exec(
            select(ProxyInvitation)
            .where(
                ProxyInvitation.resident_id == resident_id,
                col(ProxyInvitation.accepted_at).is_(None),
                col(ProxyInvitation.revoked_at).is_(None),
                col(ProxyInvitation.expires_at) > (now or clock.now()),
            )
            .order_by(col(ProxyInvitation.created_at).desc(), col(ProxyInvitation.id).desc())
        )
    )


def withdraw(*, session: Session, resident_id: int, invitation_id: int) -> bool:
    """The resident takes back an invitation nobody has used yet."""
    invitation = session.get(ProxyInvitation, invitation_id)
    if (
        invitation is None
        or invitation.resident_id != resident_id
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
    ):
        return False
    invitation.revoked_at = clock.now()
    session.add(invitation)
    return True


def inviter_of(*, session: Session, invitation: ProxyInvitation) -> User | None:
    return session.get(User, invitation.resident_id)


def qr_data_uri(link: str) -> str:
    """The link as an SVG QR code in a data: URI (the CSP allows data: images), to scan
    from the resident's screen."""
    return segno.make(link, error="m").svg_data_uri(scale=5, border=2, dark="#1a1a1a")
