"""Redaktion: staff write, review and publish self-care advice (staff only)."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.browser import in_browser
from naranara.components.forms import field, form_errors_notice, text_area, text_input
from naranara.components.guidance import article_content
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.states.guidance_editor import (
    CompanionLink,
    DiffRow,
    DriftRow,
    EditorRow,
    GuidanceEditorArticleState,
    GuidanceEditorState,
    VersionRow,
)
from naranara.states.session import t

S = GuidanceEditorArticleState


def _row(row: EditorRow) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(row.title, class_name="card-title"),
            rx.el.span(row.variant, class_name="muted"),
            rx.el.span(row.status, class_name="badge"),
            href=row.href,
            class_name="card card-link",
        )
    )


def _drift_row(row: DriftRow) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(row.title, class_name="card-title"),
            rx.el.span(row.note, class_name="muted"),
            href=row.href,
            class_name="card card-link",
        )
    )


def _drift() -> rx.Component:
    """Swedish articles reviewed after their lättläst or English versions."""
    return rx.cond(
        GuidanceEditorState.drift.length() > 0,
        rx.el.section(
            rx.el.h2(t("Versions that may need the same change"), id="drift-title"),
            rx.el.p(
                t(
                    "The Swedish text of these articles was reviewed after its easy-to-read"
                    " or English version. Open the article to see its versions."
                )
            ),
            rx.el.ul(rx.foreach(GuidanceEditorState.drift, _drift_row), class_name="card-list"),
            aria_labelledby="drift-title",
            class_name="stack versions-notice",
        ),
    )


@page(
    routes.GUIDANCE_EDITOR,
    title="Redaktion",
    private=True,
    on_load=GuidanceEditorState.load,
)
def guidance_editor() -> rx.Component:
    return rx.cond(
        GuidanceEditorState.loaded,
        rx.cond(
            GuidanceEditorState.allowed,
            rx.el.div(
                rx.el.h1(t("Self-care advice: editing")),
                rx.el.a(
                    t("New article or translation"),
                    href=routes.GUIDANCE_EDITOR_ARTICLE,
                    class_name="button",
                ),
                _drift(),
                rx.el.h2(t("All articles and versions"), id="all-title"),
                rx.el.ul(rx.foreach(GuidanceEditorState.rows, _row), class_name="card-list"),
                class_name="stack",
            ),
            rx.el.div(rx.el.h1(t("Self-care advice: editing")), nothing_for_you()),
        ),
        loading(),
    )


def _value(name: str) -> rx.Var:
    return S.values.get(name, "")


def _error(name: str) -> rx.Var:
    return S.errors.get(name, "")


def _select(field_id: str, label: str, options: rx.Component, **props) -> rx.Component:  # noqa: ANN003
    control = rx.el.select(
        options,
        id=field_id,
        name=field_id,
        default_value=_value(field_id),
        class_name="input",
        aria_invalid=rx.cond(_error(field_id) != "", "true", "false"),
        **props,
    )
    return field(field_id, t(label), control, error=_error(field_id))


def _measuring(field_id: str):  # noqa: ANN202 - an event handler for on_change
    # After a short pause in typing, not at every key: the figure follows the text.
    return lambda value: S.measure(field_id, value).debounce(600)


def _readability() -> rx.Component:
    """LIX of the summary, warning and text as they stand, for Swedish and lättläst."""
    return rx.cond(
        S.lix_shown,
        rx.el.div(
            rx.el.p(t("Readability (LIX)"), class_name="label", id="readability-title"),
            rx.cond(
                S.lix_figure != "",
                rx.el.p(
                    rx.el.span(S.lix_figure, class_name="lix-figure"),
                    " ",
                    rx.el.span(S.lix_band_label, class_name="badge lix-" + S.lix_band),
                    role="status",
                    class_name="lix",
                ),
            ),
            rx.el.p(S.lix_detail, class_name="muted"),
            rx.cond(S.lix_target != "", rx.el.p(S.lix_target, class_name="lix-target")),
            rx.el.p(
                t(
                    "Counted on the summary, the warning and the text. Under 30 is easy,"
                    " 30 to 39 medium, 40 or more hard."
                ),
                class_name="muted small",
            ),
            aria_labelledby="readability-title",
            role="group",
            class_name="card readability",
        ),
    )


def _companion(link: CompanionLink) -> rx.Component:
    return rx.el.li(
        rx.cond(
            link.href != "",
            rx.el.a(
                rx.el.span(link.label, ": ", link.title, class_name="card-title"),
                rx.el.span(link.note, class_name="muted"),
                href=link.href,
                class_name="card card-link",
            ),
            rx.el.div(
                rx.el.span(link.label, class_name="card-title"),
                rx.el.span(link.note, class_name="muted"),
                class_name="card",
            ),
        )
    )


def _companions() -> rx.Component:
    """A Swedish article's lättläst and English versions, and whether they need the change."""
    return rx.cond(
        S.companions.length() > 0,
        rx.el.section(
            rx.el.h2(t("Other versions"), id="companions-title"),
            rx.el.p(S.companions_intro),
            rx.el.ul(rx.foreach(S.companions, _companion), class_name="card-list"),
            aria_labelledby="companions-title",
            class_name=rx.cond(S.companions_attention, "stack versions-notice", "stack"),
        ),
    )


