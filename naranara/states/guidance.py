"""Egenvård: the public library of published self-care guidance."""

from __future__ import annotations

import reflex as rx

from naranara import i18n
from naranara.db import session_scope
from naranara.policy import Action, require
from naranara.services import guidance
from naranara.states.session import SessionState, current_viewer
from naranara.states.views import ArticleSummaryView, article_summary_view, reviewed_text


async def _reader_locale(state: rx.State) -> str:
    """Guidance is public: the reader's language comes from the account or the cookie."""
    viewer = current_viewer(state)
    if viewer is not None:
        return viewer.locale
    session_state = await state.get_state(SessionState)
    return i18n.normalise_locale(session_state.language_cookie)


class GuidanceLibraryState(rx.State):
    loaded: bool = False
    articles: list[ArticleSummaryView] = []

    @rx.event
    async def load(self) -> None:
        require(current_viewer(self), Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self)
        with session_scope() as db:
            found = guidance.published_articles(session=db, locale=locale)
        self.articles = [article_summary_view(article, locale=locale) for article in found]
        self.loaded = True


class GuidanceArticleState(rx.State):
    loaded: bool = False
    found: bool = False
    title: str = ""
    summary: str = ""
    body_html: str = ""
    reviewed: str = ""
    reading_time: str = ""

    @rx.event
    async def load(self) -> None:
        require(current_viewer(self), Action.READ_PUBLISHED_GUIDANCE)
        locale = await _reader_locale(self)
        # The page is /egenvard/<slug>; the slug is the last part of the path.
        slug = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        with session_scope() as db:
            article = guidance.article_by_slug(session=db, slug=slug[:100], locale=locale)
        self.found = article is not None
        if article is not None:
            summary = article_summary_view(article, locale=locale)
            self.title = summary.title
            self.summary = summary.summary
            self.reading_time = summary.reading_time
            self.body_html = guidance.render_markdown(article.body_markdown)
            self.reviewed = reviewed_text(article, locale=locale)
        self.loaded = True
