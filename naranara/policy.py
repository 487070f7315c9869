"""Who may do what to whose data: the one place that decides.

Every Reflex event handler and HTTP route that touches a resident's data asks
here, on the server, with the viewer resolved from the session cookie. Grants
for relatives (ombud) and care relationships for staff are added here when
they exist; until then only residents see their own data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from naranara.i18n import normalise_locale
from naranara.models import Role, User


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, as resolved on the server from the session cookie."""

    user_id: int
    role: Role
    display_name: str
    locale: str


def viewer_of(user: User) -> Viewer:
    """The viewer for a user row that a session cookie resolved to."""
    return Viewer(
        user_id=user.id,
        role=user.role,
        display_name=user.display_name,
        locale=normalise_locale(user.locale),
    )


class Action(StrEnum):
    READ_PUBLISHED_GUIDANCE = "read_published_guidance"
    VIEW_CARE_PLAN = "view_care_plan"  # contacts and agreed times
    VIEW_SELF_CARE = "view_self_care"
    RECORD_SELF_CARE = "record_self_care"
    CHANGE_ACCOUNT_SETTINGS = "change_account_settings"


_PUBLIC_ACTIONS = frozenset({Action.READ_PUBLISHED_GUIDANCE})
_RESIDENT_OWN_ACTIONS = frozenset(
    {Action.VIEW_CARE_PLAN, Action.VIEW_SELF_CARE, Action.RECORD_SELF_CARE}
)


class Forbidden(Exception):
    """Raised by ``require``; handlers turn it into a calm message, never data."""

    def __init__(self, action: Action, subject_id: int | None) -> None:
        super().__init__(f"{action} on {subject_id} refused")
        self.action = action
        self.subject_id = subject_id


def is_allowed(viewer: Viewer | None, action: Action, subject_id: int | None = None) -> bool:
    """May ``viewer`` do ``action`` to the data of the person ``subject_id``?"""
    if action in _PUBLIC_ACTIONS:
        return True
    if viewer is None:
        return False
    if action is Action.CHANGE_ACCOUNT_SETTINGS:
        return subject_id == viewer.user_id
    if action in _RESIDENT_OWN_ACTIONS:
        return viewer.role is Role.RESIDENT and subject_id == viewer.user_id
    return False


def require(viewer: Viewer | None, action: Action, subject_id: int | None = None) -> None:
    """Raise ``Forbidden`` unless ``viewer`` may do ``action`` to ``subject_id``'s data."""
    if not is_allowed(viewer, action, subject_id):
        raise Forbidden(action, subject_id)
