"""Sign-in through an OpenID Provider: authorization code flow with PKCE, state and nonce.

Authlib keeps state, nonce and the PKCE verifier in ``request.session``: a cookie
signed by Starlette's ``SessionMiddleware``, scoped to ``/auth/oidc`` and kept for
ten minutes. ``authorize_access_token`` checks the state, exchanges the code and
validates the ID token (signature against the provider's keys, ``iss``, ``aud``,
``exp``, ``nonce``); a callback that fails any of this ends on the sign-in page
with an error code and no session cookie. A good one ends in the same
``start_session`` and HttpOnly cookie as the password sign-in.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import httpx
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from joserfc.errors import ExpiredTokenError, JoseError
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from naranara import client_address
from naranara import routes as pages
from naranara.db import session_scope
from naranara.http.sign_in_flow import (
    into_app,
    provider_client,
    public_origin,
    set_session_cookie,
)
from naranara.models import AuditKind, Role
from naranara.routes import CONFIRM_PARAMETER, safe_next
from naranara.services import (
    audit,
    enrolment,
    external_identities,
    invitations,
    sessions,
    throttle,
)
from naranara.settings import OIDCProvider, get_secret_key, get_settings

PREFIX = pages.OIDC_PREFIX
_NEXT_KEY = "nara_next"
# An activation code from the resident's sheet (/aktivera), kept in the signed OIDC
# cookie for the ten minutes of the detour through the provider.
_ACTIVATION_KEY = "nara_activation"
ACTIVATION_PARAMETER = pages.OIDC_ACTIVATION_PARAMETER
_log = logging.getLogger(__name__)

# Codes in ``/logga-in?fel=…``; states/login.py turns each into a message.
ERROR_STATE = "oidc-state"  # state unknown, tampered with or already used
ERROR_INVALID = "oidc-ogiltig"  # ID token: signature, issuer, audience or nonce wrong
ERROR_EXPIRED = "oidc-utgangen"  # ID token expired
ERROR_REFUSED = "oidc-avbrutet"  # cancelled at the provider, or the provider said no
ERROR_NO_STAFF_ACCOUNT = "oidc-personal"  # a staff identity no administrator has linked
ERROR_UNAVAILABLE = "oidc-otillganglig"  # the provider could not be reached
# Activation through a provider: not the enrolled person, or the sheet no longer works.
ERROR_NOT_ENROLLED_PERSON = "oidc-aktivering"
ERROR_ACTIVATION_UNUSABLE = "aktivering-ogiltig"
ERROR_ACCOUNT_CLOSED = "konto-stangt"  # an administrator deactivated the account
ERROR_CODES = (
    ERROR_STATE,
    ERROR_INVALID,
    ERROR_EXPIRED,
    ERROR_REFUSED,
    ERROR_NO_STAFF_ACCOUNT,
    ERROR_UNAVAILABLE,
    ERROR_NOT_ENROLLED_PERSON,
    ERROR_ACTIVATION_UNUSABLE,
    ERROR_ACCOUNT_CLOSED,
)


def _refuse(code: str) -> Response:
    response = RedirectResponse(f"{pages.SIGN_IN}?{urlencode({'fel': code})}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


async def start(request: Request) -> Response:
    """Send the browser to the provider, remembering state, nonce and PKCE verifier."""
    provider = get_settings().oidc_provider(request.path_params["provider"])
    if provider is None:
        return PlainTextResponse("Not found", status_code=404)
    request.session.clear()  # one sign-in at a time per browser
    request.session[_NEXT_KEY] = safe_next(request.query_params.get("next"))
    activation = enrolment.normalise_code(request.query_params.get(ACTIVATION_PARAMETER, ""))
    if activation and provider.audience == "resident":
        request.session[_ACTIVATION_KEY] = activation
    redirect_uri = f"{public_origin(request)}{PREFIX}/{provider.name}/callback"
    try:
        # Signing in again for a sensitive change: the provider must ask, not reuse its session.
        again = {"prompt": "login"} if request.query_params.get(CONFIRM_PARAMETER) == "1" else {}
        response = await provider_client(provider).authorize_redirect(
            request, redirect_uri, **again
        )
    except httpx.HTTPError:
        _log.warning("OpenID provider %s unreachable", provider.name, exc_info=True)
        return _refuse(ERROR_UNAVAILABLE)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _validated_token(request: Request, provider: OIDCProvider) -> dict | str:
    """The token response with validated ID token claims, or an error code."""
    try:
        token = await provider_client(provider).authorize_access_token(
            request,
            # Stricter than authlib's default (the discovery document's issuer):
            # the ID token must come from the issuer the region configured.
            claims_options={"iss": {"essential": True, "value": provider.issuer}},
            leeway=get_settings().oidc_leeway_seconds,
        )
    except MismatchingStateError:
        return ERROR_STATE
    except OAuthError as error:
        # A replayed code is refused by the provider with invalid_grant.
        _log.info("OpenID sign-in refused by %s: %s", provider.name, error)
        return ERROR_STATE if error.error == "invalid_grant" else ERROR_REFUSED
    except ExpiredTokenError:
        return ERROR_EXPIRED
    except JoseError as error:
        _log.warning("ID token from %s rejected: %r", provider.name, error)
        return ERROR_INVALID
    except httpx.HTTPError:
        _log.warning("OpenID provider %s unreachable", provider.name, exc_info=True)
        return ERROR_UNAVAILABLE
    # Without an ID token authlib validates nothing: that is no OpenID sign-in.
    if not token.get("id_token") or not token.get("userinfo", {}).get("sub"):
        return ERROR_INVALID
    return token


def _holds_invitation(db: Session, request: Request) -> bool:
    device = request.cookies.get(get_settings().device_cookie_name)
    try:
        return invitations.find_held(session=db, device_token=device) is not None
    except invitations.InvitationRefused:
        return False


async def callback(request: Request) -> Response:
    settings = get_settings()
    provider = settings.oidc_provider(request.path_params["provider"])
    if provider is None:
        return PlainTextResponse("Not found", status_code=404)
    next_path = safe_next(request.session.get(_NEXT_KEY))
    activation_code = request.session.get(_ACTIVATION_KEY) or None
    token = await _validated_token(request, provider)
    request.session.clear()
    if isinstance(token, str):
        return _refuse(token)
    claims = token["userinfo"]
    profile: dict = {}
    try:
        profile = dict(await provider_client(provider).userinfo(token=token))
    except (OAuthError, httpx.HTTPError):
        _log.warning("userinfo from %s failed", provider.name, exc_info=True)
    # Userinfo is for display only; the identity is the validated ID token's sub.
    if profile.get("sub") not in (None, claims["sub"]):
        return _refuse(ERROR_INVALID)
    # The personnummer from the validated ID token, else from userinfo (same ``sub``):
    # matched against enrolled residents, never logged.
    claim = provider.personnummer_claim
    personnummer_claim = claims.get(claim) or profile.get(claim)
    client = client_address.of_request(request)
    with session_scope() as db:
        try:
            # On the way to accept an invitation, a first sign-in makes a relative's
            # account: the browser must hold an open invitation, not only ask for one.
            invited = next_path == pages.INVITATION and _holds_invitation(db, request)
            signed_in = external_identities.sign_in(
                session=db,
                issuer=provider.issuer,
                subject=claims["sub"],
                audience=Role(provider.audience),
                display_name=str(profile.get("name") or claims.get("name") or "").strip(),
                locale=profile.get("locale") or claims.get("locale"),
                personnummer_claim=personnummer_claim,
                activation_code=activation_code,
                invited=invited,
            )
        except external_identities.NoLinkedAccount:
            audit.record(
                session=db,
                kind=AuditKind.SIGN_IN_FAILED,
                detail=f"method=oidc provider={provider.name} reason=no-linked-account",
                client_address=client,
            )
            return _refuse(ERROR_NO_STAFF_ACCOUNT)
        except external_identities.AccountClosed:
            audit.record(
                session=db,
                kind=AuditKind.SIGN_IN_FAILED,
                detail=f"method=oidc provider={provider.name} reason=deactivated",
                client_address=client,
            )
            return _refuse(ERROR_ACCOUNT_CLOSED)
        except (external_identities.NotTheEnrolledPerson, enrolment.ActivationRefused) as error:
            # Counted with wrong activation codes (throttle.activation_retry_after).
            audit.record(
                session=db,
                kind=AuditKind.ACTIVATION_FAILED,
                detail=f"method=oidc provider={provider.name}",
                client_address=client or throttle.UNKNOWN_CLIENT,
            )
            unusable = isinstance(error, enrolment.ActivationRefused)
            return _refuse(ERROR_ACTIVATION_UNUSABLE if unusable else ERROR_NOT_ENROLLED_PERSON)
        user = signed_in.user
        # Any session this browser had is ended: the new one gets a new id.
        sessions.end_session(session=db, token=request.cookies.get(settings.session_cookie_name))
        session_token = sessions.start_session(session=db, user=user)
        external_identities.remember_id_token(
            session=db, token=session_token, issuer=provider.issuer, id_token=token["id_token"]
        )
        audit.record(
            session=db,
            kind=AuditKind.SIGN_IN,
            actor_id=user.id,
            subject_id=user.id,
            detail=f"method=oidc provider={provider.name}",
            client_address=client,
        )
    # A new account is welcomed; one made on the way to accept an invitation goes back
    # to it (the browser holds the invitation: services/invitations.hold).
    welcome = signed_in.created and next_path != pages.INVITATION
    target = pages.WELCOME if welcome else next_path
    response = into_app(target)
    set_session_cookie(response, session_token)
    return response


class _OIDCSessionMiddleware:
    """Starlette's SessionMiddleware, built on first use with the deployment's secret."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._built: tuple[object, ASGIApp] | None = None

    def _inner(self) -> ASGIApp:
        settings = get_settings()
        if self._built is None or self._built[0] is not settings:
            inner = SessionMiddleware(
                self.app,
                secret_key=get_secret_key(),
                session_cookie=settings.oidc_cookie_name,
                max_age=600,  # a sign-in at the provider must finish within ten minutes
                path=PREFIX,
                same_site="lax",  # sent on the provider's top-level redirect back
                https_only=settings.secure_cookies,
            )
            self._built = (settings, inner)
        return self._built[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._inner()(scope, receive, send)


def _app() -> ASGIApp:
    from starlette.applications import Starlette

    inner = Starlette(
        routes=[
            Route("/{provider}/login", start, methods=["GET"]),
            Route("/{provider}/callback", callback, methods=["GET"]),
        ]
    )
    return _OIDCSessionMiddleware(inner)


routes = [Mount(PREFIX, app=_app())]
