"""Egenvård: published self-care advice, open to everyone: the library, search and articles."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.browser import in_browser
from naranara.components.guidance import article_card, article_content, versions_line
from naranara.components.layout import loading, page
from naranara.models import Role
from naranara.states.guidance import (
    QUERY_PARAM,
    CategoryLink,
    GuidanceArticleState,
    GuidanceLibraryState,
    TaskTemplateLink,
)
from naranara.states.session import SessionState, t


def _search_form() -> rx.Component:
    # A plain GET form: the results have their own address (?q=) and survive a reload.
    return rx.el.form(
        rx.el.label(t("Search the advice"), html_for="guidance-search"),
        rx.el.div(
            rx.el.input(
                id="guidance-search",
                name=QUERY_PARAM,
                type="search",
                default_value=GuidanceLibraryState.query,
                key=GuidanceLibraryState.query,
                class_name="input",
                autocomplete="off",
                enter_key_hint="search",
                max_length=200,
            ),
            rx.el.button(t("Search"), type="submit", class_name="button"),
            class_name="search-row",
        ),
        action=routes.GUIDANCE,
        method="get",
        # Reflex's forms stop the browser's own submit; this hands it back to the browser.
        on_submit=in_browser("submitForm", "guidance-search-form"),
        id="guidance-search-form",
        role="search",
        class_name="stack search-form",
    )


def _category_link(category: CategoryLink) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            category.label,
            href=category.href,
            aria_current=rx.cond(category.current, "page", ""),
            class_name=rx.cond(category.current, "chip chip-current", "chip"),
        )
    )


def _own_self_care_links() -> rx.Component:
    """A resident's own tasks and measurements sit next to the advice they come from."""
    return rx.cond(
        SessionState.role == Role.RESIDENT.value,
        rx.el.nav(
            rx.el.a(t("My self-care"), href=routes.SELF_CARE_PLAN, class_name="button"),
            rx.el.a(
                t("Measurements"), href=routes.MEASUREMENTS, class_name="button button-secondary"
            ),
            aria_label=t("Your own self-care"),
            class_name="actions",
        ),
    )


@page(routes.GUIDANCE, title="Egenvård", active_tab="self_care", on_load=GuidanceLibraryState.load)
def guidance_library() -> rx.Component:
    return rx.el.div(
        rx.el.h1(t("Self-care advice")),
        rx.el.p(
            t("Advice from your region and municipality on taking care of your health at home."),
            class_name="lead",
        ),
        _search_form(),
        rx.el.nav(
            rx.el.ul(
                rx.foreach(GuidanceLibraryState.categories, _category_link),
                class_name="chips chips-scroll",
            ),
            aria_label=t("Categories"),
        ),
        rx.cond(
            GuidanceLibraryState.loaded,
            rx.el.section(
                # Here, not above the search: they come with the list in place of
                # "Hämtar…", so nothing already on screen moves when they arrive.
                _own_self_care_links(),
                rx.cond(
                    GuidanceLibraryState.heading != "",
                    rx.el.h2(GuidanceLibraryState.heading, role="status"),
                ),
                rx.cond(
                    GuidanceLibraryState.articles.length() > 0,
                    rx.el.ul(
                        rx.foreach(GuidanceLibraryState.articles, article_card),
                        class_name="card-list",
                    ),
                    rx.el.p(t("No advice matched. Try another word."), class_name="muted"),
                ),
                class_name="stack",
            ),
            loading(),
        ),
        class_name="stack",
    )


def _task_link(task: TaskTemplateLink) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.span(task.title, class_name="card-title", lang=task.lang),
            rx.el.a(t("Add to my self-care"), href=task.href, class_name="button"),
            class_name="card stack",
        )
    )


def _keep_offline() -> rx.Component:
    """ "Spara för att läsa utan nät": a toggle that assets/offline.js answers in the
    browser (the article goes into the device's own cache; the server keeps nothing)."""
    return rx.el.div(
        rx.el.button(
            rx.icon("download", size=20, aria_hidden="true"),
            t("Save to read offline"),
            type="button",
            aria_pressed="false",
            custom_attrs={"data-keep-article": ""},
            class_name="choice",
        ),
        rx.el.p(
            role="status", class_name="muted", custom_attrs={"data-offline-article-status": ""}
        ),
        custom_attrs={
            "data-offline-article": GuidanceArticleState.offline_path,
            "data-text-saved": t("Saved on this phone: you can read it without a connection."),
            "data-text-removed": t("Removed from this phone."),
            "data-text-failed": t(
                "It could not be saved without a connection. Try again when you have one."
            ),
            "data-text-unsupported": t("This browser cannot keep articles."),
        },
        class_name="stack keep-offline",
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
                rx.cond(
                    GuidanceArticleState.variants.length() > 0,
                    rx.el.nav(
                        versions_line(GuidanceArticleState.variants, t("Read this advice in:")),
                        aria_label=t("Versions of this advice"),
                    ),
                ),
                article_content(GuidanceArticleState.article),
                _keep_offline(),
                rx.cond(
                    GuidanceArticleState.tasks.length() > 0,
                    rx.el.section(
                        rx.el.h2(t("Make it part of your day"), id="article-tasks"),
                        rx.el.ul(
                            rx.foreach(GuidanceArticleState.tasks, _task_link),
                            class_name="card-list",
                        ),
                        aria_labelledby="article-tasks",
                        class_name="stack",
                    ),
                ),
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
