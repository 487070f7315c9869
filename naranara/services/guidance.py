"""Published self-care guidance: finding articles and rendering them safely."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import nh3
from markdown_it import MarkdownIt
from sqlmodel import Session, col, select

from naranara.i18n import DEFAULT_LOCALE
from naranara.models import GuidanceArticle

# Raw HTML in the source is not passed through; the output is sanitised anyway,
# because article bodies are written in a browser by many hands.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})
_ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br"}


def render_markdown(source: str) -> str:
    html = _markdown.render(source)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "tel", "mailto"},
        link_rel="noopener noreferrer",
    )


def _published():  # noqa: ANN202 - a select() statement
    """Articles whose publication time has come (a future time is a scheduled publication)."""
    return select(GuidanceArticle).where(col(GuidanceArticle.published_at) <= datetime.now(UTC))


def _prefer_locale(articles: Iterable[GuidanceArticle], locale: str) -> list[GuidanceArticle]:
    """One article per slug, in the reader's language where it exists, Swedish otherwise."""
    chosen: dict[str, GuidanceArticle] = {}
    for article in articles:
        current = chosen.get(article.slug)
        if current is None or (article.locale == locale and current.locale != locale):
            chosen[article.slug] = article
    return list(chosen.values())


def published_articles(
    *, session: Session, locale: str, category: str | None = None
) -> list[GuidanceArticle]:
    query = _published().where(col(GuidanceArticle.locale).in_({locale, DEFAULT_LOCALE}))
    if category:
        query = query.where(GuidanceArticle.category == category)
    articles = _prefer_locale(
        session.exec(query.order_by(col(GuidanceArticle.title))).all(), locale
    )
    return sorted(articles, key=lambda article: article.title.casefold())


def article_by_slug(*, session: Session, slug: str, locale: str) -> GuidanceArticle | None:
    candidates = session.exec(
        _published().where(
            GuidanceArticle.slug == slug, col(GuidanceArticle.locale).in_({locale, DEFAULT_LOCALE})
        )
    ).all()
    found = _prefer_locale(candidates, locale)
    return found[0] if found else None


def suggested_for(
    *, session: Session, locale: str, linked_article_ids: Iterable[int], limit: int = 3
) -> list[GuidanceArticle]:
    """Articles in the categories of the resident's own tasks first, then the newest."""
    articles = published_articles(session=session, locale=locale)
    linked = set(linked_article_ids)
    by_id = (
        {
            article.id: article
            for article in session.exec(
                select(GuidanceArticle).where(col(GuidanceArticle.id).in_(linked))
            ).all()
        }
        if linked
        else {}
    )
    categories = {article.category for article in by_id.values()}
    slugs_linked = {article.slug for article in by_id.values()}
    ranked = sorted(
        articles,
        key=lambda a: (
            a.category not in categories,
            a.slug in slugs_linked,
            -(a.published_at.timestamp()),
        ),
    )
    return ranked[:limit]
