"""What the password sign-in (auth_routes.py) and the identity providers' sign-in
(oidc_routes.py) share: the session cookie, the way back into the app, the signed-in
person of a request, and the provider's logout address. Both import this module;
neither imports the other."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from naranara.policy import Viewer, viewer_for_session_token
from naranara.routes import safe_next
from naranara.settings import OIDCProvider, get_settings

FRESH_CLIENT_PATH = "/auth/fresh"


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


# Signing out empties what this browser kept for the site: the Cache API (the offline
# copy, the service worker's caches), IndexedDB (the queue of check-offs), localStorage,
# and the service worker itself. Cookies are cleared one by one: the device cookie stays,
# so the browser is still known for sign-in tickets.
CLEAR_SITE_DATA = '"cache", "storage"'


def clear_session_cookie(response: Response) -> None:
    """Sign-out's answer: the session cookie gone, and what the site kept in the browser."""
    settings = get_settings()
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


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


def viewer_of_request(db: Session, request: Request) -> Viewer | None:
    """The signed-in person of an HTTP request, from its HttpOnly session cookie."""
    token = request.cookies.get(get_settings().session_cookie_name)
    return viewer_for_session_token(session=db, token=token)


def public_origin(request: Request) -> str:
    """This site's origin as people reach it: ``NARA_PUBLIC_URL``, or the request's."""
    public = get_settings().public_url.rstrip("/")
    return public or f"{request.url.scheme}://{request.url.netloc}"


@lru_cache(maxsize=32)
def provider_client(provider: OIDCProvider) -> StarletteOAuth2App:
    """One authlib client per provider configuration; it caches the discovery document."""
    registry = OAuth()
    return registry.register(
        name=provider.name,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.server_metadata_url,
        client_kwargs={
            "scope": provider.scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "timeout": 10,
        },
    )


async def end_session_url(request: Request, *, issuer: str, id_token: str) -> str | None:
    """The provider's logout address for RP-initiated logout, if it offers one."""
    provider = get_settings().oidc_provider_by_issuer(issuer)
    if provider is None:
        return None
    client = provider_client(provider)
    try:
        metadata = await client.load_server_metadata()
    except httpx.HTTPError:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": f"{public_origin(request)}/",
            "client_id": provider.client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
