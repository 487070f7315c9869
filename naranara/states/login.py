"""The sign-in form. The password is checked here; the cookie is set over HTTP."""

from __future__ import annotations

import math
from datetime import timedelta
from urllib.parse import urlencode

import reflex as rx

from naranara.db import session_scope
from naranara.http.auth_routes import safe_next
from naranara.i18n import N_, ngettext
from naranara.models import AuditKind
from naranara.models.types import utc_now
from naranara.services import accounts, audit, sessions, throttle
from naranara.settings import get_settings
from naranara.states.session import SessionState, read_cookie

# Message ids; the page looks them up in the reader's language.
ERROR_CREDENTIALS = N_("The username or password is not right. Check them and try again.")
ERROR_MISSING = N_("Fill in both your username and your password.")
ERROR_EXPIRED = N_("The sign-in took too long. Please try again.")
ERROR_NO_COOKIES = N_(
    "Your browser blocks cookies, which signing in needs. Allow cookies for this site."
)


class LoginState(rx.State):
    username: str = ""
    error: str = ""  # a message id, shown through the reader's catalog
    wait_notice: str = ""  # already in the reader's language: it carries a number
    busy: bool = False

    @rx.event
    def load(self) -> None:
        self.busy = False
        self.error = ERROR_EXPIRED if self.router.url.query_parameters.get("fel") else ""

    @rx.event
    async def submit(self, form_data: dict):  # noqa: ANN201
        username = str(form_data.get("username", "")).strip()[:64]
        password = str(form_data.get("password", ""))[:256]
        # What was typed stays in the form whatever happens next.
        self.username = username
        self.wait_notice = ""
        if not username or not password:
            self.error = ERROR_MISSING
            return None
        device = read_cookie(self, get_settings().device_cookie_name)
        if not device:
            self.error = ERROR_NO_COOKIES
            return None
        account = accounts.normalise_username(username)
        client = self.router.session.client_ip or None
        with session_scope() as db:
            wait = throttle.retry_after(
                session=db, username=account, client_address=client, now=utc_now()
            )
            if wait is not None:
                audit.record(
                    session=db,
                    kind=AuditKind.SIGN_IN_THROTTLED,
                    account=account,
                    client_address=client,
                )
                self.error = ""
                self.wait_notice = await self._wait_notice(wait)
                return None
            user = accounts.authenticate(session=db, username=account, password=password)
            if user is None:
                audit.record(
                    session=db,
                    kind=AuditKind.SIGN_IN_FAILED,
                    detail="method=password",
                    account=account,
                    client_address=client,
                )
                self.error = ERROR_CREDENTIALS
                return None
            ticket = sessions.issue_login_ticket(session=db, user=user, device_token=device)
        self.error = ""
        self.busy = True
        query = urlencode(
            {
                "ticket": ticket.token,
                "next": safe_next(self.router.url.query_parameters.get("next")),
            }
        )
        # A full page load: the new socket then carries the new session cookie.
        return rx.call_script(f"window.location.assign('/auth/session?{query}')")

    async def _wait_notice(self, wait: timedelta) -> str:
        locale = (await self.get_state(SessionState)).locale
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        return ngettext(
            locale,
            "Too many attempts. Wait {minutes} minute and try again.",
            "Too many attempts. Wait {minutes} minutes and try again.",
            minutes,
        ).format(minutes=minutes)
