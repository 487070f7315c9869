"""Who may do what to whose data: the one place that decides.

Every Reflex event handler and HTTP route that touches a resident's data asks
here, on the server, with the viewer resolved from the session cookie. A viewer
carries what others have let them see: a relative's grants (ombud scopes) and
a staff member's recorded care relationships, read once when it is resolved.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from naranara import clock
from naranara.i18n import normalise_locale
from naranara.models import ProxyScope, Role, User
from naranara.services import access, sessions
from naranara.settings import get_settings


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, as resolved on the server from the session cookie."""

    user_id: int
    role: Role
    display_name: str
    locale: str
    # resident id -> scopes that resident has granted this viewer (relatives, residents)
    grants: Mapping[int, frozenset[ProxyScope]] = field(default_factory=dict)
    # residents this viewer has a recorded care relationship with (staff)
    cares_for: frozenset[int] = frozenset()
    # when this viewer last proved who they are: every sign-in starts a new session
    signed_in_at: datetime | None = None
    # the user row's access_version when grants and care relationships were read
    access_version: int = 0
    # the care units this viewer works in (staff)
    units: frozenset[int] = frozenset()
    # resident id -> what she shares with one of those units that has her in its care
    # (egenmonitorering: self_care, measurements), with her consent, one scope at a time
    care_shared: Mapping[int, frozenset[ProxyScope]] = field(default_factory=dict)


def viewer_for_session_token(*, session: Session, token: str | None) -> Viewer | None:
    """The viewer behind a session cookie value, or None: the one way identity is resolved
    (states read the cookie from the websocket handshake, HTTP routes from the request).

    The session and user rows are read every time (sign-out, expiry, deactivation, name and
    language apply at once); what others let this person see is reused from an earlier
    event of the same session while the user's ``access_version`` is the same and no grant
    it holds has expired since (``_AccessCache``)."""
    found = sessions.resolve_session(session=session, token=token)
    if found is None:
        return None
    user, row = found
    return viewer_of(user, session=session, signed_in_at=row.created_at, cache_key=row.token_hash)


@dataclass(frozen=True)
class _Access:
    """What others have let one person see, as read at one access version."""

    grants: Mapping[int, frozenset[ProxyScope]]
    cares_for: frozenset[int]
    units: frozenset[int]
    care_shared: Mapping[int, frozenset[ProxyScope]]
    # a grant ends by itself at its expiry, without a new access version: read again then
    valid_until: datetime | None


def _read_access(user: User, role: Role, session: Session) -> _Access:
    staff = role is Role.STAFF
    now = clock.now()
    holds_grants = may_hold_grants(role)
    return _Access(
        grants=access.grants_of(session=session, relative_id=user.id, now=now)
        if holds_grants
        else {},
        cares_for=access.residents_in_care_of(session=session, staff_id=user.id)
        if staff
        else frozenset(),
        units=access.units_of(session=session, staff_id=user.id) if staff else frozenset(),
        care_shared=access.care_shares_of(session=session, staff_id=user.id) if staff else {},
        valid_until=access.next_grant_expiry(session=session, relative_id=user.id, now=now)
        if holds_grants
        else None,
    )


class _AccessCache:
    """Per sign-in session (the token's digest), the access last read and the version it
    was read at. Every change of a grant, care relationship, unit membership or share with
    a unit raises the person's access version in the same transaction
    (services/access.py), so a version read no later than the access it keys is never
    newer than that access: a revoked grant applies from the next event."""

    MAX_SESSIONS = 20_000

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[int, int, Role], _Access]] = {}
        self._lock = threading.Lock()

    def get(self, session_key: str, version_key: tuple[int, int, Role]) -> _Access | None:
        entry = self._entries.get(session_key)
        if entry is None or entry[0] != version_key:
            return None
        found = entry[1]
        if found.valid_until is not None and clock.now() >= found.valid_until:
            return None
        return found

    def put(self, session_key: str, version_key: tuple[int, int, Role], found: _Access) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX_SESSIONS:
                self._entries.clear()
            self._entries[session_key] = (version_key, found)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_access_cache = _AccessCache()


