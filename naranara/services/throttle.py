"""Slowing down password guessing, per account and per client address.

Failed sign-ins are read back from the audit log, so every web worker sees the
same count. The rule does not depend on whether the account exists: a guesser
learns nothing from being throttled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from naranara.models import AuditEvent, AuditKind
from naranara.services.audit import fingerprint

WINDOW = timedelta(minutes=15)
FREE_FAILURES_PER_ACCOUNT = 5
FREE_FAILURES_PER_CLIENT = 20
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)


def _wait_after(failures: list[datetime], free: int, now: datetime) -> timedelta | None:
    """Each failure beyond the free ones doubles the wait after the latest failure."""
    extra = len(failures) - free
    if extra < 0:
        return None
    wait = min(FIRST_WAIT * (2**extra), LONGEST_WAIT)
    remaining = max(failures) + wait - now
    return remaining if remaining > timedelta(0) else None


def _failures(
    session: Session,
    column,  # noqa: ANN001
    value: str,
    since: datetime,
    kind: AuditKind = AuditKind.SIGN_IN_FAILED,
) -> list[datetime]:
    if not value:
        return []
    return list(
        session.exec(
            select(AuditEvent.at).where(
                column == value,
                AuditEvent.kind == kind.value,
                col(AuditEvent.at) >= since,
            )
        ).all()
    )


def retry_after(
    *, session: Session, username: str, client_address: str | None, now: datetime
) -> timedelta | None:
    """How long this account or client must wait before trying again, or None."""
    since = now - WINDOW
    waits = [
        _wait_after(
            _failures(session, AuditEvent.account_hash, fingerprint(username), since),
            FREE_FAILURES_PER_ACCOUNT,
            now,
        ),
        _wait_after(
            _failures(session, AuditEvent.client_hash, fingerprint(client_address), since),
            FREE_FAILURES_PER_CLIENT,
            now,
        ),
    ]
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


# Accounts made from invitation links, per client address: a few, then waits that
# double like those after failed sign-ins. Refused attempts (a name already taken)
# count too, so the form does not become a way to list usernames.
FREE_ACCOUNT_ATTEMPTS_PER_CLIENT = 3
_ACCOUNT_ATTEMPTS = (AuditKind.ACCOUNT_CREATED.value, AuditKind.ACCOUNT_REFUSED.value)


def account_creation_wait(
    *, session: Session, client_address: str | None, now: datetime
) -> timedelta | None:
    """How long this client must wait before making another account, or None."""
    client = fingerprint(client_address)
    if not client:
        return None
    attempts = session.exec(
        select(AuditEvent.at).where(
            AuditEvent.client_hash == client,
            col(AuditEvent.kind).in_(_ACCOUNT_ATTEMPTS),
            col(AuditEvent.at) >= now - WINDOW,
        )
    ).all()
    return _wait_after(list(attempts), FREE_ACCOUNT_ATTEMPTS_PER_CLIENT, now)


# Activation codes (services/enrolment.py) name no account: a wrong code is counted per
# client address, and more strictly than sign-ins, as nothing but guessing fails often.
FREE_ACTIVATION_FAILURES_PER_CLIENT = 10
# The client of a failure when the address is unknown: such clients are counted together.
UNKNOWN_CLIENT = "unknown-client"


def activation_retry_after(
    *, session: Session, client_address: str | None, now: datetime
) -> timedelta | None:
    """How long this client must wait before trying another activation code, or None.
    Failures are ``ACTIVATION_FAILED`` audit rows with the client's keyed hash."""
    failures = _failures(
        session,
        AuditEvent.client_hash,
        fingerprint(client_address or UNKNOWN_CLIENT),
        now - WINDOW,
        AuditKind.ACTIVATION_FAILED,
    )
    return _wait_after(failures, FREE_ACTIVATION_FAILURES_PER_CLIENT, now)
