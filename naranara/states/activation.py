"""/aktivera?kod=…: an enrolled resident activates her account on her own phone.

The code from her sheet is the key (like a relative's invitation code): whoever holds
it sees whose account it opens and may choose its password, once. Wrong codes are
counted per client and throttled like sign-ins. The password is hashed off the event
loop; the session cookie is then set over HTTP, as after any sign-in.
"""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta
from urllib.parse import urlencode

import reflex as rx

from naranara import client_address, clock, routes
from naranara.components.browser import full_page_load
from naranara.db import session_scope
from naranara.i18n import N_, gettext, ngettext
from naranara.inputs import form_text
from naranara.models import AuditKind, User
from naranara.services import accounts, audit, enrolment, sessions, throttle
from naranara.services.enrolment import ActivationRefused
from naranara.settings import get_settings
from naranara.states.session import SessionState, read_cookie

CODE_PARAM = "kod"
ERROR_PASSWORDS_DIFFER = N_("The two passwords are not the same. Type the same password twice.")
ERROR_NO_COOKIES = N_(
    "Your browser blocks cookies, which signing in needs. Allow cookies for this site."
)


def _code_in_address(state: rx.State) -> str:
    value = state.router.url.query_parameters.get(CODE_PARAM)
    return enrolment.normalise_code(value) if isinstance(value, str) else ""


class ActivationState(rx.State):
    loaded: bool = False
    has_code: bool = False
    usable: bool = False  # a code that opens an account: the password form is shown
    name: str = ""
    username: str = ""
    error: str = ""  # why the code does not work, or a wait
    code_error: str = ""
    password_error: str = ""
    repeat_error: str = ""
    busy: bool = False
    # "Logga in med BankID": identity providers that can match her personnummer.
    providers: list[dict[str, str]] = []

    async def _locale(self) -> str:
        return (await self.get_state(SessionState)).locale

    def _client(self) -> str:
        return client_address.of_state(self) or throttle.UNKNOWN_CLIENT

    def _wait_text(self, locale: str, wait: timedelta) -> str:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        return ngettext(
            locale,
            "Too many attempts. Wait {minutes} minute and try again.",
            "Too many attempts. Wait {minutes} minutes and try again.",
            minutes,
        ).format(minutes=minutes)

    def _check(self, db, code: str, locale: str):  # noqa: ANN001, ANN202 - session, activation
        """The activation behind the code, or None with ``error`` set (and counted)."""
        client = self._client()
        wait = throttle.activation_retry_after(session=db, client_address=client, now=clock.now())
        if wait is not None:
            audit.record(session=db, kind=AuditKind.ACTIVATION_THROTTLED, client_address=client)
            self.error = self._wait_text(locale, wait)
            return None
        try:
            return enrolment.find(session=db, code=code)
        except ActivationRefused as refused:
            audit.record(
                session=db,
                kind=AuditKind.ACTIVATION_FAILED,
                detail=f"reason={refused.reason.value}",
                client_address=client,
            )
            self.error = gettext(locale, enrolment.REFUSAL_MESSAGES[refused.reason])
            return None

    @rx.event
    async def load(self) -> None:
        code = _code_in_address(self)
        locale = await self._locale()
        self.loaded, self.busy = True, False
        self.has_code, self.usable = bool(code), False
        self.name = self.username = self.error = self.code_error = ""
        self.password_error = self.repeat_error = ""
        self.providers = []
        if not code:
            return
        with session_scope() as db:
            activation = self._check(db, code, locale)
            if activation is None:
                return
            resident = db.get(User, activation.resident_id)
            enrolled = enrolment.enrolment_of(session=db, resident_id=resident.id)
            matchable = enrolled is not None and enrolled.personnummer_hash is not None
        self.usable = True
        self.name, self.username = resident.display_name, resident.username
        if matchable:
            query = urlencode({"next": routes.WELCOME, routes.OIDC_ACTIVATION_PARAMETER: code})
            self.providers = [
                {"label": p.label, "href": f"{routes.oidc_login(p.name)}?{query}"}
                for p in get_settings().oidc_providers
                if p.audience == "resident"
            ]

    @rx.event
    async def use_code(self, form_data: dict):  # noqa: ANN201 - opens the code's address
        """A code typed from the sheet: the same page, with the code in the address."""
        code = enrolment.normalise_code(form_text(form_data, "code", max_length=200))
        if not code:
            self.code_error = gettext(await self._locale(), "Type the code from your sheet.")
            return None
        return rx.redirect(f"{routes.ACTIVATION}?{urlencode({CODE_PARAM: code})}")

    @rx.event
    async def activate(self, form_data: dict):  # noqa: ANN201 - a sign-in, or nothing
        code = _code_in_address(self)
        password = form_text(form_data, "password", max_length=accounts.MAX_PASSWORD_LENGTH + 1)
        repeated = form_text(form_data, "repeat", max_length=accounts.MAX_PASSWORD_LENGTH + 1)
        locale = await self._locale()
        self.password_error = self.repeat_error = ""
        device = read_cookie(self, get_settings().device_cookie_name)
        if not code:
            return None
        if not device:
            self.error = gettext(locale, ERROR_NO_COOKIES)
            return None
        with session_scope() as db:
            activation = self._check(db, code, locale)
            if activation is None:
                self.usable = False
                return None
            username = db.get(User, activation.resident_id).username
        problem = accounts.password_problem(password, username=username)
        if problem:
            self.password_error = gettext(locale, problem)
            return None
        if password != repeated:
            self.repeat_error = gettext(locale, ERROR_PASSWORDS_DIFFER)
            return None
        self.busy = True
        # Argon2 takes a tenth of a second: not on the event loop every tab shares.
        password_hash = await asyncio.to_thread(accounts.hash_password, password)
        try:
            with session_scope() as db:
                user = enrolment.activate_with_password(
                    session=db, code=code, password_hash=password_hash
                )
                ticket = sessions.issue_login_ticket(session=db, user=user, device_token=device)
        except ActivationRefused as refused:
            self.busy, self.usable = False, False
            self.error = gettext(locale, enrolment.REFUSAL_MESSAGES[refused.reason])
            return None
        query = urlencode({"ticket": ticket.token, "next": routes.WELCOME})
        # A full page load: the new socket then carries the new session cookie.
        full_page_load(await self.get_state(SessionState), f"/auth/session?{query}")
        return None
