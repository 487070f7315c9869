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


def record_access(
    *, session: Session, actor_id: int | None, resident_id: int, detail: str, changed: bool = False
) -> None:
    """Someone other than the resident read or changed their data: logged, as the patient
    data law (PDL) asks, so the resident can see who looked. Their own use is not logged."""
    if actor_id == resident_id:
        return
    record(
        session=session,
        kind=AuditKind.RECORD_CHANGED if changed else AuditKind.RECORD_READ,
        actor_id=actor_id,
        subject_id=resident_id,
        detail=detail,
    )


def record_refusal(*, session: Session, actor_id: int, resident_id: int, detail: str) -> None:
    """Someone asked for a resident's data and the policy said no: the resident sees the
    attempt in "Vem har sett mina uppgifter", and so does anyone investigating."""
    record(
        session=session,
        kind=AuditKind.RECORD_REFUSED,
        actor_id=actor_id,
        subject_id=resident_id,
        detail=detail,
    )
