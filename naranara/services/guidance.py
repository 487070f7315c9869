"""Published self-care guidance: finding articles and rendering them safely."""

from __future__ import annotations

import re
from collections.abc import Iterable

import nh3
from markdown_it import MarkdownIt
from sqlmodel import Session, col, select

from naranara import clock, routes
from naranara.i18n import DEFAULT_LOCALE, N_
from naranara.models import GuidanceArticle
from naranara.services.guidance_content import variant_name

# Raw HTML in the source is not passed through; the output is sanitised anyway,
# because article bodies are written in a browser by many hands.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})
# Lättläst breaks its lines where a reader pauses, one sentence a line: those line breaks
# are kept (in other texts a line break is just a space, as Markdown has it).
_markdown_with_line_breaks = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "breaks": True}
)
_ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "img",
}  # fmt: skip
# Images only from Nära's own image route: what staff uploaded, checked when it was.
IMAGE_PATH = re.compile(
    "^" + re.escape(routes.GUIDANCE_IMAGES) + r"/[0-9a-f]{64}\.(?:png|jpg|webp)$"
)


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if IMAGE_PATH.match(value) else None
    if element == "a" and attribute == "href":
        # Links within Nära, or https, tel and mailto; "//host" and "/\\host" lead elsewhere.
        own = value.startswith("/") and not value.startswith(("//", "/\\"))
        return value if own or value.startswith(("https:", "tel:", "mailto:", "#")) else None
    return value


def render_markdown(source: str, *, line_breaks: bool = False) -> str:
    html = (_markdown_with_line_breaks if line_breaks else _markdown).render(source)
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}, "img": {"src", "alt"}},
        attribute_filter=_keep_attribute,
        url_schemes={"https", "tel", "mailto"},
        link_rel="noopener noreferrer",
    )
    # An image whose address was refused is dropped whole rather than left empty.
    return _EMPTY_IMAGE.sub("", cleaned)


_EMPTY_IMAGE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")

# Swedish names for the categories of services/guidance_content.CATEGORIES (message ids).
CATEGORY_LABELS: dict[str, str] = {
    "hjartsvikt": N_("Heart failure"),
    "diabetes": N_("Diabetes"),
    "kol": N_("COPD"),
    "hogt-blodtryck": N_("High blood pressure"),
    "fallprevention": N_("Preventing falls"),
    "fysisk-aktivitet": N_("Physical activity"),
    "somn": N_("Sleep"),
    "psykisk-halsa": N_("Mental health"),
    "lakemedel": N_("Medicines"),
}


def _published():  # noqa: ANN202 - a select() statement
    """Articles whose publication time has come (a future time is a scheduled publication)."""
    return select(GuidanceArticle).where(
        col(GuidanceArticle.published_at) <= clock.now(),
        col(GuidanceArticle.easy_read).is_(False),
    )


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


def published_variants(*, session: Session, slug: str) -> list[GuidanceArticle]:
    """Every published variant of an article (Swedish, easy-to-read Swedish, English)."""
    return list(
        session.exec(
            select(GuidanceArticle).where(
                GuidanceArticle.slug == slug,
                col(GuidanceArticle.published_at) <= clock.now(),
            )
        ).all()
    )


def published_version_names(*, session: Session, slugs: Iterable[str]) -> dict[str, set[str]]:
    """Which versions ("sv", "sv-lattlast", "en") of each article are published, by slug."""
    wanted = set(slugs)
    names: dict[str, set[str]] = {slug: set() for slug in wanted}
    if not wanted:
        return names
    rows = session.exec(
        select(GuidanceArticle.slug, GuidanceArticle.locale, GuidanceArticle.easy_read).where(
            col(GuidanceArticle.slug).in_(wanted),
            col(GuidanceArticle.published_at) <= clock.now(),
        )
    ).all()
    for slug, locale, easy_read in rows:
        names[slug].add(variant_name(locale, easy_read))
    return names
