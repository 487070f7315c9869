"""Profil → Närstående: whom the resident lets help, with what, and new invitations."""

from __future__ import annotations

import dataclasses

import reflex as rx

from naranara import routes
from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.i18n.formatting import format_day_and_time
from naranara.inputs import form_text, record_id
from naranara.models import ProxyScope
from naranara.policy import Action, Forbidden, SignInAgain, is_allowed, require
from naranara.routes import sign_in_again_path
from naranara.services import access, invitations
from naranara.settings import get_settings
from naranara.states.session import current_viewer

# In the resident's words, in the order the invitation form lists them.
SCOPE_LABELS = {
    ProxyScope.CARE_PLAN: N_("See my times and contacts"),
    ProxyScope.SELF_CARE: N_("See and tick off my self-care"),
    ProxyScope.MEASUREMENTS: N_("See my measurements"),
    ProxyScope.PROFILE: N_("See my profile \u201cWhat matters to me\u201d"),
    ProxyScope.REMINDERS: N_("Get my reminders"),
    ProxyScope.MISSED_TASK_ALERTS: N_("Get an alert if I miss a task"),
}
SCOPE_FIELD = {scope: f"scope_{scope.value}" for scope in ProxyScope}


def scope_from(value: object) -> ProxyScope | None:
    return next((scope for scope in ProxyScope if scope.value == value), None)


@dataclasses.dataclass
class ScopeToggleView:
    scope: str
    label: str
    granted: bool


@dataclasses.dataclass
class RelativeView:
    id: int
    name: str
    scopes: list[ScopeToggleView]


@dataclasses.dataclass
class InvitationView:
    id: int
    shares: str  # "Se mina tider och kontakter, Få mina påminnelser"
    expires: str


def invitation_address(state: rx.State, code: str) -> str:
    # The browser's own origin (from the socket handshake) unless a public URL is set.
    base = get_settings().public_url or state.router.headers.origin or state.router.url.origin
    if not base.startswith(("https://", "http://")):
        base = ""
    return f"{base.rstrip('/')}{routes.INVITATION}?kod={code}"


