"""Egenvård: the public library of published self-care guidance, its search and articles."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx
from sqlmodel import Session

from naranara import i18n, routes
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.models import GuidanceArticle, Role
from naranara.policy import Action, Viewer, is_allowed, require
from naranara.services import (
    guidance,
    guidance_content,
    guidance_editor,
    guidance_search,
    guidance_suggestions,
)
from naranara.states.session import SessionState, current_viewer, current_viewer_off_loop
from naranara.states.views import (
    ArticleSummaryView,
    VersionLink,
    article_summary_view,
    reviewed_text,
)

CATEGORY_PARAM = "kategori"
QUERY_PARAM = "q"
VARIANT_PARAM = "variant"


async def _reader_locale(state: rx.State, viewer: Viewer | None) -> str:
    """Guidance is public: the reader's language comes from the account or the cookie."""
    if viewer is not None:
        return viewer.locale
    session_state = await state.get_state(SessionState)
    return i18n.normalise_locale(session_state.language_cookie)


@dataclasses.dataclass
class CategoryLink:
    key: str  # "" for every category
    label: str
    href: str
    current: bool


@dataclasses.dataclass
class TaskTemplateLink:
    title: str
    href: str
    lang: str = "sv"  # the language of the article version the title comes from


@dataclasses.dataclass
class ArticleView:
    """An article exactly as a resident reads it (also the editor's preview)."""

    title: str = ""
    summary: str = ""
    reading_time: str = ""
    category: str = ""
    warning_html: str = ""
    body_html: str = ""
    reviewed: str = ""
    lang: str = "sv"


def article_view(article: GuidanceArticle, *, locale: str) -> ArticleView:
    label = guidance.CATEGORY_LABELS.get(article.category)
    return ArticleView(
        title=article.title,
        summary=article.summary,
        reading_time=article_summary_view(article, locale=locale).reading_time,
        category=gettext(locale, label) if label else "",
        warning_html=guidance.render_markdown(
            article.warning_markdown, line_breaks=article.easy_read
        )
        if article.warning_markdown.strip()
        else "",
        body_html=guidance.render_markdown(article.body_markdown, line_breaks=article.easy_read),
        reviewed=reviewed_text(article, locale=locale),
        lang=article.locale,
    )


# The versions in the order they are offered. A version is named in its own language, so its
# readers recognise it whatever the page's language (the link carries that lang).
_VERSION_NAMES: dict[str, tuple[str, str]] = {
    "sv": ("Svenska", "sv"),
    "sv-lattlast": (gettext("sv", "Easy to read"), "sv"),
    "en": ("English", "en"),
}


def version_links(
    slug: str, present: set[str], *, shown: str, others_only: bool
) -> list[VersionLink]:
    """The published versions of an article as links; ``shown`` is the one on screen, left
    out (the list says "also available as") or marked as current (the article names all)."""
    return [
        VersionLink(
            label=_VERSION_NAMES[name][0],
            href=f"{routes.article(slug)}?{VARIANT_PARAM}={name}",
            lang=_VERSION_NAMES[name][1],
            current=name == shown,
        )
        for name in _VERSION_NAMES
        if name in present and not (others_only and name == shown)
    ]


def _with_versions(
    db: Session, articles: list[GuidanceArticle], *, locale: str
) -> list[ArticleSummaryView]:
    present = guidance.published_version_names(session=db, slugs=[a.slug for a in articles])
    return [
        article_summary_view(
            article,
            locale=locale,
            versions=version_links(
                article.slug,
                present[article.slug],
                shown=guidance_editor.variant_of(article),
                others_only=True,
            ),
        )
        for article in articles
    ]


def _category_links(locale: str, chosen: str, query: str) -> list[CategoryLink]:
    def href(key: str) -> str:
        parts = [f"{CATEGORY_PARAM}={key}"] if key else []
        return routes.GUIDANCE + ("?" + "&".join(parts) if parts else "")

    links = [CategoryLink("", gettext(locale, "All"), href(""), chosen == "" and not query)]
    for key in guidance_content.CATEGORIES:
        label = gettext(locale, guidance.CATEGORY_LABELS[key])
        links.append(CategoryLink(key, label, href(key), chosen == key and not query))
    return links


