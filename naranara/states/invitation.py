"""/inbjudan?kod=…: a relative opens a resident's invitation, signs in or makes an
account, and accepts it.

The code in the address is the key, like the calendar feed's token: whoever holds
it and is signed in with an account that may help someone (policy.may_hold_grants)
can accept it, once. Who invited is shown only to such a signed-in person, never to
a visitor who is not signed in.

A visitor without an account is offered one: a password (the rules of
services/accounts.py, hashed off the event loop), or a configured identity
provider. On that detour the invitation waits for them under their browser's device
cookie (services/invitations.hold), and every way back in leads to plain
/inbjudan: the code never travels in another address.
"""

from __future__ import annotations

import asyncio
import math
from urllib.parse import urlencode

import reflex as rx
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from naranara import client_address, clock, routes
from naranara.components.browser import full_page_load
from naranara.db import session_scope
from naranara.i18n import gettext, ngettext
from naranara.inputs import form_text, message_text
from naranara.models import ProxyInvitation, User
from naranara.policy import Action, Forbidden, Viewer, is_allowed, require
from naranara.services import accounts, invitations, sessions, throttle
from naranara.services.invitations import InvitationRefused, Refusal
from naranara.settings import get_settings
from naranara.states.relatives import SCOPE_LABELS
from naranara.states.session import SessionState, current_viewer, read_cookie

CODE_PARAM = "kod"
# Where every detour (sign-in, a new account, an identity provider) comes back to.
_BACK_HERE = urlencode({"next": routes.INVITATION})
_ACCOUNT_FIELDS = ("display_name", "username", "password")


def _code_in_address(state: rx.State) -> str:
    value = state.router.url.query_parameters.get(CODE_PARAM)
    return invitations.normalise_code(value) if isinstance(value, str) else ""


def _device(state: rx.State) -> str:
    return read_cookie(state, get_settings().device_cookie_name) or ""


def _refusal_text(locale: str, reason: Refusal) -> str:
    return gettext(locale, invitations.REFUSAL_MESSAGES[reason])


