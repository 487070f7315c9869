"""The printable "Det här är viktigt för mig": every name prints as it was typed."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from naranara.services.profile import Summary, SummaryItem, SummarySection
from naranara.services.profile_pdf import FONT_DIR, printable, render_summary_pdf

# Northern, Lule and Skolt Sami; Polish; Vietnamese; Turkish; and what Swedish needs.
NAMES = (
    "Máret Ŋuolla Đuottar Čárbbáš",
    "Ánte Ŧuomas Žiillá Šášá",
    "Sijddsååbbar Ǥeʹrjjan Ǩiõll Ǯuuʹǯǯ",
    "Łucja Wałęsa-Żółkiewska",
    "Nguyễn Thị Hương Phạm Quốc Việt",
    "Şükrü Ağaoğlu, İlkay Işık",
    "Åsa Öberg-Ärlig",
)


def _summary(name: str, text: str = "Kaffe på altanen") -> Summary:
    return Summary(
        resident_name=name,
        updated_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        sections=(
            SummarySection(
                key="important",
                title="Det här är viktigt för mig",
                items=(SummaryItem(label="Viktiga personer", text=text),),
            ),
        ),
    )


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def printed_names() -> list[str]:
    """One summary with every name: as the heading, as a bold label and in running text."""
    summary = Summary(
        resident_name=NAMES[0],
        updated_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        sections=(
            SummarySection(
                key="people",
                title="Viktiga personer i mitt liv",
                items=tuple(
                    SummaryItem(label=name, text=f"Min granne {name} hjälper mig.")
                    for name in NAMES
                ),
            ),
        ),
    )
    return _text(render_summary_pdf(summary, locale="sv")).splitlines()


@pytest.mark.parametrize("name", NAMES)
def test_every_letter_of_a_name_comes_out_of_the_pdf_as_typed(
    printed_names: list[str], name: str
) -> None:
    assert name in printed_names  # the bold label (and, for the first, the heading)
    assert f"Min granne {name} hjälper mig." in printed_names
    assert not [line for line in printed_names if "?" in line]


def test_the_fonts_are_embedded_not_the_core_fonts() -> None:
    content = render_summary_pdf(_summary(NAMES[0]), locale="sv")
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    # "ABCDEF+Name": a subset of the font, embedded in the file.
    assert {font.partition("+")[2] for font in fonts} == {"DejaVuSansBook", "DejaVuSansBold"}
    assert not fonts & {"/Helvetica", "/Helvetica-Bold"}


def test_a_name_typed_with_combining_accents_prints_as_one_letter_each() -> None:
    decomposed = unicodedata.normalize("NFD", "Máret Čárbbáš Nguyễn")
    assert len(decomposed) > len("Máret Čárbbáš Nguyễn")
    assert "Máret Čárbbáš Nguyễn" in _text(render_summary_pdf(_summary(decomposed), locale="sv"))


def test_what_the_font_cannot_draw_shows_as_a_question_mark_not_nothing() -> None:
    text = _text(render_summary_pdf(_summary("Anna", text="Sol 🌞 och 日本 – å"), locale="en"))
    assert "Sol ? och ?? – å" in text
    assert "This is important to me" in text


def test_printable_keeps_what_the_font_draws_and_the_line_breaks() -> None:
    drawable = {ord(c) for c in "abŋ "}
    assert printable("ab\nŋ\tx", drawable) == "ab\nŋ\t?"


def test_the_font_files_ship_with_their_licence() -> None:
    assert {path.name for path in FONT_DIR.iterdir()} >= {
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "LICENSE",
    }
    assert "Bitstream Vera Fonts Copyright" in (FONT_DIR / "LICENSE").read_text()
