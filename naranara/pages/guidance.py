"""Egenvård: published self-care advice, open to everyone."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.cards import article_link_card
from naranara.components.layout import loading, page
from naranara.states.guidance import GuidanceArticleState, GuidanceLibraryState
from naranara.states.session import t


@page(routes.GUIDANCE, title="Egenvård", active_tab="self_care", on_load=GuidanceLibraryState.load)
def guidance_library() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Self-care advice")),
        rx.el.p(
            t("Advice from your region and municipality on taking care of your health at home."),
            class_name="lead",
        ),
        rx.cond(
            GuidanceLibraryState.loaded,
            rx.el.ul(
                rx.foreach(GuidanceLibraryState.articles, article_link_card), class_name="card-list"
            ),
            loading(),
        ),
        class_name="stack",
    )


@page(
    routes.GUIDANCE + "/[slug]",
    title="Egenvård",
    active_tab="self_care",
    on_load=GuidanceArticleState.load,
)
def guidance_article() -> rx.Component:
    return rx.cond(
        GuidanceArticleState.loaded,
        rx.cond(
            GuidanceArticleState.found,
            rx.el.article(
                rx.el.a(t("All self-care advice"), href=routes.GUIDANCE, class_name="back-link"),
                rx.el.h1(GuidanceArticleState.title),
                rx.el.p(GuidanceArticleState.summary, class_name="lead"),
                rx.el.p(GuidanceArticleState.reading_time, class_name="muted"),
                rx.html(GuidanceArticleState.body_html, class_name="article-body"),
                rx.el.p(GuidanceArticleState.reviewed, class_name="muted small"),
                class_name="stack",
            ),
            rx.el.div(
                rx.el.h1(t("We could not find that advice")),
                rx.el.a(t("All self-care advice"), href=routes.GUIDANCE, class_name="button"),
                class_name="stack",
            ),
        ),
        loading(),
    )