class InvitationState(rx.State):
    loaded: bool = False
    signed_in: bool = False
    # An invitation to show: its code is in the address, or this browser holds it.
    has_code: bool = False
    sign_in_href: str = f"{routes.SIGN_IN}?{_BACK_HERE}"
    # One button per configured identity provider: {"label": …, "href": …}.
    providers: list[dict[str, str]] = []
    inviter: str = ""
    shares: list[str] = []
    may_change: str = ""  # "Anna Lindqvist kan ändra eller avsluta det här …"
    error: str = ""
    code_error: str = ""
    typed_code: str = ""
    # The new-account form: what was typed (never the password) and each field's error.
    account_values: dict[str, str] = dict.fromkeys(_ACCOUNT_FIELDS[:2], "")
    account_errors: dict[str, str] = dict.fromkeys(_ACCOUNT_FIELDS, "")
    account_notice: str = ""  # the wait after too many new accounts, in words

    def _reset(self) -> None:
        self.inviter, self.shares, self.may_change = "", [], ""
        self.error, self.code_error, self.account_notice = "", "", ""

    def _invitation(self, db: Session, locale: str) -> ProxyInvitation | None:
        """The invitation this page is about: the address's code, else this browser's
        held one. A refused one sets ``error`` (and is no longer held)."""
        code = _code_in_address(self)
        try:
            if code:
                return invitations.find(session=db, code=code)
            return invitations.find_held(session=db, device_token=_device(self))
        except InvitationRefused as refused:
            invitations.release_held(session=db, device_token=_device(self))
            self.error = _refusal_text(locale, refused.reason)
            return None

    @rx.event
    async def load(self) -> None:
        viewer = current_viewer(self)
        locale = viewer.locale if viewer else (await self.get_state(SessionState)).locale
        self.loaded = True
        self._reset()
        self.signed_in = viewer is not None
        self.account_errors = dict.fromkeys(_ACCOUNT_FIELDS, "")
        self.providers = [
            {"label": p.label, "href": f"{routes.oidc_login(p.name)}?{_BACK_HERE}"}
            for p in get_settings().oidc_providers
        ]
        with session_scope() as db:
            invitation = self._invitation(db, locale)
            self.has_code = invitation is not None
            if invitation is not None and viewer is None:
                # Kept for this browser while its holder signs in or makes an account.
                invitations.hold(session=db, invitation=invitation, device_token=_device(self))
        if invitation is None or viewer is None:
            return
        # Opening an invitation is for one's own account; who may hold a grant is the
        # policy's answer (staff and administrators are told why not).
        if not is_allowed(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id):
            self.error = gettext(locale, "You cannot do that here.")
            return
        refusal = invitations.refusal_for(
            role=viewer.role, user_id=viewer.user_id, invitation=invitation
        )
        if refusal is not None:
            self.error = _refusal_text(locale, refusal)
            return
        self._show(viewer, invitation)

    def _show(self, viewer: Viewer, invitation: ProxyInvitation) -> None:
        locale = viewer.locale
        with session_scope() as db:
            inviter = db.get(User, invitation.resident_id)
        name = inviter.display_name if inviter else ""
        self.inviter = name
        self.shares = [
            gettext(locale, SCOPE_LABELS[scope]) for scope in invitations.scopes_of(invitation)
        ]
        self.may_change = gettext(
            locale,
            "{name} can change or end this at any time, and sees what you look at and do.",
        ).format(name=name)

    @rx.event
    def accept(self):  # noqa: ANN201 - a redirect to the relative's view
        viewer = current_viewer(self)
        if viewer is None:
            return None
        code = _code_in_address(self)
        try:
            require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
            with session_scope() as db:
                user = db.get(User, viewer.user_id)
                if code:
                    invitations.accept(session=db, code=code, user=user)
                else:
                    invitations.accept_held(session=db, device_token=_device(self), user=user)
        except InvitationRefused as refused:
            self._reset()
            self.error = _refusal_text(viewer.locale, refused.reason)
            return None
        except Forbidden:
            self.error = gettext(viewer.locale, "You cannot do that here.")
            return None
        return rx.redirect(f"{routes.ACTING_FOR}?ny=1")

    @rx.event
    async def use_code(self, form_data: dict):  # noqa: ANN201 - opens the invitation's address
        """A code typed or pasted by hand: the same page, with the code in the address."""
        typed = form_text(form_data, "code", max_length=invitations.MAX_CODE_LENGTH * 4)
        self.typed_code = typed
        code = invitations.normalise_code(typed)
        if not code:
            locale = (await self.get_state(SessionState)).locale
            self.code_error = gettext(locale, "Type or paste the code you were sent.")
            return None
        return rx.redirect(f"{routes.INVITATION}?{urlencode({CODE_PARAM: code})}")

    @rx.event
    async def create_account(self, form_data: dict):  # noqa: ANN201 - then signs in over HTTP
        """A new relative's account with a password, from the invitation on this page;
        then signed in the usual way (a one-time ticket for this browser) and back here."""
        locale = (await self.get_state(SessionState)).locale
        values = {
            name: form_text(form_data, name, max_length=accounts.MAX_PASSWORD_LENGTH + 1)
            for name in _ACCOUNT_FIELDS
        }
        password = values.pop("password")
        # What was typed stays in the form whatever happens next; the password is not kept.
        self.account_values = values
        self.account_errors = dict.fromkeys(_ACCOUNT_FIELDS, "")
        self.account_notice, self.error = "", ""
        if current_viewer(self) is not None:
            return None  # already signed in: the page offers the invitation itself
        device = _device(self)
        if not device:
            self.error = gettext(
                locale,
                "Your browser blocks cookies, which signing in needs. Allow cookies for this site.",
            )
            return None
        problems = accounts.new_account_problems(
            display_name=values["display_name"], username=values["username"], password=password
        )
        if problems:
            self.account_errors = {
                name: message_text(locale, problems[name]) if name in problems else ""
                for name in _ACCOUNT_FIELDS
            }
            return None
        client = client_address.of_state(self)
        with session_scope() as db:
            invitation = self._invitation(db, locale)
            wait = throttle.account_creation_wait(
                session=db, client_address=client, now=clock.now()
            )
        if invitation is None:
            self.has_code = False
            return None
        if wait is not None:
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            self.account_notice = ngettext(
                locale,
                "Too many attempts. Wait {minutes} minute and try again.",
                "Too many attempts. Wait {minutes} minutes and try again.",
                minutes,
            ).format(minutes=minutes)
            return None
        # argon2 takes about 0.1 s of CPU: not on the event loop, where every tab waits.
        password_hash = await asyncio.to_thread(accounts.hash_password, password)
        try:
            with session_scope() as db:
                user = invitations.create_account(
                    session=db,
                    invitation=invitation,
                    username=values["username"],
                    display_name=values["display_name"],
                    password_hash=password_hash,
                    locale=locale,
                    client_address=client,
                )
                if user is not None:
                    invitations.hold(session=db, invitation=invitation, device_token=device)
                    ticket = sessions.issue_login_ticket(session=db, user=user, device_token=device)
        except IntegrityError:  # the same name, made a moment ago in another tab
            user = None
        if user is None:
            self.account_errors = {
                **self.account_errors,
                "username": gettext(locale, accounts.USERNAME_TAKEN),
            }
            return None
        query = urlencode({"ticket": ticket.token, "next": routes.INVITATION})
        # A full page load: the new socket then carries the new session cookie.
        full_page_load(await self.get_state(SessionState), f"/auth/session?{query}")
        return None
