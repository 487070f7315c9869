"""Grants from residents to relatives (ombud) and staff's recorded care relationships.

The policy module reads these through ``grants_of``, ``residents_in_care_of`` and
``care_shares_of`` when it resolves a viewer; nothing else decides access. Staff
reach a resident through a care unit: a resident in the care of a unit is in the
care of every current member of it (a colleague covers for the fixed contact).

Every start, change or end of a grant, a care relationship, a unit membership or a share
with a unit also calls ``bump_access_version`` for each person whose access changed:
each tab's stored state is keyed on that version (http/middleware.py), so a tab that
reconnects afterwards is handed nothing it may no longer see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, or_, select

from naranara import clock
from naranara.models import (
    AuditEvent,
    AuthSession,
    CareRelationship,
    CareShare,
    CareUnit,
    ProxyGrant,
    ProxyScope,
    UnitMembership,
    User,
)
from naranara.services.access_log import HELPING_ENDED_DETAIL
from naranara.services.sessions import token_digest


def access_version_of_session(*, session: Session, token: str | None) -> int | None:
    """The access version of whoever a session cookie belongs to, made for every
    websocket handshake and every event. Whether the session is still valid is not asked
    here: identity is resolved separately, every time.

    A grant of theirs that has reached its expiry is closed here first (``end_expired``),
    so an open tab is cleared at its next event, and a reconnect gets a fresh state, as
    when the resident turns a scope off."""
    found = session_user_and_access_version(session=session, token=token)
    return found[2] if found else None


# Built once: it runs before every event, and building a statement costs more Python
# than running this one (parameters are bound per call).
_SESSION_USER_AND_EXPIRED = (
    select(
        AuthSession,
        User,
        select(ProxyGrant.id)
        .where(
            col(ProxyGrant.relative_id) == col(User.id),
            col(ProxyGrant.revoked_at).is_(None),
            col(ProxyGrant.expires_at) <= bindparam("now"),
        )
        .exists(),
    )
    .join(User, col(AuthSession.user_id) == col(User.id))
    .where(AuthSession.token_hash == bindparam("digest"))
)


def session_user_and_access_version(
    *, session: Session, token: str | None
) -> tuple[AuthSession, User, int] | None:
    """``access_version_of_session`` with the session row and the user it read, in one
    statement by primary keys. While the caller holds them they are in ``session``'s
    identity map, so ``sessions.resolve_session`` in the same transaction reads neither
    again (the map holds rows only as long as someone does)."""
    if not token:
        return None
    now = clock.now()
    found = session.exec(
        _SESSION_USER_AND_EXPIRED, params={"digest": token_digest(token), "now": now}
    ).first()
    if found is None:
        return None
    row, user, has_expired = found
    if has_expired and end_expired(session=session, relative_id=user.id, now=now):
        session.refresh(user)  # the version the expiry just raised
    return row, user, user.access_version


def end_expired(*, session: Session, relative_id: int, now: datetime | None = None) -> int:
    """Close the relative's grants that have reached their expiry (``revoked_at`` becomes
    the moment they expired) and raise the relative's access version; how many closed.
    Access already ended at expiry (every read compares ``expires_at``); this is what
    tells an open tab so. One conditional UPDATE: two events at once close a grant once."""
    closed = session.exec(
        update(ProxyGrant)
        .where(
            col(ProxyGrant.relative_id) == relative_id,
            col(ProxyGrant.revoked_at).is_(None),
            col(ProxyGrant.expires_at) <= (now or clock.now()),
        )
        .values(revoked_at=ProxyGrant.expires_at)
    ).rowcount
    if closed:
        bump_access_version(session=session, user_id=relative_id)
    return closed


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


def next_grant_expiry(
    *, session: Session, relative_id: int, now: datetime | None = None
) -> datetime | None:
    """When the first of ``relative_id``'s active grants ends by itself (None: none will)."""
    now = now or clock.now()
    return session.exec(
        select(func.min(ProxyGrant.expires_at)).where(
            ProxyGrant.relative_id == relative_id,
            col(ProxyGrant.revoked_at).is_(None),
            col(ProxyGrant.expires_at) > now,
        )
    ).first()


