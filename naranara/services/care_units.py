"""Care units, who works in them, and what residents share with them.

An administrator creates and renames units and adds staff to them (``/admin`` and
the command line). A resident in a unit's care may let that unit follow her
self-care or measurements, one scope at a time (``CareShare``). Every change that
widens or narrows someone's access raises their access version (services/access.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from naranara import clock
from naranara.i18n import N_
from naranara.inputs import Checker, InputInvalid, column_length
from naranara.models import (
    AuditKind,
    CareRelationship,
    CareShare,
    CareUnit,
    OrganisationKind,
    ProxyScope,
    Role,
    UnitMembership,
    User,
)
from naranara.services import access, audit
from naranara.services.patient_contract import ERROR_PHONE, normalise_phone

# What a resident can let her care unit follow, in the order the page lists them.
SHAREABLE = (ProxyScope.SELF_CARE, ProxyScope.MEASUREMENTS)
UNIT_LIMITS = {name: column_length(CareUnit, name) for name in ("name", "organisation", "phone")}
ERROR_NAME_TAKEN = N_("There is already a care unit with that name.")


class NotFound(LookupError):
    """No such unit, membership or person here."""


@dataclass(frozen=True)
class UnitFields:
    name: str
    organisation: str
    kind: str
    phone: str


def validate_unit(data: Mapping[str, object]) -> UnitFields:
    """A unit's fields from a form; raises ``InputInvalid`` (message ids per field)."""
    checker = Checker()
    errors = checker.errors
    values = {
        name: checker.text(data, name, max_length=limit, required=name == "name")
        for name, limit in UNIT_LIMITS.items()
    }
    kind = checker.choice(data, "kind", OrganisationKind, OrganisationKind.REGION).value
    phone = ""
    if values["phone"] and "phone" not in errors:
        phone = normalise_phone(values["phone"]) or ""
        if not phone:
            errors["phone"] = ERROR_PHONE
    checker.done()
    return UnitFields(values["name"], values["organisation"], kind, phone)


def _name_taken(session: Session, name: str, *, other_than: int | None = None) -> bool:
    query = select(CareUnit.id).where(func.lower(CareUnit.name) == name.lower())
    if other_than is not None:
        query = query.where(CareUnit.id != other_than)
    return session.exec(query).first() is not None


def create_unit(
    *, session: Session, data: Mapping[str, object], actor_id: int | None = None
) -> CareUnit:
    fields = validate_unit(data)
    if _name_taken(session, fields.name):
        raise InputInvalid({"name": ERROR_NAME_TAKEN})
    unit = CareUnit(
        name=fields.name, organisation=fields.organisation, kind=fields.kind, phone=fields.phone
    )
    session.add(unit)
    session.flush()
    audit.record(
        session=session, kind=AuditKind.UNIT_CREATED, actor_id=actor_id, detail=f"unit={unit.id}"
    )
    return unit


def change_unit(
    *, session: Session, unit_id: int, data: Mapping[str, object], actor_id: int | None = None
) -> CareUnit:
    """Rename a unit, or change its organisation, kind or phone number."""
    unit = session.get(CareUnit, unit_id)
    if unit is None:
        raise NotFound(unit_id)
    fields = validate_unit(data)
    if _name_taken(session, fields.name, other_than=unit.id):
        raise InputInvalid({"name": ERROR_NAME_TAKEN})
    unit.name, unit.organisation = fields.name, fields.organisation
    unit.kind, unit.phone = fields.kind, fields.phone
    session.add(unit)
    session.flush()
    audit.record(
        session=session, kind=AuditKind.UNIT_CHANGED, actor_id=actor_id, detail=f"unit={unit.id}"
    )
    return unit


def all_units(*, session: Session) -> list[CareUnit]:
    return list(session.exec(select(CareUnit).order_by(col(CareUnit.name), col(CareUnit.id))))


def unit_named(*, session: Session, name: str) -> CareUnit | None:
    return session.exec(select(CareUnit).where(CareUnit.name == name)).first()


def units_by_id(*, session: Session, unit_ids: set[int]) -> dict[int, CareUnit]:
    if not unit_ids:
        return {}
    return {
        unit.id: unit
        for unit in session.exec(select(CareUnit).where(col(CareUnit.id).in_(unit_ids)))
    }


# ---------------------------------------------------------------------------- memberships