def clear_access_cache() -> None:
    """Forget every session's access (tests switching databases)."""
    _access_cache.clear()


def viewer_of(
    user: User,
    *,
    session: Session,
    signed_in_at: datetime | None = None,
    cache_key: str | None = None,
) -> Viewer:
    """The viewer for a user row that a session cookie resolved to, with their access.

    ``cache_key`` (a session's token digest) lets the access be reused between events of
    that session while the user's access version stays the same; without one it is read."""
    role = Role(user.role)
    version_key = (user.id, user.access_version, role)
    found = _access_cache.get(cache_key, version_key) if cache_key else None
    if found is None:
        found = _read_access(user, role, session)
        if cache_key:
            _access_cache.put(cache_key, version_key, found)
    return Viewer(
        user_id=user.id,
        role=role,
        display_name=user.display_name,
        locale=normalise_locale(user.locale),
        grants=found.grants,
        cares_for=found.cares_for,
        signed_in_at=signed_in_at,
        access_version=user.access_version,
        units=found.units,
        care_shared=found.care_shared,
    )


class Action(StrEnum):
    READ_PUBLISHED_GUIDANCE = "read_published_guidance"
    VIEW_CARE_PLAN = "view_care_plan"  # contacts, agreed times, the coordinated plan
    EDIT_CARE_PLAN = "edit_care_plan"  # add and change those entries
    VIEW_SELF_CARE = "view_self_care"
    RECORD_SELF_CARE = "record_self_care"  # mark a task occurrence done or skipped
    CHANGE_SELF_CARE_PLAN = "change_self_care_plan"  # adopt, reschedule, pause, stop tasks
    VIEW_PROFILE = "view_profile"  # "Vad är viktigt för dig?", whether shared or not
    VIEW_SHARED_PROFILE = "view_shared_profile"  # only once the resident shares it
    EDIT_PROFILE = "edit_profile"
    EXPORT_RECORD = "export_record"  # the whole record as a FHIR bundle
    MANAGE_CALENDAR_FEED = "manage_calendar_feed"  # a private subscription URL
    CHANGE_ACCOUNT_SETTINGS = "change_account_settings"  # incl. own devices for reminders
    VIEW_MEASUREMENTS = "view_measurements"  # self-monitoring values and their charts
    RECORD_MEASUREMENT = "record_measurement"  # the resident logs their own values
    RECEIVE_REMINDERS = "receive_reminders"  # reminders of a resident's times and tasks
    RECEIVE_MISSED_TASK_ALERTS = "receive_missed_task_alerts"
    INVITE_RELATIVE = "invite_relative"  # invite an ombud or widen what they may do
    MANAGE_RELATIVES = "manage_relatives"  # list relatives, narrow or revoke their access
    VIEW_ACCESS_LOG = "view_access_log"  # "Vem har sett mina uppgifter"
    EDIT_GUIDANCE = "edit_guidance"  # staff: draft, translate, submit for review
    REVIEW_GUIDANCE = "review_guidance"  # staff: approve, publish, schedule, unpublish
    # Issue 13: care units, enrolment, times agreed from both sides.
    ANSWER_AGREED_TIME = "answer_agreed_time"  # "Jag kommer" / "Jag behöver en annan tid"
    REPLY_TO_RESIDENT = "reply_to_resident"  # staff answer a request for another time
    MANAGE_CARE_RELATIONSHIP = "manage_care_relationship"  # end it; a new activation sheet
    MANAGE_CARE_SHARING = "manage_care_sharing"  # what the resident shares with her units
    ENROL_RESIDENT = "enrol_resident"  # staff working in a unit (may_enrol_at names which)
    ADMINISTER = "administer"  # administrators: care units and staff accounts
    # Issue 15: a copy of her own times, contacts, tasks and articles on one phone.
    # Only a resident, of her own data: relatives' and staff's views never go offline.
    KEEP_OFFLINE_COPY = "keep_offline_copy"