def bump_access_version(*, session: Session, user_id: int) -> None:
    """What this person may see has changed (a care relationship, a unit membership, a
    share with a unit started or ended): raise their access version, which the websocket
    client-token binding includes, so a reconnect finds none of the old state."""
    session.exec(
        update(User).where(col(User.id) == user_id).values(access_version=User.access_version + 1)
    )


def bump_access_versions(*, session: Session, user_ids: Iterable[int]) -> None:
    """``bump_access_version`` for each of these people, once."""
    for user_id in sorted(set(user_ids)):
        bump_access_version(session=session, user_id=user_id)


def members_of(*, session: Session, unit_id: int) -> list[int]:
    """The staff who work in the unit now."""
    return list(
        session.exec(
            select(UnitMembership.staff_id).where(
                UnitMembership.unit_id == unit_id, col(UnitMembership.ended_at).is_(None)
            )
        )
    )


def units_of(*, session: Session, staff_id: int) -> frozenset[int]:
    """The units ``staff_id`` works in now."""
    return frozenset(
        session.exec(
            select(UnitMembership.unit_id).where(
                UnitMembership.staff_id == staff_id, col(UnitMembership.ended_at).is_(None)
            )
        )
    )


def _unit_for(session: Session, staff_id: int) -> int:
    """The staff member's first unit, or a unit of their own if they have none yet."""
    current = sorted(units_of(session=session, staff_id=staff_id))
    if current:
        return current[0]
    staff = session.get(User, staff_id)
    unit = CareUnit(name=f"Enhet för {staff.display_name if staff else ''} ({staff_id})"[:160])
    session.add(unit)
    session.flush()
    session.add(UnitMembership(unit_id=unit.id, staff_id=staff_id))
    session.flush()
    return unit.id


def record_care_relationship(
    *,
    session: Session,
    staff_id: int,
    resident_id: int,
    unit_id: int | None = None,
    recorded_by_id: int | None = None,
    started_at: datetime | None = None,
) -> CareRelationship:
    """The resident is in the care of ``unit_id``, with ``staff_id`` as fixed contact.

    Without a unit: the staff member's unit (one of their own is made if they have none),
    so whoever records a relationship reaches the resident. An ongoing relationship at
    the same unit is kept.
    """
    unit_id = unit_id or _unit_for(session, staff_id)
    existing = session.exec(
        select(CareRelationship).where(
            CareRelationship.resident_id == resident_id,
            CareRelationship.unit_id == unit_id,
            col(CareRelationship.ended_at).is_(None),
        )
    ).first()
    if existing is not None:
        return existing
    row = CareRelationship(
        staff_id=staff_id,
        resident_id=resident_id,
        unit_id=unit_id,
        recorded_by_id=recorded_by_id,
        started_at=started_at or clock.now(),
    )
    session.add(row)
    session.flush()
    bump_access_versions(
        session=session, user_ids=[*members_of(session=session, unit_id=unit_id), resident_id]
    )
    return row


def end_care_relationship(
    *,
    session: Session,
    resident_id: int,
    staff_id: int | None = None,
    unit_id: int | None = None,
) -> int:
    """End the resident's ongoing relationships (with this fixed contact, at this unit);
    how many ended. Access through them ends at the staff's next event."""
    query = select(CareRelationship).where(
        CareRelationship.resident_id == resident_id, col(CareRelationship.ended_at).is_(None)
    )
    if staff_id is not None:
        query = query.where(CareRelationship.staff_id == staff_id)
    if unit_id is not None:
        query = query.where(CareRelationship.unit_id == unit_id)
    rows = session.exec(query).all()
    now = clock.now()
    affected = {resident_id}
    for row in rows:
        row.ended_at = now
        session.add(row)
        affected.update(members_of(session=session, unit_id=row.unit_id))
    session.flush()
    if rows:
        bump_access_versions(session=session, user_ids=affected)
    return len(rows)


def _current_care(staff_id: int):  # noqa: ANN202 - a select of (relationship, membership)
    return (
        select(CareRelationship)
        .join(UnitMembership, col(UnitMembership.unit_id) == col(CareRelationship.unit_id))
        .where(
            UnitMembership.staff_id == staff_id,
            col(UnitMembership.ended_at).is_(None),
            col(CareRelationship.ended_at).is_(None),
        )
    )


