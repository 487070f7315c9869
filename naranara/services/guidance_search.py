"""Searching the published guidance in Swedish, on SQLite and on PostgreSQL alike.

Both databases match whole words and word beginnings ("blodtr" finds "blodtryck"),
without regard to case, and keep å, ä and ö as letters of their own: "får" never finds
"far". SQLite uses the FTS5 table ``guidance_search`` (unicode61, remove_diacritics 0),
which ``reindex`` keeps in step with what is published; PostgreSQL a GIN index on
``to_tsvector('simple', …)`` of the article itself ('simple' neither stems nor folds
accents), kept by the database. Both migrations are in
migrations/versions/20261123_c1a5e0000002_guidance_workflow.py.

The ranking is the same everywhere and done here: words found in the title first, then
in the summary, then the database's own relevance, then the title.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from naranara import clock
from naranara.i18n import DEFAULT_LOCALE
from naranara.models import GuidanceArticle

# Must match the expression of the index ix_guidance_article_search, or it is not used.
_POSTGRES_DOCUMENT = (
    "to_tsvector('simple', title || ' ' || summary || ' ' || body_markdown"
    " || ' ' || warning_markdown)"
)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8
MAX_QUERY_LENGTH = 200


def terms_of(query: str) -> list[str]:
    """The words of a search, lowercased, in order, without repeats (letters and digits only,
    so nothing of the query syntax of either database can be smuggled in)."""
    words: list[str] = []
    for word in _WORD.findall(query[:MAX_QUERY_LENGTH].lower()):
        word = word.strip("_")
        if word and word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def reindex(*, session: Session, article: GuidanceArticle) -> None:
    """Bring the search index in step with the article's published text (SQLite only:
    PostgreSQL's index is on the article's own columns)."""
    if _dialect(session) != "sqlite":
        return
    session.flush()
    connection = session.connection()
    connection.execute(text("DELETE FROM guidance_search WHERE rowid = :id"), {"id": article.id})
    if article.published_at is not None:
        connection.execute(
            text(
                "INSERT INTO guidance_search (rowid, title, summary, body)"
                " VALUES (:id, :title, :summary, :body)"
            ),
            {
                "id": article.id,
                "title": article.title,
                "summary": article.summary,
                "body": f"{article.body_markdown} {article.warning_markdown}",
            },
        )


def _matching_ids(session: Session, terms: list[str]) -> dict[int, float]:
    """Article id -> the database's relevance (higher is better) for every term as a prefix."""
    if _dialect(session) == "sqlite":
        # Each term quoted as a string and marked as a prefix: "word"* AND "word"* ...
        match = " ".join(f'"{term}"*' for term in terms)
        rows = session.connection().execute(
            text(
                "SELECT rowid, bm25(guidance_search, 10.0, 3.0, 1.0) FROM guidance_search"
                " WHERE guidance_search MATCH :match"
            ),
            {"match": match},
        )
        return {row[0]: -row[1] for row in rows}  # bm25: lower is better
    tsquery = " & ".join(f"{term}:*" for term in terms)
    rows = session.connection().execute(
        text(
            f"SELECT id, ts_rank({_POSTGRES_DOCUMENT}, to_tsquery('simple', :query))"
            f" FROM guidance_article WHERE {_POSTGRES_DOCUMENT} @@ to_tsquery('simple', :query)"
        ),
        {"query": tsquery},
    )
    return {row[0]: float(row[1]) for row in rows}


def _hits(field: str, terms: list[str]) -> int:
    words = _WORD.findall(field.lower())
    return sum(1 for term in terms if any(word.startswith(term) for word in words))


def search(
    *, session: Session, query: str, locale: str, limit: int = 20, now: datetime | None = None
) -> list[GuidanceArticle]:
    """Published articles matching every word of ``query``, best first; one per slug, in the
    reader's language where it exists (easy-to-read variants are reached from the article)."""
    terms = terms_of(query)
    if not terms:
        return []
    relevance = _matching_ids(session, terms)
    if not relevance:
        return []
    now = now or clock.now()
    found = session.exec(
        select(GuidanceArticle).where(
            col(GuidanceArticle.id).in_(relevance),
            col(GuidanceArticle.published_at) <= now,
            col(GuidanceArticle.easy_read).is_(False),
            col(GuidanceArticle.locale).in_({locale, DEFAULT_LOCALE}),
        )
    ).all()
    # The reader's language where both languages match; otherwise whichever matched.
    chosen: dict[str, GuidanceArticle] = {}
    for article in found:
        current = chosen.get(article.slug)
        if current is None or (article.locale == locale and current.locale != locale):
            chosen[article.slug] = article
    ranked = sorted(
        chosen.values(),
        key=lambda a: (
            -_hits(a.title, terms),
            -_hits(a.summary, terms),
            -relevance[a.id],
            a.title.casefold(),
        ),
    )
    return ranked[:limit]
