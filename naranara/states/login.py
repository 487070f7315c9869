"""The sign-in form. The password is checked here; the cookie is set over HTTP."""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta
from urllib.parse import urlencode

import reflex as rx

from naranara import client_address, clock, routes
from naranara.components.browser import full_page_load
from naranara.db import session_scope
from naranara.http import oidc_routes
from naranara.i18n import N_, ngettext
from naranara.inputs import InputInvalid, checked_text, column_length, form_text
from naranara.models import AuditKind, User
from naranara.routes import safe_next
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

ERROR_OIDC_STATE = N_(
    "The sign-in could not be finished: it was already used or started in another window. Please start again."
)
ERROR_OIDC_INVALID = N_(
    "The answer from the identity provider could not be verified, so you were not signed in. Please try again."
)
ERROR_OIDC_EXPIRED = N_(
    "The answer from the identity provider had expired. Check that your device shows the right time and try again."
)
ERROR_OIDC_REFUSED = N_("The sign-in was cancelled or refused at the identity provider.")
ERROR_OIDC_NO_STAFF_ACCOUNT = N_(
    "There is no staff account for this sign-in yet. Ask an administrator to link your account."
)
ERROR_OIDC_UNAVAILABLE = N_(
    "The identity provider cannot be reached right now. Please try again in a while."
)
ERROR_NOT_ENROLLED_PERSON = N_(
    "Your e-identification does not belong to the person this activation sheet was made "
    "for, so nothing was changed. Ask your care unit if you think it is wrong."
)
ERROR_ACTIVATION_UNUSABLE = N_(
    "The activation code no longer works: it has been used, has expired or a newer sheet "
    "has replaced it. Ask your care unit for a new sheet."
)
ERROR_ACCOUNT_CLOSED = N_("This account has been closed. Ask your care unit or workplace.")
# ``/logga-in?fel=<code>``: the code an HTTP route sends, the message the page shows.
ERRORS_BY_CODE = {
    oidc_routes.ERROR_STATE: ERROR_OIDC_STATE,
    oidc_routes.ERROR_INVALID: ERROR_OIDC_INVALID,
    oidc_routes.ERROR_EXPIRED: ERROR_OIDC_EXPIRED,
    oidc_routes.ERROR_REFUSED: ERROR_OIDC_REFUSED,
    oidc_routes.ERROR_NO_STAFF_ACCOUNT: ERROR_OIDC_NO_STAFF_ACCOUNT,
    oidc_routes.ERROR_UNAVAILABLE: ERROR_OIDC_UNAVAILABLE,
    oidc_routes.ERROR_NOT_ENROLLED_PERSON: ERROR_NOT_ENROLLED_PERSON,
    oidc_routes.ERROR_ACTIVATION_UNUSABLE: ERROR_ACTIVATION_UNUSABLE,
    oidc_routes.ERROR_ACCOUNT_CLOSED: ERROR_ACCOUNT_CLOSED,
}
# Every message ``error`` can hold, for the page (pages/sign_in.py).
ERRORS = (
    ERROR_CREDENTIALS,
    ERROR_MISSING,
    ERROR_EXPIRED,
    ERROR_NO_COOKIES,
    *ERRORS_BY_CODE.values(),
)


def _check_password(
    *, account: str, password: str, client: str | None, device: str
) -> timedelta | str | None:
    """The wait while this account or client is throttled, else a login ticket for this
    browser if the password is right, else None. Blocking: run it in a worker thread."""
    with session_scope() as db:
        wait = throttle.retry_after(
            session=db, username=account, client_address=client, now=clock.now()
        )
        if wait is not None:
            audit.record(
                session=db, kind=AuditKind.SIGN_IN_THROTTLED, account=account, client_address=client
            )
            return wait
        user = accounts.authenticate(session=db, username=account, password=password)
        if user is None:
            audit.record(
                session=db,
                kind=AuditKind.SIGN_IN_FAILED,
                detail="method=password",
                account=account,
                client_address=client,
            )
            return None
        return sessions.issue_login_ticket(session=db, user=user, device_token=device).token


class LoginState(rx.State):
    username: str = ""
    error: str = ""  # a message id, shown through the reader's catalog
    wait_notice: str = ""  # already in the reader's language: it carries a number
    busy: bool = False
    # Sent here by policy.SignInAgain: a sensitive change needs a recent sign-in.
    confirming: bool = False
    # One button per configured identity provider: {"label": …, "href": …}.
    providers: list[dict[str, str]] = []
    loaded: bool = False

    @rx.event
    def load(self) -> None:
        self.busy, self.loaded = False, True
        parameters = self.router.url.query_parameters
        code = parameters.get("fel")
        self.error = ERRORS_BY_CODE.get(code, ERROR_EXPIRED) if code else ""
        self.confirming = parameters.get(routes.CONFIRM_PARAMETER) == "1"
        again = {routes.CONFIRM_PARAMETER: "1"} if self.confirming else {}
        query = urlencode({"next": safe_next(parameters.get("next")), **again})
        self.providers = [
            {"label": p.label, "href": f"{routes.oidc_login(p.name)}?{query}"}
            for p in get_settings().oidc_providers
        ]

    @rx.event
    async def submit(self, form_data: dict) -> None:
        username = form_text(form_data, "username", max_length=64).strip()
        password = form_text(form_data, "password", max_length=256)
        # What was typed stays in the form whatever happens next.
        self.username = username
        self.wait_notice = ""
        if not username or not password:
            self.error = ERROR_MISSING
            return
        device = read_cookie(self, get_settings().device_cookie_name)
        if not device:
            self.error = ERROR_NO_COOKIES
            return
        try:
            account = accounts.normalise_username(
                checked_text(username, field="username", max_length=column_length(User, "username"))
            )
        except InputInvalid:
            # No account is named so (a control character, too long): the answer to a wrong name.
            self.error = ERROR_CREDENTIALS
            return
        # Argon2 takes about a tenth of a second of CPU, and the throttle and the audit log
        # are database calls: all of it in a worker thread, off the event loop every tab shares.
        outcome = await asyncio.to_thread(
            _check_password,
            account=account,
            password=password,
            client=client_address.of_state(self),
            device=device,
        )
        if isinstance(outcome, timedelta):
            self.error = ""
            self.wait_notice = await self._wait_notice(outcome)
            return
        if outcome is None:
            self.error = ERROR_CREDENTIALS
            return
        self.error = ""
        self.busy = True
        query = urlencode(
            {"ticket": outcome, "next": safe_next(self.router.url.query_parameters.get("next"))}
        )
        # A full page load: the new socket then carries the new session cookie.
        full_page_load(await self.get_state(SessionState), f"/auth/session?{query}")

    async def _wait_notice(self, wait: timedelta) -> str:
        locale = (await self.get_state(SessionState)).locale
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        return ngettext(
            locale,
            "Too many attempts. Wait {minutes} minute and try again.",
            "Too many attempts. Wait {minutes} minutes and try again.",
            minutes,
        ).format(minutes=minutes)