def _form() -> rx.Component:
    return rx.el.form(
        form_errors_notice(S.form_error, notice_id="editor-error"),
        rx.cond(
            S.creating,
            rx.fragment(
                text_input(
                    "slug",
                    t("Address name (slug)"),
                    default_value=_value("slug"),
                    hint=t("Lowercase letters, digits and hyphens. The same for every language."),
                    error=_error("slug"),
                    max_length=100,
                ),
                _select(
                    "variant",
                    N_("Language version"),
                    rx.fragment(
                        rx.el.option(t("Swedish"), value="sv"),
                        rx.el.option(t("Easy-to-read Swedish"), value="sv-lattlast"),
                        rx.el.option(t("English"), value="en"),
                    ),
                    on_change=lambda value: S.measure("variant", value),
                ),
            ),
            rx.fragment(
                rx.el.input(type="hidden", name="slug", value=_value("slug")),
                rx.el.input(type="hidden", name="variant", value=_value("variant")),
            ),
        ),
        text_input("title", t("Title"), default_value=_value("title"), error=_error("title")),
        text_area(
            "summary",
            t("Summary"),
            default_value=_value("summary"),
            error=_error("summary"),
            rows=2,
            on_change=_measuring("summary"),
        ),
        _select(
            "category",
            N_("Category"),
            rx.foreach(S.categories, lambda c: rx.el.option(c[1], value=c[0])),
        ),
        text_input(
            "reading_minutes",
            t("Reading time in minutes"),
            default_value=_value("reading_minutes"),
            error=_error("reading_minutes"),
            input_mode="numeric",
        ),
        text_input(
            "responsible_unit",
            t("Responsible unit"),
            default_value=_value("responsible_unit"),
            error=_error("responsible_unit"),
        ),
        text_input(
            "reviewed_on",
            t("Reviewed on"),
            default_value=_value("reviewed_on"),
            error=_error("reviewed_on"),
            type="date",
        ),
        text_area(
            "warning_markdown",
            t("When to call 1177 or 112 (Markdown)"),
            default_value=_value("warning_markdown"),
            error=_error("warning_markdown"),
            rows=3,
            on_change=_measuring("warning_markdown"),
        ),
        text_area(
            "body_markdown",
            t("Text (Markdown)"),
            default_value=_value("body_markdown"),
            error=_error("body_markdown"),
            rows=12,
            on_change=_measuring("body_markdown"),
        ),
        _readability(),
        rx.el.div(
            rx.el.button(t("Save draft"), type="submit", class_name="button"),
            rx.el.a(t("Back"), href=routes.GUIDANCE_EDITOR, class_name="button button-secondary"),
            class_name="actions",
        ),
        key=S.form_key,
        on_submit=S.save,
        no_validate=True,
        class_name="stack form",
    )


def _send_back_button() -> rx.Component:
    return rx.el.button(
        t("Send back as a draft"),
        type="button",
        on_click=S.return_to_draft,
        class_name="button button-secondary",
    )


def _workflow() -> rx.Component:
    return rx.el.section(
        rx.el.h2(t("Status"), ": ", S.status_label, id="workflow-title"),
        rx.cond(
            S.status == "draft",
            rx.el.button(
                t("Send for review"),
                type="button",
                on_click=S.submit_for_review,
                class_name="button",
            ),
        ),
        rx.cond(
            S.status == "in_review",
            # Four eyes: the policy decides who is offered "Approve and publish"; whoever
            # wrote or last changed the text sees why not, and may still take it back.
            rx.cond(
                S.may_publish,
                rx.el.form(
                    text_input(
                        "publish_at",
                        t("Publish later (optional)"),
                        type="datetime-local",
                        hint=t("Leave empty to publish now."),
                    ),
                    rx.el.div(
                        rx.el.button(t("Approve and publish"), type="submit", class_name="button"),
                        _send_back_button(),
                        class_name="actions",
                    ),
                    on_submit=S.publish,
                    class_name="stack",
                ),
                rx.el.div(
                    rx.el.p(
                        t(
                            "You wrote or changed this text, so someone else must review "
                            "and publish it."
                        ),
                        class_name="notice",
                    ),
                    rx.el.div(_send_back_button(), class_name="actions"),
                    class_name="stack",
                ),
            ),
        ),
        rx.cond(
            S.status == "scheduled",
            rx.el.button(
                t("Send back as a draft"),
                type="button",
                on_click=S.return_to_draft,
                class_name="button button-secondary",
            ),
        ),
        rx.cond(
            S.published,
            rx.el.button(
                t("Unpublish"),
                type="button",
                on_click=S.unpublish,
                class_name="button button-danger",
            ),
        ),
        aria_labelledby="workflow-title",
        class_name="stack card",
    )


