"""The one-page "Det här är viktigt för mig" as a PDF, to bring to a visit or print.

The text is set in DejaVu Sans, embedded in the PDF (only the letters used), so every
name and word prints as the resident typed it: Sami (á č đ ŋ š ŧ ž ǥ ǩ ǯ), Polish ł,
Vietnamese, Turkish and the rest of the Latin alphabets. PDF's built-in fonts know only
Windows-1252 and would print those letters as "?". The font files and their licence are
in ``naranara/fonts/``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fpdf import FPDF

from naranara.i18n import gettext
from naranara.i18n.formatting import format_date_with_year
from naranara.services.profile import Summary

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
_FAMILY = "DejaVuSans"
_FACES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def printable(text: str, drawable: set[int] | dict[int, object]) -> str:
    """The text as typed, for a font that draws the code points in ``drawable``.

    Letters and their accents become one character (NFC), as the font draws them. A
    character the font has no glyph for (an emoji, Chinese) would vanish from the page
    without a trace; it prints as "?" instead, so the reader sees something was there.
    """
    text = unicodedata.normalize("NFC", text)
    return "".join(c if c.isspace() or ord(c) in drawable else "?" for c in text)


def render_summary_pdf(summary: Summary, *, locale: str) -> bytes:
    """The summary on A4 in ``locale``. Reading the two font files takes most of a second
    of CPU: call it off the event loop."""
    pdf = FPDF(format="A4")
    for style, file_name in _FACES.items():
        pdf.add_font(_FAMILY, style, FONT_DIR / file_name)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    title = gettext(locale, "This is important to me")
    pdf.set_font(_FAMILY, "", 12)
    pdf.set_title(printable(f"{title} – {summary.resident_name}", pdf.current_font.cmap))
    pdf.set_lang(locale)
    pdf.add_page()

    def write(
        text: str, *, size: float, style: str = "", height: float = 7, gap: float = 0
    ) -> None:
        pdf.set_font(_FAMILY, style, size)
        text = printable(text, pdf.current_font.cmap)
        pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
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