_PUBLIC_ACTIONS = frozenset({Action.READ_PUBLISHED_GUIDANCE})
_RESIDENT_OWN_ACTIONS = frozenset(
    {
        Action.VIEW_CARE_PLAN,
        Action.EDIT_CARE_PLAN,
        Action.VIEW_SELF_CARE,
        Action.RECORD_SELF_CARE,
        Action.CHANGE_SELF_CARE_PLAN,  # a helper marks tasks, never restructures the plan
        Action.VIEW_PROFILE,
        Action.VIEW_SHARED_PROFILE,
        Action.EDIT_PROFILE,
        Action.EXPORT_RECORD,
        Action.MANAGE_CALENDAR_FEED,
        Action.VIEW_MEASUREMENTS,
        Action.RECORD_MEASUREMENT,
        Action.RECEIVE_REMINDERS,
        Action.INVITE_RELATIVE,
        Action.MANAGE_RELATIVES,
        Action.VIEW_ACCESS_LOG,
        Action.ANSWER_AGREED_TIME,
        Action.MANAGE_CARE_SHARING,
        Action.KEEP_OFFLINE_COPY,
    }
)
# Actions of a role rather than on someone's data (subject None). Whether a reviewer
# is not the author of the text is the guidance workflow's rule, not a role's.
_STAFF_ROLE_ACTIONS = frozenset({Action.EDIT_GUIDANCE, Action.REVIEW_GUIDANCE})
# A resident may help their partner too; staff and admin act through their role only.
_MAY_HOLD_GRANTS = frozenset({Role.RELATIVE, Role.RESIDENT})


def may_hold_grants(role: Role) -> bool:
    """Whether an account of this role may be given a grant (accept an invitation, be
    an ombud): the one answer to "who may hold a grant"."""
    return role in _MAY_HOLD_GRANTS


# The grant scope that lets a relative do an action for the resident who gave it.
_SCOPE_FOR = {
    Action.VIEW_CARE_PLAN: ProxyScope.CARE_PLAN,
    Action.VIEW_SELF_CARE: ProxyScope.SELF_CARE,
    Action.RECORD_SELF_CARE: ProxyScope.SELF_CARE,
    Action.VIEW_MEASUREMENTS: ProxyScope.MEASUREMENTS,
    Action.VIEW_PROFILE: ProxyScope.PROFILE,
    Action.VIEW_SHARED_PROFILE: ProxyScope.PROFILE,  # whoever may read it unshared, may shared
    Action.RECEIVE_REMINDERS: ProxyScope.REMINDERS,
    Action.RECEIVE_MISSED_TASK_ALERTS: ProxyScope.MISSED_TASK_ALERTS,
    Action.ANSWER_AGREED_TIME: ProxyScope.CARE_PLAN,  # marked as the relative's own answer
}
# What staff with a care relationship may do: read and keep the care plan, read a
# profile the resident shares, answer her requests, end the relationship. The resident
# records self-care.
_CARE_TEAM_ACTIONS = frozenset(
    {
        Action.VIEW_CARE_PLAN,
        Action.EDIT_CARE_PLAN,
        Action.VIEW_SHARED_PROFILE,
        Action.REPLY_TO_RESIDENT,
        Action.MANAGE_CARE_RELATIONSHIP,
    }
)
# Self-monitoring the care team reads only while the resident shares it with their unit.
_CARE_TEAM_WITH_CONSENT = {
    Action.VIEW_SELF_CARE: ProxyScope.SELF_CARE,
    Action.VIEW_MEASUREMENTS: ProxyScope.MEASUREMENTS,
}


# Actions that take the resident's data out of the app: a phone left signed in for
# weeks must not be enough, so these need a recent sign-in as well as permission.
# Letting a relative in is sharing too; narrowing or revoking access never waits for it.
NEEDS_RECENT_SIGN_IN = frozenset(
    {Action.EXPORT_RECORD, Action.MANAGE_CALENDAR_FEED, Action.INVITE_RELATIVE}
)


class Forbidden(Exception):
    """Raised by ``require``; handlers turn it into a calm message, never data."""

    def __init__(self, action: Action, subject_id: int | None) -> None:
        super().__init__(f"{action} on {subject_id} refused")
        self.action = action
        self.subject_id = subject_id


class SignInAgain(Forbidden):
    """Allowed, but only after signing in again: send the person to ``sign_in_again_path``."""


