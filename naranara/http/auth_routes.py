"""Sign-in and sign-out over plain HTTP: the only place that sets the session cookie."""

from __future__ import annotations

import base64
import hashlib
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from naranara import client_address
from naranara.db import session_scope
from naranara.http.middleware import content_security_policy
from naranara.http.sign_in_flow import (
    FRESH_CLIENT_PATH,
    clear_session_cookie,
    end_session_url,
    into_app,
    set_session_cookie,
    viewer_of_request,
)
from naranara.models import AuditKind
from naranara.policy import Action, is_allowed
from naranara.routes import safe_next
from naranara.services import audit, external_identities, offline_copy, sessions
from naranara.settings import get_settings


async def fresh_client(request: Request) -> Response:
    """Forget this tab's Reflex client token, then open the app at ``next``."""
    # JSON is valid JavaScript; escaping "<" keeps "</script>" out of the page.
    target = json.dumps(safe_next(request.query_params.get("next"))).replace("<", "\\u003c")
    script = f"sessionStorage.removeItem('token');location.replace({target});"
    page = (
        '<!doctype html><html lang="sv"><meta charset="utf-8"><title>Nära</title>'
        f"<script>{script}</script>"
    )
    # This page's one inline script, allowed by its hash and nothing else.
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return HTMLResponse(
        page,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": content_security_policy([f"'sha256-{digest}'"]),
        },
    )


async def complete_sign_in(request: Request) -> Response:
    """Swap a one-time login ticket for a session cookie, then open the app."""
    settings = get_settings()
    device = request.cookies.get(settings.device_cookie_name, "")
    ticket = request.query_params.get("ticket", "")
    with session_scope() as db:
        user = (
            sessions.redeem_login_ticket(session=db, ticket=ticket, device_token=device)
            if device and ticket
            else None
        )
        if user is None:
            return RedirectResponse("/logga-in?fel=utgangen", status_code=303)
        # Any session this browser had is ended: the new one gets a new id.
        sessions.end_session(session=db, token=request.cookies.get(settings.session_cookie_name))
        token = sessions.start_session(session=db, user=user)
        audit.record(
            session=db,
            kind=AuditKind.SIGN_IN,
            actor_id=user.id,
            subject_id=user.id,
            detail="method=password",
            client_address=client_address.of_request(request),
        )
    response = into_app(request.query_params.get("next") or "/")
    set_session_cookie(response, token)
    return response


async def sign_out(request: Request) -> Response:
    """POST only, and only from this site (``CrossSiteRequestGuard``).

    After a sign-in through an OpenID Provider that offers ``end_session_endpoint``,
    the browser goes on to sign out there too (RP-initiated logout). The page's
    script asks for JSON (``Accept: application/json``) to learn that address.
    """
    settings = get_settings()
    with session_scope() as db:
        cookie = request.cookies.get(settings.session_cookie_name)
        provider_session = external_identities.take_id_token(session=db, token=cookie)
        user_id = sessions.end_session(session=db, token=cookie)
        # No one's offline copy is kept on this browser any more.
        offline_copy.forget_device(
            session=db, device_token=request.cookies.get(settings.device_cookie_name, "")
        )
        if user_id is not None:
            audit.record(
                session=db,
                kind=AuditKind.SIGN_OUT,
                actor_id=user_id,
                subject_id=user_id,
                client_address=client_address.of_request(request),
            )
    logout_url = None
    if provider_session is not None:
        issuer, id_token = provider_session
        logout_url = await end_session_url(request, issuer=issuer, id_token=id_token)
    if request.headers.get("accept") == "application/json":
        response = JSONResponse({"end_session_url": logout_url})
    else:
        response = (
            RedirectResponse(logout_url, status_code=303)
            if logout_url
            else into_app("/?utloggad=1")
        )
    clear_session_cookie(response)
    return response


async def sign_out_everywhere(request: Request) -> Response:
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is not None and is_allowed(
            viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id
        ):
            ended = sessions.end_all_sessions(session=db, user_id=viewer.user_id)
            # Every device of theirs: a lost phone's copy is refused from now on.
            offline_copy.forget_user(session=db, user_id=viewer.user_id)
            audit.record(
                session=db,
                kind=AuditKind.SIGN_OUT_EVERYWHERE,
                actor_id=viewer.user_id,
                subject_id=viewer.user_id,
                detail=f"sessions={ended}",
                client_address=client_address.of_request(request),
            )
    response = into_app("/?utloggad=1")
    clear_session_cookie(response)
    return response


routes = [
    Route(FRESH_CLIENT_PATH, fresh_client, methods=["GET"]),
    Route("/auth/session", complete_sign_in, methods=["GET"]),
    Route("/auth/logout", sign_out, methods=["POST"]),
    Route("/auth/logout-all", sign_out_everywhere, methods=["POST"]),
]
