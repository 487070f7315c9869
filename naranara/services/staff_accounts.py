"""Staff and administrator accounts, as an administrator makes them (``/admin``, the CLI).

A staff account signs in with a first password (the person changes nothing else to
start), or through the region's identity provider for staff (SITHS): then it is
linked to the person's identity there (issuer, subject) before the first sign-in,
as no account is ever made by a staff provider itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session

from naranara.i18n import N_
from naranara.inputs import CHOICE, Checker, InputInvalid, column_length
from naranara.models import AuditKind, ExternalIdentity, Role, User
from naranara.services import access, accounts, audit, care_units, external_identities

ERROR_USERNAME = N_("A username is 2–64 characters: letters a–z, digits, dots, _ or -.")
ERROR_USERNAME_TAKEN = N_("There is already an account with that username.")
ERROR_IDENTITY_TAKEN = N_("That identity is already linked to an account.")


@dataclass(frozen=True)
class NewStaff:
    username: str
    display_name: str
    role: Role
    subject: str  # the person's id at the identity provider; "" for a password account


def validate_new_staff(
    *, session: Session, data: Mapping[str, object], with_identity: bool
) -> NewStaff:
    """What the administrator typed; raises ``InputInvalid`` with message ids per field."""
    checker = Checker()
    errors = checker.errors
    name = checker.text(
        data, "display_name", max_length=column_length(User, "display_name"), required=True
    )
    username = accounts.normalise_username(
        checker.text(data, "username", max_length=column_length(User, "username"))
    )
    subject = checker.text(
        data,
        "subject",
        max_length=column_length(ExternalIdentity, "subject"),
        required=with_identity,
    )
    role = checker.choice(data, "role", Role, Role.STAFF)
    if not accounts.USERNAME_PATTERN.fullmatch(username):
        errors["username"] = ERROR_USERNAME
    elif accounts.user_by_username(session=session, username=username) is not None:
        errors["username"] = ERROR_USERNAME_TAKEN
    if role not in accounts.STAFF_ROLES:
        checker.refuse("role", CHOICE)
    checker.done()
    return NewStaff(username, name, role, subject if with_identity else "")


def create_staff(
    *,
    session: Session,
    new: NewStaff,
    password_hash: str | None,
    issuer: str | None,
    unit_id: int | None,
    actor_id: int | None,
) -> User:
    """The account, its identity link (with ``issuer``) and its first unit, if given."""
    if issuer and external_identities.find_user(
        session=session, issuer=issuer, subject=new.subject
    ):
        raise InputInvalid({"subject": ERROR_IDENTITY_TAKEN})
    user = accounts.create_user(
        session=session, username=new.username, display_name=new.display_name, role=new.role
    )
    user.password_hash = password_hash
    session.add(user)
    if issuer:
        external_identities.link(
            session=session, user_id=user.id, issuer=issuer, subject=new.subject
        )
    if unit_id and new.role is Role.STAFF:
        care_units.add_member(session=session, unit_id=unit_id, staff_id=user.id, actor_id=actor_id)
    audit.record(
        session=session,
        kind=AuditKind.STAFF_CREATED,
        actor_id=actor_id,
        subject_id=user.id,
        detail=f"role={new.role.value} sign_in={'identity' if issuer else 'password'}",
    )
    return user


def change_role(*, session: Session, user: User, role: Role, actor_id: int | None) -> bool:
    """Staff become administrators or back; whether it changed. An administrator works in
    no unit: their memberships end."""
    previous = accounts.set_role(session=session, user=user, role=role)
    if previous == role:
        return False
    access.bump_access_version(session=session, user_id=user.id)
    if role is Role.ADMIN:
        for membership, _ in care_units.memberships_of(session=session, staff_id=user.id):
            care_units.end_membership(
                session=session, membership_id=membership.id, actor_id=actor_id
            )
    audit.record(
        session=session,
        kind=AuditKind.ROLE_CHANGED,
        actor_id=actor_id,
        subject_id=user.id,
        detail=f"from={previous.value} to={role.value} via=admin",
    )
    return True
