"""The resident's care contacts and agreed times."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from naranara.models import AgreedTime, AgreedTimeStatus, CareContact


def care_contacts(*, session: Session, resident_id: int) -> list[CareContact]:
    return list(
        session.exec(
            select(CareContact)
            .where(CareContact.resident_id == resident_id)
            .order_by(col(CareContact.id))
        ).all()
    )


def upcoming_agreed_times(
    *, session: Session, resident_id: int, now: datetime, limit: int | None = None
) -> list[AgreedTime]:
    """Times not yet over, soonest first, cancelled ones included (changes are never silent)."""
    query = (
        select(AgreedTime)
        .where(AgreedTime.resident_id == resident_id, AgreedTime.ends_at >= now)
        .order_by(col(AgreedTime.starts_at))
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def past_agreed_times(
    *, session: Session, resident_id: int, now: datetime, limit: int = 20
) -> list[AgreedTime]:
    return list(
        session.exec(
            select(AgreedTime)
            .where(AgreedTime.resident_id == resident_id, AgreedTime.ends_at < now)
            .order_by(col(AgreedTime.starts_at).desc())
            .limit(limit)
        ).all()
    )


def next_agreed_time(*, session: Session, resident_id: int, now: datetime) -> AgreedTime | None:
    """The next time that will actually happen (not cancelled)."""
    return session.exec(
        select(AgreedTime)
        .where(
            AgreedTime.resident_id == resident_id,
            AgreedTime.ends_at >= now,
            AgreedTime.status != AgreedTimeStatus.CANCELLED,
        )
        .order_by(col(AgreedTime.starts_at))
        .limit(1)
    ).first()