class RelativesState(rx.State):
    loaded: bool = False
    allowed: bool = False
    relatives: list[RelativeView] = []
    invitations: list[InvitationView] = []
    # What was ticked in the invitation form, kept when the form is sent back with an error.
    chosen: list[str] = []
    form_error: str = ""
    message: str = ""
    # The new invitation, shown once: after a reload only its hash exists anywhere.
    new_link: str = ""
    new_code: str = ""
    new_qr: str = ""
    new_expires: str = ""

    def _refresh(self, resident_id: int, locale: str) -> None:
        with session_scope() as db:
            relatives = access.relatives_of(session=db, resident_id=resident_id)
            waiting = invitations.open_invitations(session=db, resident_id=resident_id)
            self.relatives = [
                RelativeView(
                    id=user.id,
                    name=user.display_name,
                    scopes=[
                        ScopeToggleView(
                            scope=scope.value,
                            label=gettext(locale, label),
                            granted=scope in scopes,
                        )
                        for scope, label in SCOPE_LABELS.items()
                    ],
                )
                for user, scopes in relatives
            ]
            self.invitations = [
                InvitationView(
                    id=invitation.id,
                    shares=", ".join(
                        gettext(locale, SCOPE_LABELS[scope])
                        for scope in invitations.scopes_of(invitation)
                    ),
                    expires=format_day_and_time(invitation.expires_at, locale),
                )
                for invitation in waiting
            ]

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded = True
        self.message, self.form_error = "", ""
        self.new_link, self.new_code, self.new_qr, self.new_expires = "", "", "", ""
        self.allowed = is_allowed(viewer, Action.MANAGE_RELATIVES, viewer.user_id)
        if not self.allowed:
            self.relatives, self.invitations = [], []
            return
        self._refresh(viewer.user_id, viewer.locale)

    @rx.event
    def create_invitation(self, form_data: dict):  # noqa: ANN201 - a redirect to sign in again
        viewer = current_viewer(self)
        if viewer is None:
            return None
        chosen = [
            scope for scope in ProxyScope if form_text(form_data, SCOPE_FIELD[scope], max_length=4)
        ]
        self.chosen = [scope.value for scope in chosen]
        self.message = ""
        try:
            require(viewer, Action.INVITE_RELATIVE, viewer.user_id)
        except SignInAgain:
            # Letting someone in is sharing: a phone signed in for weeks is not enough.
            return rx.redirect(sign_in_again_path(routes.RELATIVES))
        except Forbidden:
            self.form_error = gettext(viewer.locale, "You cannot do that here.")
            return None
        if not chosen:
            self.form_error = gettext(
                viewer.locale, "Choose at least one thing the person may see or do."
            )
            return None
        with session_scope() as db:
            made = invitations.create(session=db, resident_id=viewer.user_id, scopes=chosen)
            expires = made.invitation.expires_at
        self.form_error = ""
        self.chosen = []
        self.new_code = made.code
        self.new_link = invitation_address(self, made.code)
        self.new_qr = invitations.qr_data_uri(self.new_link)
        self.new_expires = format_day_and_time(expires, viewer.locale)
        self._refresh(viewer.user_id, viewer.locale)
        return None

    @rx.event
    def withdraw_invitation(self, invitation_id: int) -> None:
        viewer = current_viewer(self)
        invitation_id = record_id(invitation_id)
        if viewer is None or invitation_id is None:
            return
        if not is_allowed(viewer, Action.MANAGE_RELATIVES, viewer.user_id):
            self.message = gettext(viewer.locale, "You cannot do that here.")
            return
        with session_scope() as db:
            withdrawn = invitations.withdraw(
                session=db, resident_id=viewer.user_id, invitation_id=invitation_id
            )
        self.new_link, self.new_code, self.new_qr = "", "", ""
        self._refresh(viewer.user_id, viewer.locale)
        self.message = (
            gettext(viewer.locale, "The invitation is withdrawn and no longer works.")
            if withdrawn
            else gettext(viewer.locale, "That invitation was already used or withdrawn.")
        )

    @rx.event
    def toggle_scope(self, relative_id: int, scope: str):  # noqa: ANN201 - may redirect
        """Turn one thing on or off for one relative; off takes effect at their next click."""
        viewer = current_viewer(self)
        relative_id, chosen = record_id(relative_id), scope_from(scope)
        if viewer is None or relative_id is None or chosen is None:
            return None
        shown = next((r for r in self.relatives if r.id == relative_id), None)
        try:
            require(viewer, Action.MANAGE_RELATIVES, viewer.user_id)
            if shown is None:
                raise Forbidden(Action.MANAGE_RELATIVES, viewer.user_id)
            with session_scope() as db:
                current = access.grants_of(session=db, relative_id=relative_id).get(
                    viewer.user_id, frozenset()
                )
                if chosen not in current:
                    # Widening what someone may do is inviting them further.
                    require(viewer, Action.INVITE_RELATIVE, viewer.user_id)
                    access.grant(
                        session=db,
                        resident_id=viewer.user_id,
                        relative_id=relative_id,
                        scope=chosen,
                    )
                else:
                    access.revoke(
                        session=db,
                        resident_id=viewer.user_id,
                        relative_id=relative_id,
                        scope=chosen,
                    )
        except SignInAgain:
            return rx.redirect(sign_in_again_path(routes.RELATIVES))
        except Forbidden:
            self.message = gettext(viewer.locale, "You cannot do that here.")
            return None
        self._refresh(viewer.user_id, viewer.locale)
        self.message = gettext(viewer.locale, "Saved. It applies from their next click.")
        return None

    @rx.event
    def remove_relative(self, relative_id: int) -> None:
        """End everything one relative may do, at once."""
        viewer = current_viewer(self)
        relative_id = record_id(relative_id)
        if viewer is None or relative_id is None:
            return
        shown = next((r for r in self.relatives if r.id == relative_id), None)
        if shown is None or not is_allowed(viewer, Action.MANAGE_RELATIVES, viewer.user_id):
            self.message = gettext(viewer.locale, "You cannot do that here.")
            return
        with session_scope() as db:
            access.revoke_all(session=db, resident_id=viewer.user_id, relative_id=relative_id)
        self._refresh(viewer.user_id, viewer.locale)
        self.message = gettext(
            viewer.locale, "{name} can no longer see or do anything for you."
        ).format(name=shown.name)
