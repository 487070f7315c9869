"""The resident's whole record as a FHIR R4 bundle, downloaded with the session cookie."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from naranara import clock
from naranara import routes as paths
from naranara.db import session_scope
from naranara.http.sign_in_flow import viewer_of_request
from naranara.i18n import gettext
from naranara.policy import Action, Forbidden, SignInAgain, require
from naranara.routes import sign_in_again_path
from naranara.services import fhir

FHIR_JSON = "application/fhir+json"


async def export_record(request: Request) -> Response:
    """Only the resident downloads their own record; query parameters name no one."""
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is None:
            target = urlencode({"next": paths.CARE_PLAN})
            return RedirectResponse(f"{paths.SIGN_IN}?{target}", status_code=303)
        try:
            require(viewer, Action.EXPORT_RECORD, viewer.user_id)
        except SignInAgain:
            # Back to the plan afterwards, not to the file: a download would leave the
            # browser on an empty page after signing in.
            return RedirectResponse(sign_in_again_path(paths.CARE_PLAN), status_code=303)
        except Forbidden:
            return PlainTextResponse(
                gettext(viewer.locale, "Only residents can download their own record."),
                status_code=403,
                headers={"Cache-Control": "no-store"},
            )
        bundle = fhir.export_bundle(session=db, resident_id=viewer.user_id)
    day = clock.today().isoformat()
    return Response(
        json.dumps(bundle, ensure_ascii=False, indent=2),
        media_type=FHIR_JSON,
        headers={
            "Content-Disposition": f'attachment; filename="nara-journal-{day}.json"',
            "Cache-Control": "private, no-store",
        },
    )


routes = [Route(paths.FHIR_EXPORT, export_record, methods=["GET"])]