def _image_upload() -> rx.Component:
    # A plain multipart form to the upload route, which comes back here with the address.
    return rx.el.section(
        rx.el.h2(t("Add an image"), id="image-title"),
        rx.cond(
            S.image_error != "",
            rx.el.p(S.image_error, role="alert", class_name="notice notice-error"),
        ),
        rx.cond(
            S.image_markdown != "",
            rx.el.div(
                rx.el.p(t("Paste this line into the text where the image should be:")),
                rx.el.code(S.image_markdown, class_name="image-markdown"),
                class_name="notice",
                role="status",
            ),
        ),
        rx.el.form(
            field(
                "image-file",
                t("Image (PNG, JPEG or WebP, at most 2 MB)"),
                rx.el.input(
                    id="image-file",
                    name="bild",
                    type="file",
                    accept="image/png,image/jpeg,image/webp",
                    class_name="input",
                ),
            ),
            rx.el.button(t("Upload the image"), type="submit", class_name="button"),
            action=routes.GUIDANCE_EDITOR + "/bild?artikel=" + S.article_id.to(str),
            method="post",
            enc_type="multipart/form-data",
            # Reflex's forms stop the browser's own submit; the browser sends the file.
            on_submit=in_browser("submitForm", "image-form"),
            id="image-form",
            class_name="stack",
        ),
        aria_labelledby="image-title",
        class_name="stack card",
    )


def _version(row: VersionRow) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.span(t("Version"), " ", row.number, ": ", row.status, class_name="card-title"),
            rx.el.span(row.when, class_name="muted"),
            rx.el.div(
                rx.el.button(
                    t("Show changes"),
                    type="button",
                    on_click=S.show_diff(row.id),
                    class_name="button button-secondary",
                ),
                rx.el.button(
                    t("Restore"),
                    type="button",
                    on_click=S.restore(row.id),
                    class_name="button button-secondary",
                ),
                class_name="actions",
            ),
            class_name="card stack",
        )
    )


def _diff_line(line: DiffRow) -> rx.Component:
    # Text nodes, never markup: whatever the versions hold is shown as written.
    return rx.el.div(
        rx.match(line.kind, ("added", "+ "), ("removed", "− "), "  "),
        line.text,
        class_name="diff-line diff-" + line.kind,
    )


@page(
    routes.GUIDANCE_EDITOR_ARTICLE,
    title="Redaktion",
    private=True,
    on_load=GuidanceEditorArticleState.load,
)
def guidance_editor_article() -> rx.Component:
    return rx.cond(
        S.loaded,
        rx.cond(
            S.allowed,
            rx.el.div(
                rx.el.a(t("All articles"), href=routes.GUIDANCE_EDITOR, class_name="back-link"),
                rx.el.h1(rx.cond(S.creating, t("New article"), t("Edit the article"))),
                rx.cond(S.message != "", rx.el.p(S.message, role="status", class_name="notice")),
                _companions(),
                rx.cond(S.creating, rx.fragment(), _workflow()),
                _form(),
                rx.cond(
                    S.creating,
                    rx.fragment(),
                    rx.fragment(
                        _image_upload(),
                        rx.el.section(
                            rx.el.h2(t("Preview, as residents see it"), id="preview-title"),
                            rx.el.div(article_content(S.preview), class_name="preview-frame"),
                            aria_labelledby="preview-title",
                            class_name="stack",
                        ),
                        rx.el.section(
                            rx.el.h2(t("Version history"), id="history-title"),
                            rx.el.ul(rx.foreach(S.versions, _version), class_name="card-list"),
                            rx.cond(
                                S.diff_title != "",
                                rx.el.div(
                                    rx.el.h3(S.diff_title),
                                    rx.el.div(rx.foreach(S.diff, _diff_line), class_name="diff"),
                                    class_name="stack",
                                ),
                            ),
                            aria_labelledby="history-title",
                            class_name="stack",
                        ),
                    ),
                ),
                class_name="stack",
            ),
            rx.el.div(rx.el.h1(t("Self-care advice: editing")), nothing_for_you()),
        ),
        loading(),
    )
