"""The resident's measurements as a CSV file that Excel in Swedish opens as it is."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from naranara import clock
from naranara import routes as paths
from naranara.db import session_scope
from naranara.http.sign_in_flow import viewer_of_request
from naranara.i18n import gettext
from naranara.inputs import record_id
from naranara.policy import Action, is_allowed
from naranara.services import audit, measurements


async def measurements_csv(request: Request) -> Response:
    """The signed-in resident's values, or (``?invanare=``) those of a resident one may see."""
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is None:
            target = urlencode({"next": paths.MEASUREMENTS})
            return RedirectResponse(f"{paths.SIGN_IN}?{target}", status_code=303)
        subject = record_id(request.query_params.get("invanare")) or viewer.user_id
        if not is_allowed(viewer, Action.VIEW_MEASUREMENTS, subject):
            # The same answer whether the person exists or not: no way to probe.
            return PlainTextResponse(
                gettext(viewer.locale, "You do not have access to this."),
                status_code=403,
                headers={"Cache-Control": "no-store"},
            )
        rows = measurements.series(session=db, resident_id=subject)
        text = measurements.to_csv(rows, viewer.locale)
        audit.record_access(
            session=db, actor_id=viewer.user_id, resident_id=subject, detail="measurements_csv"
        )
    day = clock.today().isoformat()
    # A byte order mark: without it Excel reads UTF-8 as Windows-1252 and breaks å, ä, ö.
    return Response(
        ("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="matvarden-{day}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


routes = [Route(paths.MEASUREMENTS_CSV, measurements_csv, methods=["GET"])]
