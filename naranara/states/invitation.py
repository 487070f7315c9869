"""/inbjudan?kod=…: a relative opens a resident's invitation, signs in, and accepts it.

The code in the address is the key, like the calendar feed's token: whoever holds
it and is signed in with an account that may help someone (a relative, or a
resident helping their partner) can accept it, once. Who invited is shown only
to such a signed-in person, never to a visitor who is not signed in.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from naranara import routes
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.models import Role, User
from naranara.policy import Action, Forbidden, Viewer, require
from naranara.services import invitations
from naranara.services.invitations import InvitationRefused, Refusal
from naranara.states.arguments import form_text
from naranara.states.relatives import SCOPE_LABELS
from naranara.states.session import SessionState, current_viewer

CODE_PARAM = "kod"


def _code_in_address(state: rx.State) -> str:
    value = state.router.url.query_parameters.get(CODE_PARAM)
    return invitations.normalise_code(value) if isinstance(value, str) else ""


def _refusal_text(locale: str, reason: Refusal) -> str:
    return gettext(locale, invitations.REFUSAL_MESSAGES[reason])


class InvitationState(rx.State):
    loaded: bool = False
    signed_in: bool = False
    has_code: bool = False
    sign_in_href: str = routes.SIGN_IN
    inviter: str = ""
    shares: list[str] = []
    error: str = ""
    code_error: str = ""
    typed_code: str = ""

    def _reset(self) -> None:
        self.inviter, self.shares, self.error, self.code_error = "", [], "", ""

    @rx.event
    def load(self) -> None:
        code = _code_in_address(self)
        viewer = current_viewer(self)
        self.loaded = True
        self._reset()
        self.has_code = bool(code)
        self.signed_in = viewer is not None
        target = (
            f"{routes.INVITATION}?{urlencode({CODE_PARAM: code})}" if code else routes.INVITATION
        )
        self.sign_in_href = f"{routes.SIGN_IN}?{urlencode({'next': target})}"
        if viewer is None or not code:
            return
        self._show(viewer, code)

    def _show(self, viewer: Viewer, code: str) -> None:
        locale = viewer.locale
        try:
            # Opening an invitation is for one's own account: staff are told why not.
            require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
            if viewer.role not in (Role.RELATIVE, Role.RESIDENT):
                raise InvitationRefused(Refusal.ROLE)
            with session_scope() as db:
                invitation = invitations.find(session=db, code=code)
                if invitation.resident_id == viewer.user_id:
                    raise InvitationRefused(Refusal.OWN)
                inviter = db.get(User, invitation.resident_id)
                scopes = invitations.scopes_of(invitation)
        except InvitationRefused as refused:
            self.error = _refusal_text(locale, refused.reason)
            return
        except Forbidden:
            self.error = gettext(locale, "You cannot do that here.")
            return
        self.inviter = inviter.display_name if inviter else ""
        self.shares = [gettext(locale, SCOPE_LABELS[scope]) for scope in scopes]

    @rx.event
    def accept(self):  # noqa: ANN201 - a redirect to the relative's view
        viewer = current_viewer(self)
        code = _code_in_address(self)
        if viewer is None or not code:
            return None
        try:
            require(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id)
            with session_scope() as db:
                user = db.get(User, viewer.user_id)
                invitations.accept(session=db, code=code, user=user)
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