def residents_in_care_of(*, session: Session, staff_id: int) -> frozenset[int]:
    """The residents in the care of a unit ``staff_id`` works in, now."""
    return frozenset(row.resident_id for row in session.exec(_current_care(staff_id)))


def care_shares_of(*, session: Session, staff_id: int) -> dict[int, frozenset[ProxyScope]]:
    """resident id -> what the resident shares with a unit ``staff_id`` works in and that
    has her in its care now (egenmonitorering, with her consent)."""
    cared = {(row.resident_id, row.unit_id) for row in session.exec(_current_care(staff_id))}
    if not cared:
        return {}
    rows = session.exec(
        select(CareShare).where(
            col(CareShare.resident_id).in_({resident for resident, _ in cared}),
            col(CareShare.revoked_at).is_(None),
        )
    ).all()
    scopes: dict[int, set[ProxyScope]] = defaultdict(set)
    for row in rows:
        if (row.resident_id, row.unit_id) in cared:
            scopes[row.resident_id].add(ProxyScope(row.scope))
    return {resident: frozenset(shared) for resident, shared in scopes.items()}


@dataclass(frozen=True)
class CareRecipient:
    """A resident in the care of one of the staff member's units, with whom and where."""

    resident: User
    relationship: CareRelationship
    unit: CareUnit
    fixed_contact: User | None


def care_recipients(*, session: Session, staff_id: int) -> list[CareRecipient]:
    """The residents in the care of ``staff_id``'s units now, by name (once per unit)."""
    relationships = session.exec(_current_care(staff_id)).all()
    people = {
        user.id: user
        for user in session.exec(
            select(User).where(
                col(User.id).in_(
                    {r.resident_id for r in relationships} | {r.staff_id for r in relationships}
                )
            )
        )
    }
    units = {
        unit.id: unit
        for unit in session.exec(
            select(CareUnit).where(col(CareUnit.id).in_({r.unit_id for r in relationships}))
        )
    }
    found = [
        CareRecipient(people[r.resident_id], r, units[r.unit_id], people.get(r.staff_id))
        for r in relationships
    ]
    return sorted(found, key=lambda c: (c.resident.display_name, c.resident.id, c.unit.name))


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


# What a helper is told on Hem after a resident stopped sharing: for this long.
RECENTLY_ENDED_FOR = timedelta(days=7)


def recently_ended(
    *, session: Session, relative_id: int, now: datetime | None = None
) -> dict[int, tuple[frozenset[ProxyScope], frozenset[ProxyScope]]]:
    """resident id -> (the scopes she stopped sharing with ``relative_id`` in the last
    ``RECENTLY_ENDED_FOR`` and does not share now, what she still shares): what the
    helper's Hem says, also in a tab that reconnected with a fresh state. Not when the
    helper stepped back themselves ("Sluta hjälpa": their own choice, in her log)."""
    now = now or clock.now()
    since = now - RECENTLY_ENDED_FOR
    rows = session.exec(
        select(ProxyGrant.resident_id, ProxyGrant.scope).where(
            ProxyGrant.relative_id == relative_id,
            col(ProxyGrant.revoked_at).is_not(None),
            col(ProxyGrant.revoked_at) > since,
            col(ProxyGrant.revoked_at) <= now,
        )
    ).all()
    if not rows:
        return {}
    stepped_back = set(
        session.exec(
            select(AuditEvent.subject_id).where(
                AuditEvent.actor_id == relative_id,
                AuditEvent.detail == HELPING_ENDED_DETAIL,
                col(AuditEvent.at) > since,
            )
        )
    )
    current = grants_of(session=session, relative_id=relative_id, now=now)
    ended: dict[int, set[ProxyScope]] = defaultdict(set)
    for resident_id, scope in rows:
        still = current.get(resident_id, frozenset())
        if resident_id not in stepped_back and ProxyScope(scope) not in still:
            ended[resident_id].add(ProxyScope(scope))
    return {
        resident_id: (frozenset(scopes), current.get(resident_id, frozenset()))
        for resident_id, scopes in ended.items()
    }
