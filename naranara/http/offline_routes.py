"""Nära without signal: the offline page, a resident's offline copy, and check-offs made
without a network.

- ``GET /utan-nat``: a plain page (no Reflex, no websocket) that the service worker
  keeps and shows when a navigation fails. It holds no one's data; ``/offline.js``
  fills it from the offline copy the worker kept, if this device has one.
- ``GET /utan-nat/kopia``: the signed-in resident's copy as JSON, only for a device
  she turned it on for (``services/offline_copy.py``); 404 otherwise, and the worker
  then deletes what it kept.
- ``GET /utan-nat/artikel/<variant>/<slug>``: one published article as JSON, for
  anyone (the worker keeps the articles read or saved on the device).
- ``POST /utan-nat/avbockningar``: the queue of check-offs the browser kept while
  offline; each taken once (``services/check_offs.py``). JSON from this site only.
"""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from naranara import clock, i18n
from naranara import routes as paths
from naranara.db import session_scope
from naranara.http.json_body import answer, json_from_this_site
from naranara.http.sign_in_flow import viewer_of_request
from naranara.i18n import N_, gettext
from naranara.policy import Action, is_allowed
from naranara.services import audit, check_offs, guidance_editor, offline_copy
from naranara.settings import get_settings

PAGE_PATH = paths.OFFLINE
COPY_PATH = paths.OFFLINE_COPY
CHECK_OFFS_PATH = paths.OFFLINE_CHECK_OFFS
_MAX_BODY = 32 * 1024  # 50 check-offs are about 8 KiB


def _texts(locale: str) -> dict[str, str]:
    """What ``/offline.js`` writes into the page, in the page's language."""
    words = {
        "done": "Done",
        "skip": "Skip",
        "doneLabel": "Done: {title} {time}",
        "skipLabel": "Skip: {title} {time}",
        "queued": "Will be saved when you have a connection again",
        "markedDone": "Done",
        "markedSkipped": "Skipped",
        "cancelled": "Cancelled",
        "call": "Call {name}",
        "prepare": "Prepare:",
        "sent": "Your check-offs made without a connection have been saved.",
        "today": "Today",
        "tomorrow": "Tomorrow",
        "seekCare": "When to seek care",
    }
    return {key: gettext(locale, message) for key, message in words.items()}


# The message ids above, for the catalog extractor (babel reads N_ calls).
_ = (
    N_("Done"),
    N_("Skip"),
    N_("Done: {title} {time}"),
    N_("Skip: {title} {time}"),
    N_("Will be saved when you have a connection again"),
    N_("Skipped"),
    N_("Cancelled"),
    N_("Call {name}"),
    N_("Prepare:"),
    N_("Your check-offs made without a connection have been saved."),
    N_("Today"),
    N_("Tomorrow"),
    N_("When to seek care"),
)


def _page(locale: str) -> str:
    def say(message: str) -> str:
        return html.escape(gettext(locale, message))

    texts = html.escape(json.dumps(_texts(locale), ensure_ascii=False), quote=True)
    works = [
        say(N_("Calling your contacts, if you keep Nära on this phone.")),
        say(N_("Your agreed times and today's self-care tasks, the same way.")),
        say(N_("Marking tasks done: they are saved when you have a connection again.")),
        say(N_("Articles you have read or saved on this phone.")),
        say(N_("In an emergency, call 112. For advice, call 1177.")),
    ]
    items = "".join(f"<li>{item}</li>" for item in works)

    def block(key: str, heading: str, empty: str, attributes: str = "") -> str:
        return (
            f'<section class="section" aria-labelledby="offline-{key}"{attributes}>'
            f'<h2 id="offline-{key}">{say(heading)}</h2>'
            f'<ul class="card-list" data-list="{key}"></ul>'
            f'<p class="muted" data-empty="{key}" hidden>{say(empty)}</p></section>'
        )

    title = say(N_("No connection"))
    heading = say(N_("You have no connection right now"))
    lead = say(
        N_(
            "Nära cannot reach the internet. Nothing you have saved is lost: "
            "when the connection is back, you go on where you were."
        )
    )
    works_heading = say(N_("What works without a connection"))
    retry = say(N_("Try again"))
    no_copy = say(
        N_(
            "To see your times and contacts without a connection, choose "
            "Keep on this phone under Profile (on a phone only you use)."
        )
    )
    blocks = (
        block("times", N_("Your agreed times"), N_("No agreed times in the next 30 days."))
        + block("contacts", N_("Your contacts"), N_("No contacts saved."))
        + block("tasks", N_("Your self-care tasks"), N_("No tasks today or tomorrow."))
        + block("whatMatters", N_("This is important to me"), N_("Nothing filled in yet."))
    )
    # Public articles, kept on the device whether or not it keeps the resident's copy.
    articles = block(
        "guidance",
        N_("Articles to read without a connection"),
        N_("No articles read yet."),
        " data-offline-articles hidden",
    )
    return (
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} – Nära</title>"
        '<meta name="theme-color" content="#0f5f5c">'
        '<link rel="icon" href="/icon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/nara.css">'
        '<script src="/offline.js" defer></script></head>'
        '<body class="offline-page"><div class="app"><header class="app-header">'
        '<span class="brand"><span class="brand-name">Nära</span></span></header>'
        '<main class="main" id="main"><div class="stack">'
        f'<h1>{heading}</h1><p class="lead">{lead}</p>'
        f'<div class="actions"><button class="button" type="button" data-offline-retry>{retry}'
        "</button></div>"
        '<div class="offline-notices stack" data-offline-notices role="status" aria-live="polite">'
        "</div>"
        # The resident's own copy first, when this device keeps one: what she needs now.
        f'<div class="stack" data-offline-copy data-texts="{texts}" hidden>'
        f'<p class="muted" data-updated></p>{blocks}</div>'
        f'<p class="muted" data-offline-no-copy>{no_copy}</p>{articles}'
        '<section class="section" aria-labelledby="offline-works">'
        f'<h2 id="offline-works">{works_heading}</h2><ul class="plain-list">{items}</ul></section>'
        "</div></main></div></body></html>"
    )


