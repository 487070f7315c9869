"""The one-page "Det här är viktigt för mig" as a PDF, to bring to a visit or print."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from naranara import routes as paths
from naranara.db import session_scope
from naranara.http.sign_in_flow import viewer_of_request
from naranara.i18n import gettext
from naranara.inputs import record_id
from naranara.policy import Action, is_allowed, may_read_profile
from naranara.services import audit, profile
from naranara.services.profile_pdf import render_summary_pdf


async def summary_pdf(request: Request) -> Response:
    """The summary of the signed-in resident, or (``?invanare=``) of one who shares it."""
    with session_scope() as db:
        viewer = viewer_of_request(db, request)
        if viewer is None:
            return RedirectResponse(
                f"{paths.SIGN_IN}?next={paths.WHAT_MATTERS_SUMMARY}", status_code=303
            )
        subject = record_id(request.query_params.get("invanare")) or viewer.user_id
        found = (
            profile.get(session=db, resident_id=subject)
            if is_allowed(viewer, Action.VIEW_SHARED_PROFILE, subject)
            else None
        )
        if found is None or not may_read_profile(viewer, subject, shared=found.shared_with_care):
            # The same answer whether the person exists, shares or not: no way to probe.
            return PlainTextResponse(
                gettext(viewer.locale, "You do not have access to this."), status_code=403
            )
        summary = profile.summary(session=db, resident_id=subject, locale=viewer.locale)
        audit.record_access(
            session=db,
            actor_id=viewer.user_id,
            resident_id=subject,
            detail="what_matters_summary_pdf",
        )
    # Setting the text in an embedded font takes a moment of CPU: off the event loop.
    content = await asyncio.to_thread(render_summary_pdf, summary, locale=viewer.locale)
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="viktigt-for-mig.pdf"',
            "Cache-Control": "no-store",
        },
    )


routes = [Route(paths.WHAT_MATTERS_SUMMARY_PDF, summary_pdf, methods=["GET"])]
