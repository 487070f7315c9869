"""Egenvård: the public library of published self-care guidance, its search and articles."""

from __future__ import annotations

import dataclasses

import reflex as rx

from naranara import i18n, routes
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.models import GuidanceArticle, Role
from naranara.policy import Action, is_allowed, require
from naranara.services import (
    guidance,
    guidance_content,
    guidance_editor,
    guidance_search,
    guidance_suggestions,
)
from naranara.states.session import SessionState, current_viewer
from naranara.states.views import ArticleSummaryView, article_summary_view, reviewed_text

CATEGORY_PARAM = "kategori"
QUERY_PARAM = "q"
VARIANT_PARAM = "variant"


async def _reader_locale(state: rx.State) -> str:
    """Guidance is public: the reader's language comes from the account or the cookie."""
    viewer = current_viewer(state)
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
class VariantLink:
    label: str
    href: str
    lang: str


@dataclasses.dataclass
class TaskTemplateLink:
    title: str
    href: str


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
        require(current_viewer(self), Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self)
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
        self.articles = [article_summary_view(article, locale=locale) for article in found]
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
    variants: list[VariantLink] = []
    tasks: list[TaskTemplateLink] = []

    @rx.event
    async def load(self) -> None:
        viewer = current_viewer(self)
        require(viewer, Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self)
        # The page is /egenvard/<slug>; the slug is the last part of the path.
        slug = self.router.url.path.rstrip("/").rsplit("/", 1)[-1][:100]
        wanted = str(self.router.url.query_parameters.get(VARIANT_PARAM, "") or "")
        with session_scope() as db:
            guidance_editor.publish_due(session=db)
            variants = {
                guidance_editor.variant_of(a): a
                for a in guidance.published_variants(session=db, slug=slug)
            }
            if variants and viewer is not None and viewer.role is Role.RESIDENT:
                # Only the resident's own reads, for "Råd till dig"; see guidance_suggestions.
                guidance_suggestions.record_read(session=db, resident_id=viewer.user_id, slug=slug)
                db.commit()
        # The variant asked for; else the reader's language where it exists; else Swedish.
        chosen = variants.get(wanted) or variants.get(locale) or variants.get("sv")
        self.found = chosen is not None
        self.variants, self.tasks = [], []
        if chosen is not None:
            self.article = article_view(chosen, locale=locale)
            shown = guidance_editor.variant_of(chosen)
            # A language is named in itself, so its readers recognise it whatever the page's.
            names = {
                "sv": ("Svenska", "sv"),
                "sv-lattlast": (gettext("sv", "Easy to read"), "sv"),
                "en": ("English", "en"),
            }
            self.variants = [
                VariantLink(
                    names[name][0],
                    f"{routes.article(slug)}?{VARIANT_PARAM}={name}",
                    names[name][1],
                )
                for name in ("sv", "sv-lattlast", "en")
                if name in variants and name != shown
            ]
            # Adding a task to one's own plan is for a signed-in resident.
            if viewer is not None and viewer.role is Role.RESIDENT:
                self.tasks = [
                    TaskTemplateLink(
                        task.title,
                        f"{routes.SELF_CARE_TASK_NEW}?artikel={slug}&mall={task.key}",
                    )
                    for task in guidance_content.templates_for(slug)
                ]
        self.loaded = True


class GuidanceSuggestionsState(rx.State):
    """ "Råd till dig" on Hem: for a signed-in resident, chosen by their own goals, what
    matters to them, their tasks and what they have not read (services/guidance_suggestions);
    anyone else gets the library's first articles."""

    suggestions: list[ArticleSummaryView] = []

    @rx.event
    async def load(self) -> None:
        viewer = current_viewer(self)
        require(viewer, Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self)
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
        self.suggestions = [article_summary_view(a, locale=locale) for a in found_articles]
