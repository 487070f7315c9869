"""Grants from residents to relatives (ombud) and staff's recorded care relationships.

The policy module reads these through ``grants_of`` and ``residents_in_care_of``
when it resolves a viewer; nothing else decides access.

Every start, change or end of a grant or a care relationship also calls
``bump_access_version`` for the person whose access changed: each tab's stored
state is keyed on that version (http/middleware.py), so a tab that reconnects
afterwards is handed nothing it may no longer see.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from naranara import clock
from naranara.models import AuthSession, CareRelationship, ProxyGrant, ProxyScope, User
from naranara.services.sessions import token_digest


def bump_access_version(*, session: Session, user_id: int) -> None:
    """What ``user_id`` may see of others has changed: every tab of theirs that
    reconnects starts from a fresh state. One atomic increment, so two changes at
    the same moment both count."""
    session.exec(
        update(User)
        .where(col(User.id) == user_id)
        .values(access_version=col(User.access_version) + 1)
    )


def access_version_of_session(*, session: Session, token: str | None) -> int | None:
    """The access version of whoever a session cookie belongs to: one read by primary
    keys, made for every websocket handshake and every event. Whether the session is
    still valid is not asked here: identity is resolved separately, every time."""
    if not token:
        return None
    return session.exec(
        select(User.access_version)
        .join(AuthSession, col(AuthSession.user_id) == col(User.id))
        .where(AuthSession.token_hash == token_digest(token))
    ).first()


def grant(
    *,
    session: Session,
    resident_id: int,
    relative_id: int,
    scope: ProxyScope,
    expires_at: datetime | None = None,
) -> ProxyGrant:
    """Let ``relative_id`` act in ``scope`` for ``resident_id``; an active grant is kept."""
    if resident_id == relative_id:
        raise ValueError("a resident does not grant access to themself")
    existing = session.exec(
        select(ProxyGrant).where(
            ProxyGrant.resident_id == resident_id,
            ProxyGrant.relative_id == relative_id,
            ProxyGrant.scope == scope,
            col(ProxyGrant.revoked_at).is_(None),
        )
    ).first()
    if existing is not None:
        if existing.expires_at != expires_at:
            existing.expires_at = expires_at
            session.add(existing)
            bump_access_version(session=session, user_id=relative_id)
        return existing
    row = ProxyGrant(
        resident_id=resident_id, relative_id=relative_id, scope=scope, expires_at=expires_at
    )
    session.add(row)
    session.flush()
    bump_access_version(session=session, user_id=relative_id)
    return row


def revoke(*, session: Session, resident_id: int, relative_id: int, scope: ProxyScope) -> int:
    """End the resident's active grants of ``scope`` to the relative; how many ended."""
    rows = session.exec(
        select(ProxyGrant).where(
            ProxyGrant.resident_id == resident_id,
            ProxyGrant.relative_id == relative_id,
            ProxyGrant.scope == scope,
            col(ProxyGrant.revoked_at).is_(None),
        )
    ).all()
    now = clock.now()
    for row in rows:
        row.revoked_at = now
        session.add(row)
    if rows:
        bump_access_version(session=session, user_id=relative_id)
    return len(rows)


def grants_of(
    *, session: Session, relative_id: int, now: datetime | None = None
) -> dict[int, frozenset[ProxyScope]]:
    """resident id -> the scopes that resident has granted ``relative_id``, now."""
    now = now or clock.now()
    rows = session.exec(
        select(ProxyGrant).where(
            ProxyGrant.relative_id == relative_id,
            col(ProxyGrant.revoked_at).is_(None),
            or_(col(ProxyGrant.expires_at).is_(None), col(ProxyGrant.expires_at) > now),
        )
    )
    scopes: dict[int, set[ProxyScope]] = defaultdict(set)
    for row in rows:
        scopes[row.resident_id].add(ProxyScope(row.scope))
    return {resident: frozenset(granted) for resident, granted in scopes.items()}


def record_care_relationship(
    *,
    session: Session,
    staff_id: int,
    resident_id: int,
    unit: str = "",
    recorded_by_id: int | None = None,
) -> CareRelationship:
    row = CareRelationship(
        staff_id=staff_id, resident_id=resident_id, unit=unit, recorded_by_id=recorded_by_id
    )
    session.add(row)
    session.flush()
    bump_access_version(session=session, user_id=staff_id)
    return row


