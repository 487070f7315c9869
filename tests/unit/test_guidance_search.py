"""Searching the guidance in Swedish, on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from naranara.services import guidance_editor, guidance_search

pytestmark = pytest.mark.both_databases(
    "full-text search: FTS5 on SQLite, tsvector and GIN on PostgreSQL"
)

_BASE = {
    "summary": "",
    "category": "hogt-blodtryck",
    "reading_minutes": 3,
    "responsible_unit": "Hälsocentralen",
    "reviewed_on": date(2026, 10, 1),
    "warning_markdown": "",
}


def _article(db: Session, slug: str, title: str, body: str, *, variant: str = "sv") -> None:
    guidance_editor.import_published(
        session=db,
        slug=slug,
        variant=variant,
        values={**_BASE, "title": title, "body_markdown": body},
    )


@pytest.fixture
def library(db: Session) -> None:
    _article(db, "blodtryck", "Mät blodtrycket hemma", "Sitt still och vila innan du mäter.")
    _article(
        db,
        "salt",
        "Ät mindre salt",
        "Salt höjer blodtrycket. Får du äta chips? Ibland.",
    )
    _article(db, "far", "Din far och mor", "Om att prata med familjen.")
    _article(db, "ogon", "Ögonen vid diabetes", "Gå på ögonbottenfotografering.")
    _article(db, "sova", "Vila och sov bättre", "Om sömn.")
    _article(db, "blodtryck", "Measure at home", "Sit still before you measure.", variant="en")
    _article(db, "blodtryck", "Blodtryck lättläst", "Lättläst text.", variant="sv-lattlast")
    db.commit()


def slugs(db: Session, query: str, locale: str = "sv") -> list[str]:
    return [a.slug for a in guidance_search.search(session=db, query=query, locale=locale)]


@pytest.mark.usefixtures("library")
def test_a_whole_word_finds_the_blood_pressure_article(db: Session) -> None:
    assert slugs(db, "blodtrycket") == ["blodtryck", "salt"]


@pytest.mark.usefixtures("library")
def test_word_beginnings_match(db: Session) -> None:
    assert slugs(db, "blodtr") == ["blodtryck", "salt"]
    assert slugs(db, "blodtryck") == ["blodtryck", "salt"]


@pytest.mark.usefixtures("library")
def test_case_does_not_matter_also_for_swedish_letters(db: Session) -> None:
    assert slugs(db, "BLODTRYCK") == ["blodtryck", "salt"]
    assert slugs(db, "ÖGON") == ["ogon"]
    assert slugs(db, "ögonbotten") == ["ogon"]


@pytest.mark.usefixtures("library")
def test_a_ring_and_dots_are_letters_of_their_own(db: Session) -> None:
    assert slugs(db, "får") == ["salt"]
    assert slugs(db, "far") == ["far"]
    assert slugs(db, "ogon") == []  # "ögon" is another word
    assert slugs(db, "äta") == ["salt"]
    assert slugs(db, "ata") == []  # "äta" is not "ata"


@pytest.mark.usefixtures("library")
def test_title_hits_rank_above_body_hits(db: Session) -> None:
    # "vila" is in the body of "blodtryck" (created first) and in the title of "sova".
    assert slugs(db, "vila") == ["sova", "blodtryck"]
    assert slugs(db, "salt")[0] == "salt"
    # "mät" is in one title and, as a word beginning, in the body of the other ("mäter").
    assert slugs(db, "mät") == ["blodtryck"]


@pytest.mark.usefixtures("library")
def test_every_word_must_match(db: Session) -> None:
    assert slugs(db, "salt chips") == ["salt"]
    assert slugs(db, "salt ögon") == []


@pytest.mark.usefixtures("library")
def test_english_readers_get_english_hits_and_easy_read_is_not_listed(db: Session) -> None:
    assert slugs(db, "measure", locale="en") == ["blodtryck"]
    titles = [a.title for a in guidance_search.search(session=db, query="blodtr", locale="en")]
    assert titles == ["Mät blodtrycket hemma", "Ät mindre salt"]  # no English text matched
    assert "Blodtryck lättläst" not in [
        a.title for a in guidance_search.search(session=db, query="lättläst", locale="sv")
    ]


@pytest.mark.parametrize(
    "query",
    ['"', "*", "blod*", 'NEAR("a" "b")', "a:* | b", "'); DROP TABLE guidance_article; --", ""],
)
@pytest.mark.usefixtures("library")
def test_query_syntax_of_either_database_is_just_text(db: Session, query: str) -> None:
    guidance_search.search(session=db, query=query, locale="sv")  # no error
    assert slugs(db, "blodtrycket") == ["blodtryck", "salt"]