def is_allowed(viewer: Viewer | None, action: Action, subject_id: int | None = None) -> bool:
    """May ``viewer`` do ``action`` to the data of the person ``subject_id``?"""
    if action in _PUBLIC_ACTIONS:
        return True
    if viewer is None:
        return False
    if action is Action.CHANGE_ACCOUNT_SETTINGS:
        return subject_id == viewer.user_id
    if action in _STAFF_ROLE_ACTIONS:
        return viewer.role is Role.STAFF and subject_id is None
    if action is Action.ENROL_RESIDENT:
        return viewer.role is Role.STAFF and subject_id is None and bool(viewer.units)
    if action is Action.ADMINISTER:
        return viewer.role is Role.ADMIN and subject_id is None
    if subject_id is None:
        return False
    if action in _RESIDENT_OWN_ACTIONS and subject_id == viewer.user_id:
        return viewer.role is Role.RESIDENT
    if may_hold_grants(viewer.role) and _SCOPE_FOR.get(action) in viewer.grants.get(subject_id, ()):
        return True
    if viewer.role is not Role.STAFF or subject_id not in viewer.cares_for:
        return False
    if action in _CARE_TEAM_WITH_CONSENT:
        return _CARE_TEAM_WITH_CONSENT[action] in viewer.care_shared.get(subject_id, ())
    return action in _CARE_TEAM_ACTIONS


def signed_in_recently(viewer: Viewer, now: datetime | None = None) -> bool:
    if viewer.signed_in_at is None:
        return False
    age = (now or clock.now()) - viewer.signed_in_at
    return age <= timedelta(minutes=get_settings().reauthenticate_minutes)


def require(
    viewer: Viewer | None,
    action: Action,
    subject_id: int | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Raise ``Forbidden`` unless ``viewer`` may do ``action`` to ``subject_id``'s data,
    and ``SignInAgain`` if the action needs a more recent sign-in than theirs."""
    if not is_allowed(viewer, action, subject_id):
        raise Forbidden(action, subject_id)
    if action in NEEDS_RECENT_SIGN_IN and not signed_in_recently(viewer, now):
        raise SignInAgain(action, subject_id)


def may_read_profile(viewer: Viewer | None, resident_id: int | None, *, shared: bool) -> bool:
    """The "Vad är viktigt för dig?" profile: the resident always; others only once shared."""
    return is_allowed(viewer, Action.VIEW_PROFILE, resident_id) or (
        shared and is_allowed(viewer, Action.VIEW_SHARED_PROFILE, resident_id)
    )


def may_enrol_at(viewer: Viewer | None, unit_id: int | None) -> bool:
    """Staff enrol residents into the care of a unit they work in, and no other."""
    return (
        is_allowed(viewer, Action.ENROL_RESIDENT)
        and unit_id is not None
        and unit_id in viewer.units
    )


def is_care_side(viewer: Viewer | None) -> bool:
    """Whether what this viewer records for a resident is the care side's."""
    return viewer is not None and viewer.role is Role.STAFF


def may_change_entry(viewer: Viewer | None, resident_id: int | None, *, care_side: bool) -> bool:
    """A contact or an agreed time: what the care side recorded (or a region's system
    imported) is the care team's to change, and the resident answers it; what the
    resident entered herself stays hers to change."""
    return is_allowed(viewer, Action.EDIT_CARE_PLAN, resident_id) and (
        is_care_side(viewer) == care_side
    )


def may_review(
    reviewer_id: int | None, *, author_id: int | None, last_editor_id: int | None
) -> bool:
    """Four eyes on the self-care advice: neither whoever started a version nor whoever
    changed it last may approve it (services/guidance_editor.publish holds to this)."""
    return reviewer_id is not None and reviewer_id not in (author_id, last_editor_id)


def may_publish_guidance(
    viewer: Viewer | None, *, author_id: int | None, last_editor_id: int | None
) -> bool:
    """Whether to offer this viewer "Godkänn och publicera" on a version in review."""
    return is_allowed(viewer, Action.REVIEW_GUIDANCE) and may_review(
        viewer.user_id, author_id=author_id, last_editor_id=last_editor_id
    )
