"""Sign-in and sign-out over plain HTTP: the only place that sets the session cookie."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from naranara import routes as paths
from naranara.db import session_scope
from naranara.models import AuditKind
from naranara.policy import Action, Viewer, is_allowed, viewer_for_session_token
from naranara.services import audit, external_identities, sessions
from naranara.settings import get_settings


def safe_next(target: str | None) -> str:
    """Only paths on this site: never an open redirect to somewhere else."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        settings.session_cookie_name,
        token,
        # The longest any session lasts; the server ends shorter (staff) sessions itself.
        max_age=int(timedelta(hours=settings.session_absolute_hours).total_seconds()),
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


def _clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


FRESH_CLIENT_PATH = "/auth/fresh"
CONFIRM_PARAMETER = paths.SIGN_IN_CONFIRM_PARAMETER


def sign_in_again_path(target: str) -> str:
    """Where ``policy.SignInAgain`` sends a person: the sign-in page, then back to ``target``."""
    return f"/logga-in?{urlencode({CONFIRM_PARAMETER: '1', 'next': safe_next(target)})}"


def into_app(target: str) -> RedirectResponse:
    """Redirect after a change of who is signed in, through ``/auth/fresh``.

    Reflex keys each tab's server-side state by a client token kept in the tab's
    sessionStorage, and sends that state's last snapshot as soon as the page
    connects. After a sign-in or sign-out the tab must get a new token, or the
    next person at a shared computer would be sent the previous person's data.
    """
    response = RedirectResponse(
        f"{FRESH_CLIENT_PATH}?{urlencode({'next': safe_next(target)})}", status_code=303
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def fresh_client(request: Request) -> Response:
    """Forget this tab's Reflex client token, then open the app at ``next``."""
    # JSON is valid JavaScript; escaping "<" keeps "</script>" out of the page.
    target = json.dumps(safe_next(request.query_params.get("next"))).replace("<", "\\u003c")
    page = (
        '<!doctype html><html lang="sv"><meta charset="utf-8"><title>Nära</title>'
        f"<script>sessionStorage.removeItem('token');location.replace({target});</script>"
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


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
            client_address=_client_address(request),
        )
    response = into_app(request.query_params.get("next") or "/")
    set_session_cookie(response, token)
    return response


async def sign_out(request: Request) -> Response:
    """POST only, so a link on another site cannot sign anyone out.

    After a sign-in through an OpenID Provider that offers ``end_session_endpoint``,
    the browser goes on to sign out there too (RP-initiated logout). The page's
    script asks for JSON (``Accept: application/json``) to learn that address.
    """
    from naranara.http import oidc_routes  # imports this module

    with session_scope() as db:
        cookie = request.cookies.get(get_settings().session_cookie_name)
        provider_session = external_identities.take_id_token(session=db, token=cookie)
        user_id = sessions.end_session(session=db, token=cookie)
        if user_id is not None:
            audit.record(
                session=db,
                kind=AuditKind.SIGN_OUT,
                actor_id=user_id,
                subject_id=user_id,
                client_address=_client_address(request),
            )
    end_session_url = None
    if provider_session is not None:
        issuer, id_token = provider_session
        end_session_url = await oidc_routes.end_session_url(
            request, issuer=issuer, id_token=id_token
        )
    if request.headers.get("accept") == "application/json":
        response = JSONResponse({"end_session_url": end_session_url})
    else:
        response = (
            RedirectResponse(end_session_url, status_code=303)
            if end_session_url
            else into_app("/?utloggad=1")
        )
    _clear_session_cookie(response)
    return response


def viewer_of_request(db: Session, request: Request) -> Viewer | None:
    """The signed-in person of an HTTP request, from its HttpOnly session cookie."""
    token = request.cookies.get(get_settings().session_cookie_name)
    return viewer_for_session_token(session=db, token=token)


async def sign_out_everywhere(request: Request) -> Response:
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is not None and is_allowed(
            viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id
        ):
            ended = sessions.end_all_sessions(session=db, user_id=viewer.user_id)
            audit.record(
                session=db,
                kind=AuditKind.SIGN_OUT_EVERYWHERE,
                actor_id=viewer.user_id,
                subject_id=viewer.user_id,
                detail=f"sessions={ended}",
                client_address=_client_address(request),
            )
    response = into_app("/?utloggad=1")
    _clear_session_cookie(response)
    return response


routes = [
    Route(FRESH_CLIENT_PATH, fresh_client, methods=["GET"]),
    Route("/auth/session", complete_sign_in, methods=["GET"]),
    Route("/auth/logout", sign_out, methods=["POST"]),
    Route("/auth/logout-all", sign_out_everywhere, methods=["POST"]),
]
