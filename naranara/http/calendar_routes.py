"""Agreed times for calendars: one time's .ics download, and the private subscription feed.

The download needs the session cookie and the policy; the feed is fetched by a
phone's calendar without any cookie, so its random token is the only key, and
an unknown or stopped token gets a bare 404 that says nothing about why.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from naranara import clock
from naranara import routes as paths
from naranara.db import session_scope
from naranara.http.sign_in_flow import viewer_of_request
from naranara.models import User
from naranara.policy import Action, is_allowed, viewer_of
from naranara.services import audit, calendar, patient_contract

ICS_TYPE = "text/calendar; charset=utf-8"
TIME_PATH = "/kalender/tid/{time_id:int}.ics"
FEED_PATH = paths.CALENDAR_FEED


def time_ics_url(time_id: int) -> str:
    return f"/kalender/tid/{time_id}.ics"


def _not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})


async def download_time(request: Request) -> Response:
    """One agreed time as an .ics file, for the resident or whoever may see their plan."""
    time_id = request.path_params["time_id"]
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        item = patient_contract.find_agreed_time(session=db, time_id=time_id)
        # A time that does not exist and one the viewer may not see look the same.
        if item is None or not is_allowed(viewer, Action.VIEW_CARE_PLAN, item.resident_id):
            return _not_found()
        audit.record_access(
            session=db,
            actor_id=viewer.user_id,
            resident_id=item.resident_id,
            detail=f"agreed_time={item.id} ics",
        )
        body = calendar.single_time_ics(item, locale=viewer.locale)
    return Response(
        body,
        media_type=ICS_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="tid-{time_id}.ics"',
            "Cache-Control": "private, no-store",
        },
    )


async def subscription_feed(request: Request) -> Response:
    """Every upcoming and recent time of the resident whose link this is."""
    with session_scope() as db:
        feed = calendar.resolve_feed(session=db, token=request.path_params["token"])
        if feed is None:
            return _not_found()
        resident = db.get(User, feed.resident_id)
        # The link speaks for the resident: it stops if they may no longer keep one.
        owner = viewer_of(resident, session=db) if resident else None
        if not is_allowed(owner, Action.MANAGE_CALENDAR_FEED, feed.resident_id):
            return _not_found()
        locale = owner.locale
        items = calendar.feed_times(session=db, resident_id=feed.resident_id, now=clock.now())
        body = calendar.feed_ics(items, locale=locale)
    return Response(
        body,
        media_type=ICS_TYPE,
        headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"},
    )


routes = [
    Route(TIME_PATH, download_time, methods=["GET"]),
    Route(FEED_PATH, subscription_feed, methods=["GET"]),
]
