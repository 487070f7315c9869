"""Web Push over plain HTTP: the server's public key, a browser's subscription, and the
buttons on a notification (pressed where no page is open, even on a locked phone).

The service worker and ``assets/push.js`` call these with ``fetch``. They take JSON
only, from this site only (``http/json_body.py``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from naranara.db import session_scope
from naranara.http.json_body import answer as _answer
from naranara.http.json_body import json_from_this_site
from naranara.http.sign_in_flow import viewer_of_request
from naranara.policy import Action, is_allowed
from naranara.reminders import actions, vapid
from naranara.services import push_subscriptions
from naranara.services.push_subscriptions import EndpointTaken, InvalidSubscription
from naranara.settings import get_settings

PUBLIC_KEY_PATH = "/push/nyckel"
SUBSCRIPTION_PATH = "/push/prenumeration"
UNSUBSCRIBE_PATH = "/push/prenumeration/ta-bort"
ACTION_PATH = "/push/atgard"
_MAX_BODY = 8 * 1024  # a subscription is well under 1 KiB


async def public_key(request: Request) -> Response:
    """What ``pushManager.subscribe`` needs as ``applicationServerKey``; no secret."""
    return JSONResponse(
        {"publicKey": vapid.public_key_b64url()}, headers={"Cache-Control": "no-cache"}
    )


async def subscribe(request: Request) -> Response:
    """Save this browser's subscription for the signed-in person.

    ``{"endpoint", "keys": {"p256dh", "auth"}}`` turns reminders on (the person
    pressed "Slå på påminnelser"); with ``"renew": true`` (every app open, and the
    worker's ``pushsubscriptionchange``) only a device that is on is refreshed,
    moved from ``"replaces"`` (its old endpoint) if the browser's changed.
    """
    data = await json_from_this_site(request, max_bytes=_MAX_BODY)
    if isinstance(data, Response):
        return data
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    allow_local = get_settings().push_allow_local_endpoints
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is None or not is_allowed(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id):
            return _answer({"error": "sign-in"}, 401)
        try:
            if data.get("renew") is True:
                row = push_subscriptions.renew(
                    session=db,
                    user_id=viewer.user_id,
                    endpoint=data.get("endpoint"),
                    p256dh=keys.get("p256dh"),
                    auth=keys.get("auth"),
                    replaces=data.get("replaces"),
                    allow_local=allow_local,
                )
            else:
                row = push_subscriptions.save(
                    session=db,
                    user_id=viewer.user_id,
                    endpoint=data.get("endpoint"),
                    p256dh=keys.get("p256dh"),
                    auth=keys.get("auth"),
                    label=push_subscriptions.device_label(request.headers.get("user-agent", "")),
                    allow_local=allow_local,
                )
        except InvalidSubscription as refused:
            return _answer({"error": f"invalid-{refused}"}, 422)
        except EndpointTaken:
            # Someone else turned reminders on in this browser: push.js starts afresh.
            return _answer({"error": "taken"}, 409)
    if row is None:
        # Taken away in the device list (or never on): the browser unsubscribes itself.
        return _answer({"registered": False}, 404)
    return _answer({"registered": True})


async def unsubscribe(request: Request) -> Response:
    """This browser turned reminders off: forget its endpoint, if it is the person's own."""
    data = await json_from_this_site(request, max_bytes=_MAX_BODY)
    if isinstance(data, Response):
        return data
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is None or not is_allowed(viewer, Action.CHANGE_ACCOUNT_SETTINGS, viewer.user_id):
            return _answer({"error": "sign-in"}, 401)
        removed = push_subscriptions.remove_endpoint(
            session=db, user_id=viewer.user_id, endpoint=data.get("endpoint")
        )
    return _answer({"removed": removed})


async def notification_action(request: Request) -> Response:
    """A button on a notification: ``{"token", "action"}`` from the service worker.

    No cookie is needed (a locked phone has no open page): the signed token names
    the reminder, and ``apply_action`` asks policy whether its recipient may still act.
    """
    data = await json_from_this_site(request, max_bytes=_MAX_BODY)
    if isinstance(data, Response):
        return data
    token, action = data.get("token"), data.get("action")
    if not isinstance(token, str) or not isinstance(action, str) or len(token) > 1000:
        return _answer({"error": "refused"}, 403)
    try:
        with session_scope() as db:
            url = actions.apply_action(db, token, action)
    except actions.ActionRefused:
        return _answer({"error": "refused"}, 403)
    return _answer({"url": url})


routes = [
    Route(PUBLIC_KEY_PATH, public_key, methods=["GET"]),
    Route(SUBSCRIPTION_PATH, subscribe, methods=["POST"]),
    Route(UNSUBSCRIBE_PATH, unsubscribe, methods=["POST"]),
    Route(ACTION_PATH, notification_action, methods=["POST"]),
]
