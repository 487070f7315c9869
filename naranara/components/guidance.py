"""An article as residents read it: the library page and the editor's preview share it;
and which versions of it there are (Svenska, Lättläst, English)."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.states.session import t
from naranara.states.views import ArticleSummaryView, VersionLink


def warning_box(warning_html: rx.Var[str], lang: rx.Var[str] | str = "sv") -> rx.Component:
    """When to call 1177 or 112: a marked note with an icon, never styled away. Its heading
    is in the page's language, the advice in the article's (``lang``)."""
    return rx.cond(
        warning_html != "",
        rx.el.aside(
            rx.el.h2(
                rx.icon("triangle-alert", size=24, aria_hidden="true"),
                t("When to seek care"),
                class_name="warning-box-title",
            ),
            rx.html(warning_html, class_name="article-body", lang=lang),
            role="note",
            aria_label=t("When to seek care"),
            class_name="warning-box",
        ),
    )


def article_content(article: rx.Var, *heading_extra: rx.Component) -> rx.Component:
    """Title, summary, reading time, the warning box, the body and who reviewed it.

    The article's own words carry its language; what Nära says around them (category,
    reading time, "När du ska söka vård") stays in the page's, so a screen reader reads
    each in the right voice when an English article sits in a Swedish page.
    """
    return rx.el.div(
        rx.cond(article.category != "", rx.el.p(article.category, class_name="eyebrow")),
        rx.el.h1(article.title, lang=article.lang),
        *heading_extra,
        rx.el.p(article.summary, class_name="lead", lang=article.lang),
        rx.el.p(article.reading_time, class_name="muted"),
        warning_box(article.warning_html, article.lang),
        rx.html(article.body_html, class_name="article-body", lang=article.lang),
        rx.el.p(article.reviewed, class_name="muted small"),
        class_name="stack",
    )


def _version(version: VersionLink) -> rx.Component:
    # Named in its own language (lang), linked unless it is the one on screen.
    return rx.el.li(
        rx.cond(
            version.current,
            rx.el.span(
                rx.icon("check", size=18, aria_hidden="true"),
                version.label,
                lang=version.lang,
                aria_current="true",
                class_name="version version-current",
            ),
            rx.el.a(version.label, href=version.href, lang=version.lang, class_name="version"),
        )
    )


def versions_line(versions: rx.Var[list[VersionLink]], label: rx.Var[str]) -> rx.Component:
    """ "Finns också som: Lättläst · English" — nothing when there is only the one version."""
    return rx.cond(
        versions.length() > 0,
        rx.el.div(
            rx.el.span(label, class_name="versions-label"),
            rx.el.ul(rx.foreach(versions, _version), class_name="versions-list"),
            class_name="versions",
        ),
    )


def article_card(article: ArticleSummaryView) -> rx.Component:
    """An article in the library: the card opens it; its other versions are links of their
    own beside it (a link inside a link would be neither)."""
    return rx.el.li(
        rx.el.a(
            rx.el.span(article.title, class_name="card-title"),
            rx.el.span(article.summary, class_name="summary"),
            rx.el.span(article.reading_time, class_name="muted"),
            href=routes.GUIDANCE + "/" + article.slug,
            class_name="card-link card-link-block",
        ),
        versions_line(article.versions, t("Also available as:")),
        class_name="card",
    )
