"""Writing the audit log. There is deliberately no function to change or delete a row."""

from __future__ import annotations

import hashlib
import hmac

from sqlmodel import Session

from naranara.models import AuditEvent, AuditKind
from naranara.settings import get_secret_key


def fingerprint(value: str | None) -> str:
    """A keyed hash: the same value gives the same result, and the value is never stored."""
    if not value:
        return ""
    return hmac.new(get_secret_key().encode(), value.encode(), hashlib.sha256).hexdigest()


def record(
    *,
    session: Session,
    kind: AuditKind,
    actor_id: int | None = None,
    subject_id: int | None = None,
    detail: str = "",
    account: str | None = None,
    client_address: str | None = None,
) -> AuditEvent:
    """Add one event. ``account`` is the username tried, kept only as a keyed hash."""
    event = AuditEvent(
        kind=kind.value,
        actor_id=actor_id,
        subject_id=subject_id,
        detail=detail[:300],
        account_hash=fingerprint(account),
        client_hash=fingerprint(client_address),
    )
    session.add(event)
    return event