class GuidanceLibraryState(rx.State):
    loaded: bool = False
    articles: list[ArticleSummaryView] = []
    categories: list[CategoryLink] = []
    query: str = ""
    heading: str = ""  # "5 råd om blodtryck" or "Sökresultat för …"

    @rx.event
    async def load(self) -> None:
        viewer = current_viewer(self)
        require(viewer, Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self, viewer)
        parameters = self.router.url.query_parameters
        query = str(parameters.get(QUERY_PARAM, "") or "")[: guidance_search.MAX_QUERY_LENGTH]
        category = str(parameters.get(CATEGORY_PARAM, "") or "")
        if category not in guidance_content.CATEGORIES:
            category = ""
        with session_scope() as db:
            guidance_editor.publish_due(session=db)
            if query.strip():
                found = guidance_search.search(session=db, query=query, locale=locale)
            else:
                found = guidance.published_articles(
                    session=db, locale=locale, category=category or None
                )
            self.articles = _with_versions(db, found, locale=locale)
        self.query = query.strip()
        self.categories = _category_links(locale, category, self.query)
        if self.query:
            self.heading = gettext(locale, "{count} results for “{query}”").format(
                count=len(found), query=self.query
            )
        else:
            self.heading = ""
        self.loaded = True


class GuidanceArticleState(rx.State):
    loaded: bool = False
    found: bool = False
    article: ArticleView = ArticleView()
    variants: list[VersionLink] = []  # every published version, the one shown marked
    tasks: list[TaskTemplateLink] = []
    offline_path: str = ""  # where the service worker keeps the version shown

    @rx.event
    async def load(self) -> None:
        viewer = current_viewer(self)
        require(viewer, Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self, viewer)
        # The page is /egenvard/<slug>; the slug is the last part of the path.
        slug = self.router.url.path.rstrip("/").rsplit("/", 1)[-1][:100]
        wanted = str(self.router.url.query_parameters.get(VARIANT_PARAM, "") or "")
        with session_scope() as db:
            guidance_editor.publish_due(session=db)
            variants = guidance_editor.published_variants_by_name(session=db, slug=slug)
            if variants and viewer is not None and viewer.role is Role.RESIDENT:
                # Only the resident's own reads, for "Råd till dig"; see guidance_suggestions.
                guidance_suggestions.record_read(session=db, resident_id=viewer.user_id, slug=slug)
                db.commit()
        chosen = guidance_editor.variant_to_show(variants, wanted=wanted, locale=locale)
        self.found = chosen is not None
        self.variants, self.tasks, self.offline_path = [], [], ""
        if chosen is not None:
            self.article = article_view(chosen, locale=locale)
            shown = guidance_editor.variant_of(chosen)
            self.offline_path = routes.offline_article(slug, shown)
            # Only worth saying when there is more than the one on screen.
            if len(variants) > 1:
                self.variants = version_links(slug, set(variants), shown=shown, others_only=False)
            # Adding a task to one's own plan is for a signed-in resident, in the words of
            # the version they read; the form takes that version's template.
            if viewer is not None and viewer.role is Role.RESIDENT:
                self.tasks = [
                    TaskTemplateLink(
                        task.title,
                        f"{routes.SELF_CARE_TASK_NEW}?artikel={slug}&mall={task.key}"
                        f"&{VARIANT_PARAM}={shown}",
                        chosen.locale,
                    )
                    for task in guidance_content.templates_for(slug, shown)
                ]
        self.loaded = True


def _suggestions(viewer: Viewer | None, locale: str) -> list[ArticleSummaryView]:
    """Hem's advice for this reader (blocking: database)."""
    with session_scope() as db:
        interests = guidance_suggestions.Interests()
        if viewer is not None and viewer.role is Role.RESIDENT:
            interests = guidance_suggestions.interests_of(
                session=db,
                resident_id=viewer.user_id,
                goals=is_allowed(viewer, Action.VIEW_CARE_PLAN, viewer.user_id),
                what_matters=is_allowed(viewer, Action.VIEW_PROFILE, viewer.user_id),
                tasks=is_allowed(viewer, Action.VIEW_SELF_CARE, viewer.user_id),
            )
        found_articles = guidance_suggestions.suggestions_for(
            session=db, locale=locale, interests=interests
        )
        return [article_summary_view(a, locale=locale) for a in found_articles]


class GuidanceSuggestionsState(rx.State):
    """ "Råd till dig" on Hem: for a signed-in resident, chosen by their own goals, what
    matters to them, their tasks and what they have not read (services/guidance_suggestions);
    anyone else gets the library's first articles."""

    suggestions: list[ArticleSummaryView] = []

    @rx.event
    async def load(self) -> None:
        viewer = await current_viewer_off_loop(self)
        require(viewer, Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self, viewer)
        self.suggestions = await asyncio.to_thread(_suggestions, viewer, locale)
