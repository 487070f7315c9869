"""Writing the audit log. There is deliberately no function to change or delete a row."""

from __future__ import annotations

import hashlib
import hmac

from sqlmodel import Session

from naranara.models import AuditEvent, AuditKind
from naranara.settings import get_secret_key


def client_fingerprint(address: str | None) -> str:
    """A keyed hash of a client address: the same address gives the same value, and the
    address itself is never stored."""
    if not address:
        return ""
    return hmac.new(get_secret_key().encode(), address.encode(), hashlib.sha256).hexdigest()


def record(
    *,
    session: Session,
    kind: AuditKind,
    actor_id: int | None = None,
    subject_id: int | None = None,
    detail: str = "",
    client_address: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        kind=kind.value,
        actor_id=actor_id,
        subject_id=subject_id,
        detail=detail[:300],
        client_hash=client_fingerprint(client_address),
    )
    session.add(event)
    return event
