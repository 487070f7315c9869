"""Server-side sign-in sessions.

The browser holds only a random token in an HttpOnly cookie; the database holds
its SHA-256. Reflex's client token is generated in the browser and is never a
credential: identity always comes from this cookie, looked up here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from naranara import clock
from naranara.models import AuthSession, LoginTicket, User
from naranara.settings import get_secret_key, get_settings


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """256 bits from the operating system's CSPRNG."""
    return secrets.token_urlsafe(32)


def bound_client_token(
    client_token: str, *, device_token: str, session_token: str, access_version: int | None = None
) -> str:
    """The key Reflex stores this tab's state under: the tab's token bound to its cookies.

    Reflex's client token comes from ``Math.random`` in the browser and is sent in
    the websocket URL; whoever sends it is handed the state stored under it. Mixing
    in the HttpOnly device and session cookies, under the deployment's secret, means
    a copied token opens nothing in another browser or another session, and a new
    session (sign-in, sign-out) starts from a fresh state. The signed-in person's
    access version (services/access.py) goes in too: cookies stay the same when a
    grant or care relationship ends, and a tab reconnecting after that must not be
    handed what it held before.
    """
    version = "" if access_version is None else str(access_version)
    message = "\0".join((device_token, session_token, version, client_token)).encode()
    digest = hmac.new(get_secret_key().encode(), message, hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16]))


@dataclass(frozen=True)
class IssuedTicket:
    token: str
    expires_at: datetime


def issue_login_ticket(*, session: Session, user: User, device_token: str) -> IssuedTicket:
    token = new_token()
    expires_at = clock.now() + timedelta(seconds=get_settings().login_ticket_seconds)
    session.add(
        LoginTicket(
            ticket_hash=token_digest(token),
            user_id=user.id,
            device_hash=token_digest(device_token),
            expires_at=expires_at,
        )
    )
    return IssuedTicket(token=token, expires_at=expires_at)


def redeem_login_ticket(*, session: Session, ticket: str, device_token: str) -> User | None:
    """The user a valid, unused, unexpired ticket of this device stands for."""
    row = session.get(LoginTicket, token_digest(ticket))
    now = clock.now()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    if not secrets.compare_digest(row.device_hash, token_digest(device_token)):
        return None
    # Claimed in one statement: of two requests racing with one ticket, only one wins.
    claimed = session.exec(
        update(LoginTicket)
        .where(col(LoginTicket.ticket_hash) == row.ticket_hash, col(LoginTicket.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        return None
    return session.get(User, row.user_id)


def start_session(*, session: Session, user: User) -> str:
    """Create a session and return the cookie value (never stored in clear)."""
    settings = get_settings()
    token = new_token()
    now = clock.now()
    session.add(
        AuthSession(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + settings.session_absolute_for(user.role),
        )
    )
    return token


# Writing last_seen on every websocket event would turn reads into writes;
# a minute's precision is plenty for an idle timeout of hours.
_TOUCH_INTERVAL = timedelta(minutes=1)


def resolve(*, session: Session, token: str | None) -> User | None:
    """The signed-in user for a session cookie, or None if it is unknown or over."""
    found = resolve_session(session=session, token=token)
    return found[0] if found else None


def resolve_session(*, session: Session, token: str | None) -> tuple[User, AuthSession] | None:
    """The signed-in user and their session row; the row's ``created_at`` is when they
    last proved who they are (every sign-in starts a new session)."""
    if not token:
        return None
    row = session.get(AuthSession, token_digest(token))
    now = clock.now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or now - row.last_seen_at > get_settings().session_idle_for(user.role):
        return None
    if user.deactivated_at is not None:  # an administrator closed the account
        return None
    if now - row.last_seen_at > _TOUCH_INTERVAL:
        row.last_seen_at = now
        session.add(row)
    return user, row


def end_session(*, session: Session, token: str | None) -> int | None:
    """End the session of this cookie; returns whose it was, if it was still open."""
    if not token:
        return None
    row = session.get(AuthSession, token_digest(token))
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = clock.now()
    session.add(row)
    return row.user_id


def end_all_sessions(*, session: Session, user_id: int) -> int:
    now = clock.now()
    rows = session.exec(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)