def add_member(
    *, session: Session, unit_id: int, staff_id: int, actor_id: int | None = None
) -> UnitMembership:
    """``staff_id`` works in the unit from now: they reach the residents in its care."""
    unit, staff = session.get(CareUnit, unit_id), session.get(User, staff_id)
    if unit is None or staff is None or Role(staff.role) is not Role.STAFF:
        raise NotFound(unit_id)
    current = session.exec(
        select(UnitMembership).where(
            UnitMembership.unit_id == unit_id,
            UnitMembership.staff_id == staff_id,
            col(UnitMembership.ended_at).is_(None),
        )
    ).first()
    if current is not None:
        return current
    membership = UnitMembership(unit_id=unit_id, staff_id=staff_id, added_by_id=actor_id)
    session.add(membership)
    session.flush()
    access.bump_access_version(session=session, user_id=staff_id)
    audit.record(
        session=session,
        kind=AuditKind.MEMBERSHIP_STARTED,
        actor_id=actor_id,
        subject_id=staff_id,
        detail=f"unit={unit_id}",
    )
    return membership


def end_membership(
    *, session: Session, membership_id: int, actor_id: int | None = None
) -> UnitMembership:
    """The staff member no longer works in the unit: its residents are out of reach from
    their next event (the residents' care relationships go on with the unit)."""
    membership = session.get(UnitMembership, membership_id)
    if membership is None or membership.ended_at is not None:
        raise NotFound(membership_id)
    membership.ended_at = clock.now()
    session.add(membership)
    session.flush()
    access.bump_access_version(session=session, user_id=membership.staff_id)
    audit.record(
        session=session,
        kind=AuditKind.MEMBERSHIP_ENDED,
        actor_id=actor_id,
        subject_id=membership.staff_id,
        detail=f"unit={membership.unit_id}",
    )
    return membership


def memberships_of(*, session: Session, staff_id: int) -> list[tuple[UnitMembership, CareUnit]]:
    """The staff member's current memberships, by unit name."""
    rows = session.exec(
        select(UnitMembership, CareUnit)
        .join(CareUnit, col(CareUnit.id) == col(UnitMembership.unit_id))
        .where(UnitMembership.staff_id == staff_id, col(UnitMembership.ended_at).is_(None))
        .order_by(col(CareUnit.name))
    ).all()
    return [(membership, unit) for membership, unit in rows]


def staff_of(*, session: Session, unit_id: int) -> list[User]:
    """The unit's current staff, by name."""
    return list(
        session.exec(
            select(User)
            .join(UnitMembership, col(UnitMembership.staff_id) == col(User.id))
            .where(UnitMembership.unit_id == unit_id, col(UnitMembership.ended_at).is_(None))
            .order_by(col(User.display_name), col(User.id))
        )
    )


def member_counts(*, session: Session) -> dict[int, int]:
    rows = session.exec(
        select(UnitMembership.unit_id, func.count())
        .where(col(UnitMembership.ended_at).is_(None))
        .group_by(col(UnitMembership.unit_id))
    ).all()
    return dict(rows)


# ---------------------------------------------------------------------------- sharing


def units_caring_for(*, session: Session, resident_id: int) -> list[CareUnit]:
    """The units that have the resident in their care now, by name."""
    return list(
        session.exec(
            select(CareUnit)
            .join(CareRelationship, col(CareRelationship.unit_id) == col(CareUnit.id))
            .where(
                CareRelationship.resident_id == resident_id,
                col(CareRelationship.ended_at).is_(None),
            )
            .distinct()
            .order_by(col(CareUnit.name))
        )
    )


def shares_of(*, session: Session, resident_id: int) -> dict[int, frozenset[ProxyScope]]:
    """unit id -> what the resident shares with that unit now."""
    rows = session.exec(
        select(CareShare).where(
            CareShare.resident_id == resident_id, col(CareShare.revoked_at).is_(None)
        )
    ).all()
    found: dict[int, set[ProxyScope]] = {}
    for row in rows:
        found.setdefault(row.unit_id, set()).add(ProxyScope(row.scope))
    return {unit: frozenset(scopes) for unit, scopes in found.items()}


def set_shared(
    *, session: Session, resident_id: int, unit_id: int, scope: ProxyScope, shared: bool
) -> bool:
    """Start or stop sharing one scope with one unit in the resident's care; whether
    anything changed. The unit's staff see the change from their next event."""
    if scope not in SHAREABLE:
        raise ValueError(f"{scope} is not shared with care units")
    if unit_id not in {u.id for u in units_caring_for(session=session, resident_id=resident_id)}:
        raise NotFound(unit_id)
    current = session.exec(
        select(CareShare).where(
            CareShare.resident_id == resident_id,
            CareShare.unit_id == unit_id,
            CareShare.scope == scope.value,
            col(CareShare.revoked_at).is_(None),
        )
    ).all()
    if shared == bool(current):
        return False
    if shared:
        session.add(CareShare(resident_id=resident_id, unit_id=unit_id, scope=scope.value))
    else:
        now = clock.now()
        for row in current:
            row.revoked_at = now
            session.add(row)
    session.flush()
    # The rows themselves (granted, revoked) are the history of her consent.
    access.bump_access_versions(
        session=session, user_ids=access.members_of(session=session, unit_id=unit_id)
    )
    return True
