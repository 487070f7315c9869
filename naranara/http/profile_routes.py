"""The one-page "Det här är viktigt för mig" as a PDF, to bring to a visit or print."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from naranara import routes as paths
from naranara.db import session_scope
from naranara.http.auth_routes import viewer_of_request
from naranara.i18n import gettext
from naranara.i18n.formatting import format_date_with_year
from naranara.policy import Action, is_allowed, may_read_profile
from naranara.services import audit, profile
from naranara.states.arguments import record_id

SUMMARY_PDF_PATH = paths.WHAT_MATTERS_SUMMARY + ".pdf"
# PDF core fonts cover Windows-1252 (Swedish, most of Western Europe, dashes and quotes).
# No Unicode TTF ships with an installed package, so other characters print as "?".
_PDF_ENCODING = "windows-1252"


def _printable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.encode(_PDF_ENCODING, "replace").decode(_PDF_ENCODING)


def render_summary_pdf(summary: profile.Summary, *, locale: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = _PDF_ENCODING
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    title = gettext(locale, "This is important to me")
    pdf.set_title(_printable(f"{title} – {summary.resident_name}"))
    pdf.set_lang(locale)
    pdf.add_page()

    def write(
        text: str, *, size: float, style: str = "", height: float = 7, gap: float = 0
    ) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, height, _printable(text), align="L", new_x="LMARGIN", new_y="NEXT")
        if gap:
            pdf.ln(gap)

    write(title, size=22, style="B", height=11)
    write(summary.resident_name, size=14, height=8)
    if summary.updated_at is not None:
        updated = format_date_with_year(summary.updated_at.date(), locale)
        write(gettext(locale, "Updated {date}").format(date=updated), size=11, height=6)
    pdf.ln(4)
    if not summary.sections:
        write(gettext(locale, "Nothing has been filled in yet."), size=13)
    for section in summary.sections:
        write(section.title, size=15, style="B", height=9, gap=1)
        for item in section.items:
            if item.label:
                write(item.label, size=12, style="B", height=6.5)
            write(item.text, size=12, height=6.5, gap=2)
        pdf.ln(3)
    return bytes(pdf.output())


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
    return Response(
        render_summary_pdf(summary, locale=viewer.locale),
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="viktigt-for-mig.pdf"',
            "Cache-Control": "no-store",
        },
    )


routes = [Route(SUMMARY_PDF_PATH, summary_pdf, methods=["GET"])]