def end_care_relationship(*, session: Session, staff_id: int, resident_id: int) -> int:
    rows = session.exec(
        select(CareRelationship).where(
            CareRelationship.staff_id == staff_id,
            CareRelationship.resident_id == resident_id,
            col(CareRelationship.ended_at).is_(None),
        )
    ).all()
    now = clock.now()
    for row in rows:
        row.ended_at = now
        session.add(row)
    if rows:
        bump_access_version(session=session, user_id=staff_id)
    return len(rows)


def residents_in_care_of(*, session: Session, staff_id: int) -> frozenset[int]:
    """The residents ``staff_id`` has a current care relationship with."""
    return frozenset(
        session.exec(
            select(CareRelationship.resident_id).where(
                CareRelationship.staff_id == staff_id,
                col(CareRelationship.ended_at).is_(None),
            )
        )
    )


def care_recipients(*, session: Session, staff_id: int) -> list[tuple[User, str]]:
    """The residents in ``staff_id``'s care now, with the unit of each relationship, by name."""
    rows = session.exec(
        select(User, CareRelationship.unit)
        .join(CareRelationship, col(CareRelationship.resident_id) == col(User.id))
        .where(
            CareRelationship.staff_id == staff_id,
            col(CareRelationship.ended_at).is_(None),
        )
        .order_by(col(User.display_name))
    ).all()
    return [(user, unit) for user, unit in rows]


# ---------------------------------------------------------------------------- relatives (ombud)


def set_scopes(
    *, session: Session, resident_id: int, relative_id: int, scopes: frozenset[ProxyScope]
) -> None:
    """The relative may from now on do exactly ``scopes`` for the resident: others end."""
    current = grants_of(session=session, relative_id=relative_id).get(resident_id, frozenset())
    for scope in current - scopes:
        revoke(session=session, resident_id=resident_id, relative_id=relative_id, scope=scope)
    for scope in scopes - current:
        grant(session=session, resident_id=resident_id, relative_id=relative_id, scope=scope)


def revoke_all(*, session: Session, resident_id: int, relative_id: int) -> int:
    """End every grant between the two: the resident's "Ta bort" or the relative stepping back."""
    return sum(
        revoke(session=session, resident_id=resident_id, relative_id=relative_id, scope=scope)
        for scope in ProxyScope
    )


def _people_with_grants(
    session: Session, *, mine: str, theirs: str, person_id: int, now: datetime | None
) -> list[tuple[User, frozenset[ProxyScope]]]:
    now = now or clock.now()
    rows = session.exec(
        select(ProxyGrant).where(
            getattr(ProxyGrant, mine) == person_id,
            col(ProxyGrant.revoked_at).is_(None),
            or_(col(ProxyGrant.expires_at).is_(None), col(ProxyGrant.expires_at) > now),
        )
    ).all()
    scopes: dict[int, set[ProxyScope]] = defaultdict(set)
    for row in rows:
        scopes[getattr(row, theirs)].add(ProxyScope(row.scope))
    people = session.exec(select(User).where(col(User.id).in_(list(scopes)))).all()
    return sorted(
        ((user, frozenset(scopes[user.id])) for user in people),
        key=lambda pair: (pair[0].display_name, pair[0].id),
    )


def relatives_of(
    *, session: Session, resident_id: int, now: datetime | None = None
) -> list[tuple[User, frozenset[ProxyScope]]]:
    """Whom the resident lets help, each with what they may do now, by name."""
    return _people_with_grants(
        session, mine="resident_id", theirs="relative_id", person_id=resident_id, now=now
    )


def helped_by(
    *, session: Session, relative_id: int, now: datetime | None = None
) -> list[tuple[User, frozenset[ProxyScope]]]:
    """Whom ``relative_id`` helps, each with what they may do now, by name."""
    return _people_with_grants(
        session, mine="relative_id", theirs="resident_id", person_id=relative_id, now=now
    )


def ended_scopes(
    *, session: Session, resident_id: int, relative_id: int, now: datetime | None = None
) -> frozenset[ProxyScope]:
    """The scopes ``resident_id`` once granted ``relative_id`` and does not now: what the
    relative is told the resident has stopped sharing."""
    now = now or clock.now()
    granted_ever = session.exec(
        select(ProxyGrant.scope)
        .where(ProxyGrant.resident_id == resident_id, ProxyGrant.relative_id == relative_id)
        .distinct()
    ).all()
    current = grants_of(session=session, relative_id=relative_id, now=now).get(
        resident_id, frozenset()
    )
    return frozenset(ProxyScope(scope) for scope in granted_ever) - current