async def offline_page(request: Request) -> Response:
    """The same for everyone: the worker keeps it, so it names no one."""
    locale = i18n.normalise_locale(request.cookies.get(i18n.LANGUAGE_COOKIE))
    return HTMLResponse(_page(locale), headers={"Cache-Control": "no-cache"})


async def offline_copy_document(request: Request) -> Response:
    """The resident's copy for this device, if she keeps one here; 404 tells the worker
    to delete what it kept (signed out, turned off, or not hers)."""
    device = request.cookies.get(get_settings().device_cookie_name, "")
    now = clock.now()
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if (
            viewer is None
            or not is_allowed(viewer, Action.KEEP_OFFLINE_COPY, viewer.user_id)
            or not offline_copy.is_on(session=db, user_id=viewer.user_id, device_token=device)
        ):
            return answer({"kept": False}, 404)
        document = offline_copy.build(
            session=db, resident_id=viewer.user_id, locale=viewer.locale, now=now
        )
        offline_copy.mark_refreshed(
            session=db, user_id=viewer.user_id, device_token=device, now=now
        )
    return answer(document)


async def offline_article(request: Request) -> Response:
    """A published article as JSON, for anyone, like its page: the service worker keeps
    the articles read on this device and those saved with "Save to read offline"."""
    slug = request.path_params["slug"][:100]
    locale = i18n.normalise_locale(request.cookies.get(i18n.LANGUAGE_COOKIE))
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if not is_allowed(viewer, Action.READ_PUBLISHED_GUIDANCE):
            return answer({"found": False}, 403)
        variants = guidance_editor.published_variants_by_name(session=db, slug=slug)
        chosen = guidance_editor.variant_to_show(
            variants, wanted=request.path_params["variant"], locale=locale
        )
        if chosen is None:
            return answer({"found": False}, 404)  # withdrawn: the worker forgets it
        return answer(offline_copy.article_document(chosen))


async def receive_check_offs(request: Request) -> Response:
    """``{"checkOffs": [{key, taskId, occurrenceAt, status, pressedAt}, …]}`` from the
    browser's queue; each answered with its outcome, so the queue can let it go."""
    data = await json_from_this_site(request, max_bytes=_MAX_BODY)
    if isinstance(data, Response):
        return data
    items = data.get("checkOffs")
    if not isinstance(items, list) or len(items) > check_offs.MAX_PER_REQUEST:
        return answer({"error": "check-offs"}, 400)
    results = []
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is None:
            return answer({"error": "sign-in"}, 401)

        def may_record(resident_id: int) -> bool:
            return is_allowed(viewer, Action.RECORD_SELF_CARE, resident_id)

        for item in items:
            try:
                check_off = check_offs.parse(item)
            except check_offs.InvalidCheckOff:
                key = item.get("key") if isinstance(item, dict) else None
                results.append({"key": key if isinstance(key, str) else None, "outcome": "invalid"})
                continue
            received = check_offs.receive(
                session=db,
                sender_id=viewer.user_id,
                check_off=check_off,
                may_record=may_record,
                locale=viewer.locale,
            )
            if received.outcome is check_offs.CheckOffOutcome.RECORDED and not received.repeated:
                resident_id = check_offs.resident_of_task(session=db, task_id=check_off.task_id)
                audit.record_access(
                    session=db,
                    actor_id=viewer.user_id,
                    resident_id=resident_id,
                    detail="self-care task marked offline",
                    changed=True,
                )
            results.append(
                {
                    "key": received.key,
                    "outcome": received.outcome.value,
                    "repeated": received.repeated,
                    "message": received.message,
                }
            )
    return answer({"results": results})


routes = [
    Route(PAGE_PATH, offline_page, methods=["GET"]),
    Route(COPY_PATH, offline_copy_document, methods=["GET"]),
    Route(CHECK_OFFS_PATH, receive_check_offs, methods=["POST"]),
    Route(paths.OFFLINE_ARTICLES + "/{variant}/{slug}", offline_article, methods=["GET"]),
]
