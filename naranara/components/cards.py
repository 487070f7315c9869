"""Cards and small building blocks used on several pages."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from naranara import routes
from naranara.states.session import t
from naranara.states.views import AgreedTimeView, ArticleSummaryView


def section(title: rx.Var | str, *children: rx.Component, heading_id: str) -> rx.Component:
    return rx.el.section(
        rx.el.h2(title, id=heading_id),
        *children,
        aria_labelledby=heading_id,
        class_name="section",
    )


def agreed_time_card(item: AgreedTimeView) -> rx.Component:
    # One parameter only: rx.foreach passes the index to a function that takes two.
    return agreed_time_card_with_actions(item, None)


def agreed_time_card_with_actions(
    item: AgreedTimeView, actions: Callable[[AgreedTimeView], rx.Component] | None
) -> rx.Component:
    """One agreed time; ``actions`` adds the page's buttons (calendar, change, cancel)."""
    return rx.el.article(
        rx.el.div(
            rx.el.h3(item.purpose, class_name="card-title"),
            rx.cond(
                item.status != "planned",
                rx.el.span(item.status_label, class_name="badge badge-" + item.status),
            ),
            class_name="card-head",
        ),
        rx.el.p(
            rx.el.strong(item.when, class_name=rx.cond(item.status == "cancelled", "struck", "")),
            " – ",
            item.until,
            class_name="when",
        ),
        rx.el.p(item.relative, class_name="muted"),
        rx.cond(
            item.with_whom != "",
            rx.el.p(rx.el.span(t("With"), ": ", class_name="label"), item.with_whom),
        ),
        rx.cond(
            item.place != "",
            rx.el.p(
                rx.el.span(t("Where"), ": ", class_name="label"),
                item.place,
                rx.cond(item.address != "", rx.el.span(", ", item.address)),
            ),
        ),
        rx.cond(
            item.prepare != "",
            rx.el.p(rx.el.span(t("Before the visit"), ": ", class_name="label"), item.prepare),
        ),
        rx.cond(
            item.meeting_url != "",
            rx.el.p(
                rx.el.a(
                    t("Open the meeting link"),
                    href=item.meeting_url,
                    target="_blank",
                    rel="noopener noreferrer",
                    class_name="more-link",
                )
            ),
        ),
        rx.cond(item.change_note != "", rx.el.p(item.change_note, class_name="change-note")),
        rx.cond(item.source != "", rx.el.p(item.source, class_name="muted small")),
        actions(item) if actions else rx.fragment(),
        class_name="card",
    )


def article_link_card(article: ArticleSummaryView) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(article.title, class_name="card-title"),
            rx.el.span(article.summary, class_name="summary"),
            rx.el.span(article.reading_time, class_name="muted"),
            href=routes.GUIDANCE + "/" + article.slug,
            class_name="card card-link",
        )
    )
