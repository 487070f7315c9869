"""An article as residents read it: the library page and the editor's preview share it."""

from __future__ import annotations

import reflex as rx

from naranara.states.session import t


def warning_box(warning_html: rx.Var[str]) -> rx.Component:
    """When to call 1177 or 112: a marked note with an icon, never styled away."""
    return rx.cond(
        warning_html != "",
        rx.el.aside(
            rx.el.h2(
                rx.icon("triangle-alert", size=24, aria_hidden="true"),
                t("When to seek care"),
                class_name="warning-box-title",
            ),
            rx.html(warning_html, class_name="article-body"),
            role="note",
            aria_label=t("When to seek care"),
            class_name="warning-box",
        ),
    )


def article_content(article: rx.Var, *heading_extra: rx.Component) -> rx.Component:
    """Title, summary, reading time, the warning box, the body and who reviewed it."""
    return rx.el.div(
        rx.cond(article.category != "", rx.el.p(article.category, class_name="eyebrow")),
        rx.el.h1(article.title),
        *heading_extra,
        rx.el.p(article.summary, class_name="lead"),
        rx.el.p(article.reading_time, class_name="muted"),
        warning_box(article.warning_html),
        rx.html(article.body_html, class_name="article-body"),
        rx.el.p(article.reviewed, class_name="muted small"),
        lang=article.lang,
        class_name="stack",
    )
