"""LIX, counted by hand on small texts, and the targets the shipped easy-to-read texts meet."""

from __future__ import annotations

import pytest

from naranara.services import readability
from naranara.services.guidance_content import load_sources
from naranara.services.readability import Readability, measure, measure_article


def _counts(text: str) -> tuple[int, int, int]:
    found = measure(text)
    return found.words, found.sentences, found.long_words


def test_two_plain_sentences() -> None:
    # Jag har en katt | Den är svart och mycket sällskaplig: 10 words, "sällskaplig" long
    # ("mycket" has six letters: not long).
    found = measure("Jag har en katt. Den är svart och mycket sällskaplig.")
    assert (found.words, found.sentences, found.long_words) == (10, 2, 1)
    assert found.lix == pytest.approx(10 / 2 + 100 * 1 / 10)


def test_a_swedish_letter_is_one_letter() -> None:
    # "värmer" and "första" have six letters (seven and seven bytes in UTF-8): not long.
    # Long: Blåbärssoppa, Äntligen, höstens, frostnätter.
    found = measure("Blåbärssoppa värmer. Äntligen är höstens första frostnätter här!")
    assert (found.words, found.sentences, found.long_words) == (8, 2, 4)
    assert found.lix == pytest.approx(8 / 2 + 100 * 4 / 8)


def test_numbers_are_words_counted_by_their_digits() -> None:
    # Mät | 2 | gånger | Blodtrycket | var | 135/85 | den | 2026-10-01: the slash and the
    # hyphens join a number; "135/85" has five digits (short), the date eight (long).
    found = measure("Mät 2 gånger. Blodtrycket var 135/85 den 2026-10-01.")
    assert (found.words, found.sentences, found.long_words) == (8, 2, 2)
    assert found.lix == pytest.approx(4 + 25)


def test_markdown_syntax_is_not_text_and_headings_and_list_items_are_units() -> None:
    text = (
        "## Så gör du\n\n"
        "- Väg dig varje morgon\n"
        "- Skriv upp vikten.\n\n"
        "Ring **vårdcentralen** om [du undrar](https://exempel.se/lang-adress)."
    )
    # Så gör du (3) | Väg dig varje morgon (4) | Skriv upp vikten (3) |
    # Ring vårdcentralen om du undrar (5): four units, one long word; the link's address,
    # "##", "-" and "**" are not words.
    assert _counts(text) == (15, 4, 1)
    assert measure(text).lix == pytest.approx(15 / 4 + 100 / 15)


def test_numbered_lists_and_quotes_count_like_other_blocks() -> None:
    assert _counts("1. Sitt ner.\n2. Vila.\n\n> Ring 112.") == (5, 3, 0)


def test_a_line_break_inside_a_paragraph_ends_no_sentence() -> None:
    assert _counts("Gå ut\noch gå hem.") == (5, 1, 0)
    # In easy-to-read texts each line is a sentence of its own, with its full stop.
    assert _counts("Gå ut.\nGå hem.") == (4, 2, 0)


def test_colons_question_marks_and_ellipses_end_sentences_but_not_inside_words() -> None:
    # Gör så här | mät två gånger | Klar | Bra | Klockan 7.30 eller 13:00: twelve words,
    # "Klockan" long; the point in 7.30 and the colon in 13:00 are inside numbers.
    assert _counts("Gör så här: mät två gånger. Klar? Bra… Klockan 7.30 eller 13:00.") == (12, 5, 1)


def test_the_point_after_a_common_abbreviation_ends_nothing() -> None:
    # Ta | t.ex | en | tablett | kl | 8 | Vänta | sedan: "t.ex." and "kl." end nothing.
    found = measure("Ta t.ex. en tablett kl. 8. Vänta sedan.")
    assert (found.words, found.sentences, found.long_words) == (8, 2, 1)
    assert found.lix == pytest.approx(4 + 12.5)


def test_a_compound_joined_by_a_hyphen_is_one_word_of_its_letters() -> None:
    # "KOL-skola" has eight letters: one long word; "e-post" five: short.
    assert _counts("Gå i KOL-skola. Skriv e-post.") == (5, 2, 1)


def test_images_and_html_are_not_text() -> None:
    assert _counts("Titta här. ![En bild av en våg](/bilder/egenvard/x.png)") == (2, 1, 0)
    assert _counts("<b>Fet</b> text.") == (4, 1, 0)  # HTML off: shown, so counted, as text


def test_no_text_has_no_figure_and_no_band() -> None:
    for text in ("", "   ", "## \n\n- \n", "**…**"):
        found = measure(text)
        assert (found.words, found.lix, found.band) == (0, 0.0, "")


@pytest.mark.parametrize(
    ("long_words", "band"),
    [(0, "easy"), (19, "easy"), (20, "medium"), (29, "medium"), (30, "hard"), (60, "hard")],
)
def test_bands_follow_the_figure_as_shown(long_words: int, band: str) -> None:
    # 100 words in 10 sentences: LIX = 10 + long words.
    assert Readability(words=100, sentences=10, long_words=long_words).band == band


def test_the_band_is_that_of_the_rounded_figure() -> None:
    # 29.6 is shown as 30, so it must not be called easy.
    found = Readability(words=1000, sentences=100, long_words=196)
    assert found.lix == pytest.approx(29.6)
    assert (found.figure, found.band) == (30, "medium")
    # Halves round up, as people round: 2.5 is 3 (Python's round() would say 2).
    assert Readability(words=5, sentences=2, long_words=0).figure == 3
    assert set(readability.BAND_LABELS) == {"easy", "medium", "hard"}


def test_an_article_is_measured_on_summary_warning_and_body_not_the_title() -> None:
    whole = measure_article(
        summary="Väg dig.", warning="**Ring 112** nu.", body="## Varför\n\nDet hjälper."
    )
    # Väg dig | Ring 112 nu | Varför | Det hjälper
    assert (whole.words, whole.sentences) == (8, 4)
    assert measure_article(body="Det hjälper.") == measure("Det hjälper.")


# --- The shipped library ------------------------------------------------------------------

_SOURCES = load_sources()
_BY_SLUG = {(source.slug, source.variant): source for source in _SOURCES}
_EASY = sorted(slug for slug, variant in _BY_SLUG if variant == "sv-lattlast")


def _lix(slug: str, variant: str) -> float:
    source = _BY_SLUG[(slug, variant)]
    return measure_article(summary=source.summary, warning=source.warning, body=source.body).lix


def test_every_swedish_article_has_an_easy_to_read_version() -> None:
    swedish = sorted(slug for slug, variant in _BY_SLUG if variant == "sv")
    assert swedish == _EASY


@pytest.mark.parametrize("slug", _EASY)
def test_easy_to_read_texts_are_easy_and_clearly_easier_than_their_original(slug: str) -> None:
    easy, standard = _lix(slug, "sv-lattlast"), _lix(slug, "sv")
    assert easy <= 25, (slug, round(easy, 1))
    assert easy <= standard - 5, (slug, round(easy, 1), round(standard, 1))
