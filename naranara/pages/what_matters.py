"""Vad är viktigt för dig?: overview, guided fill, history and a printable summary."""

from __future__ import annotations

import reflex as rx

from naranara import routes
from naranara.components.browser import in_browser
from naranara.components.cards import section
from naranara.components.forms import text_area, text_input
from naranara.components.layout import loading, nothing_for_you, page
from naranara.i18n import N_
from naranara.services import profile
from naranara.states.session import t
from naranara.states.views import (
    ProfileConflictView,
    ProfileHistoryView,
    ProfileItemView,
    ProfileSectionView,
)
from naranara.states.what_matters import QUESTIONS, WhatMattersState

# What each single-text question asks, as the label of its text field.
_QUESTIONS = {
    "important_to_me": N_("What matters most to you in your life right now?"),
    "gives_me_energy": N_("What makes you happy and gives you strength?"),
    "worries_me": N_("Is there anything that worries you?"),
    "my_goals": N_("What would you like to be able to do? Big or small goals."),
    "important_people": N_(
        "Who are the important people in your life? You can write how to reach them."
    ),
}


def _status() -> rx.Component:
    # Always on the page, so a screen reader announces each new status politely.
    return rx.el.p(
        WhatMattersState.save_message,
        role="status",
        aria_live="polite",
        class_name=rx.cond(
            WhatMattersState.save_state == "error", "save-status save-status-error", "save-status"
        ),
    )


def _autosaved(field: str) -> dict:
    """Save when the field loses focus, and after a pause in typing."""
    return {
        "key": WhatMattersState.field_keys[field],
        "on_blur": lambda value: WhatMattersState.save_text(field, value),
        "on_change": lambda value: WhatMattersState.save_text(field, value).debounce(1500),
    }


def _text(field: str, label: str, *, rows: int = 5) -> rx.Component:
    return text_area(
        f"wm-{field}",
        t(label),
        name=field,
        default_value=WhatMattersState.drafts[field],
        error=WhatMattersState.errors[field],
        rows=rows,
        **_autosaved(field),
    )


def _line(field: str, label: str) -> rx.Component:
    return text_input(
        f"wm-{field}",
        t(label),
        name=field,
        default_value=WhatMattersState.drafts[field],
        error=WhatMattersState.errors[field],
        **_autosaved(field),
    )


def _choices(field: str) -> rx.Component:
    options = profile.CHOICE_FIELDS[field]
    return rx.el.fieldset(
        rx.el.legend(t(profile.FIELD_LABELS[field]), class_name="label"),
        rx.el.div(
            *[
                rx.el.button(
                    t(profile.CHOICE_LABELS[option]),
                    type="button",
                    aria_pressed=rx.cond(
                        WhatMattersState.choices[field].contains(option.value), "true", "false"
                    ),
                    on_click=WhatMattersState.toggle_choice(field, option.value),
                    class_name="choice",
                )
                for option in options
            ],
            class_name="choices",
        ),
        class_name="fieldset",
    )


def _interpreter() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(t("I need an interpreter"), class_name="label"),
        rx.el.div(
            *[
                rx.el.button(
                    t(label),
                    type="button",
                    aria_pressed=rx.cond(
                        WhatMattersState.needs_interpreter == value, "true", "false"
                    ),
                    on_click=WhatMattersState.set_interpreter(value),
                    class_name="choice",
                )
                for value, label in ((True, N_("Yes")), (False, N_("No")))
            ],
            class_name="choices",
        ),
        class_name="fieldset",
    )


def _question_body(key: str) -> rx.Component:
    fields = profile.SECTIONS[key]
    if len(fields) == 1:
        return _text(fields[0], _QUESTIONS[fields[0]], rows=7)
    if key == "contact":
        return rx.el.div(
            _choices("contact_channels"),
            _choices("contact_times"),
            _text("contact_notes", N_("More about contacting me"), rows=3),
            class_name="stack",
        )
    if key == "language":
        return rx.el.div(
            _line("languages", N_("Languages I speak")),
            _interpreter(),
            _line("interpreter_language", N_("Interpreter for the language")),
            class_name="stack",
        )
    return rx.el.div(
        _choices("aids"),
        _text("aids_notes", N_("More about my aids and needs"), rows=4),
        class_name="stack",
    )


def _conflict(conflict: ProfileConflictView) -> rx.Component:
    return rx.el.div(
        rx.el.h2(conflict.label),
        rx.el.p(t("This was changed on another device. Choose which text to keep.")),
        rx.el.div(
            rx.el.div(
                rx.el.h3(t("Saved text")),
                rx.el.p(conflict.saved_text, class_name="user-text"),
                class_name="conflict-text",
            ),
            rx.el.div(
                rx.el.h3(t("Your text")),
                rx.el.p(conflict.my_text, class_name="user-text"),
                class_name="conflict-text",
            ),
            class_name="stack",
        ),
        rx.el.div(
            rx.el.button(
                t("Keep my text"),
                type="button",
                on_click=WhatMattersState.keep_mine(conflict.field),
                class_name="button",
            ),
            rx.el.button(
                t("Use the saved one"),
                type="button",
                on_click=WhatMattersState.use_saved(conflict.field),
                class_name="button button-secondary",
            ),
            class_name="actions",
        ),
        role="group",
        aria_label=conflict.label,
        class_name="card notice-conflict stack",
    )


def _conflicts() -> rx.Component:
    return rx.el.div(rx.foreach(WhatMattersState.conflicts, _conflict), class_name="stack")


def _guide_navigation() -> rx.Component:
    number = WhatMattersState.question
    return rx.el.div(
        rx.cond(
            number > 1,
            rx.el.button(
                t("Back"),
                type="button",
                on_click=WhatMattersState.show_question(number - 1),
                class_name="button button-secondary",
            ),
        ),
        rx.cond(
            number < QUESTIONS,
            rx.fragment(
                rx.el.button(
                    t("Skip"),
                    type="button",
                    on_click=WhatMattersState.show_question(number + 1),
                    class_name="button button-secondary",
                ),
                rx.el.button(
                    t("Next"),
                    type="button",
                    on_click=WhatMattersState.show_question(number + 1),
                    class_name="button",
                ),
            ),
            rx.el.a(t("Done"), href=routes.WHAT_MATTERS, class_name="button"),
        ),
        class_name="actions guide-actions",
    )


def _guide() -> rx.Component:
    return rx.el.div(
        rx.el.p(WhatMattersState.question_label, class_name="muted"),
        rx.el.progress(
            value=WhatMattersState.question,
            max=QUESTIONS,
            aria_label=WhatMattersState.question_label,
            class_name="progress",
        ),
        rx.match(
            WhatMattersState.question,
            *[
                (
                    number,
                    rx.el.div(
                        rx.el.h1(t(profile.SECTION_TITLES[key]), id="question-title", tab_index=-1),
                        _question_body(key),
                        class_name="stack",
                    ),
                )
                for number, key in enumerate(profile.SECTIONS, start=1)
            ],
            rx.fragment(),
        ),
        _status(),
        _conflicts(),
        _guide_navigation(),
        rx.el.p(
            t("Everything is saved as you write. You can change it later."), class_name="muted"
        ),
        class_name="stack",
    )


def _only_when_allowed(content: rx.Component, *, editing: bool = False) -> rx.Component:
    return rx.cond(
        WhatMattersState.loaded,
        rx.cond(
            WhatMattersState.can_edit if editing else WhatMattersState.allowed,
            content,
            rx.el.div(rx.el.h1(t("What matters to you?")), nothing_for_you(), class_name="stack"),
        ),
        loading(),
    )


@page(
    routes.WHAT_MATTERS_GUIDE,
    title="Fyll i – Vad är viktigt för dig?",
    private=True,
    on_load=WhatMattersState.load,
)
def what_matters_guide() -> rx.Component:
    return _only_when_allowed(_guide(), editing=True)


def _item(item: ProfileItemView) -> rx.Component:
    return rx.el.div(
        rx.cond(item.label != "", rx.el.p(item.label, class_name="label")),
        rx.el.p(item.text, class_name="user-text"),
    )


def _section_card(item: ProfileSectionView) -> rx.Component:
    return rx.el.section(
        rx.el.div(
            rx.el.h2(item.title, class_name="card-title", id="section-" + item.key),
            rx.cond(
                WhatMattersState.can_edit,
                rx.el.a(
                    t("Change"),
                    rx.el.span(" – ", item.title, class_name="visually-hidden"),
                    href=routes.WHAT_MATTERS_GUIDE + "?fraga=" + item.number.to_string(),
                    class_name="more-link",
                ),
            ),
            class_name="card-head",
        ),
        rx.cond(
            item.lines.length() > 0,
            rx.el.div(rx.foreach(item.lines, _item), class_name="stack"),
            rx.el.p(t("Nothing filled in yet."), class_name="muted"),
        ),
        aria_labelledby="section-" + item.key,
        class_name="card stack",
    )


def _sharing() -> rx.Component:
    return section(
        t("Share with my care contacts"),
        rx.el.p(
            t(
                "If you share, your fixed care contacts can read what you have written here, "
                "for example before a visit. They cannot change it. You can stop sharing at any time."
            )
        ),
        rx.el.div(
            *[
                rx.el.button(
                    t(label),
                    type="button",
                    aria_pressed=rx.cond(WhatMattersState.shared == value, "true", "false"),
                    on_click=WhatMattersState.set_shared(value),
                    class_name="choice",
                )
                for value, label in ((True, N_("Yes, share")), (False, N_("No, only for me")))
            ],
            role="group",
            aria_label=t("Share with my care contacts"),
            class_name="choices",
        ),
        heading_id="sharing",
    )


def _overview() -> rx.Component:
    return rx.el.div(
        rx.el.h1(WhatMattersState.heading),
        rx.cond(
            WhatMattersState.can_edit,
            rx.el.div(
                rx.el.p(
                    t(
                        "You are the expert on your own life. Tell the people who help you "
                        "what matters to you, in your own words. Every part is optional."
                    ),
                    class_name="lead",
                ),
                rx.el.a(
                    t("Fill in step by step"),
                    href=routes.WHAT_MATTERS_GUIDE,
                    class_name="button",
                ),
                class_name="stack",
            ),
            rx.el.p(t("Written by the resident, in their own words."), class_name="lead"),
        ),
        _status(),
        rx.el.div(rx.foreach(WhatMattersState.sections, _section_card), class_name="stack"),
        rx.cond(WhatMattersState.can_edit, _sharing()),
        rx.el.div(
            rx.el.a(
                t("Summary to print"),
                href=routes.WHAT_MATTERS_SUMMARY
                + rx.cond(
                    WhatMattersState.can_edit,
                    "",
                    "?invanare=" + WhatMattersState.subject_id.to_string(),
                ),
                class_name="more-link",
            ),
            rx.cond(
                WhatMattersState.can_edit,
                rx.el.a(
                    t("What has changed"), href=routes.WHAT_MATTERS_HISTORY, class_name="more-link"
                ),
            ),
            class_name="actions",
        ),
        class_name="stack",
    )


@page(
    routes.WHAT_MATTERS,
    title="Vad är viktigt för dig?",
    private=True,
    on_load=WhatMattersState.load,
)
def what_matters() -> rx.Component:
    return _only_when_allowed(_overview())


def _history_entry(entry: ProfileHistoryView) -> rx.Component:
    return rx.el.li(
        rx.el.p(rx.el.strong(entry.when)),
        rx.el.p(rx.el.span(t("Changed by"), ": ", class_name="label"), entry.who),
        rx.foreach(entry.changes, _item),
        class_name="card stack",
    )


@page(
    routes.WHAT_MATTERS_HISTORY,
    title="Ändringar – Vad är viktigt för dig?",
    private=True,
    on_load=WhatMattersState.load_history,
)
def what_matters_history() -> rx.Component:
    return _only_when_allowed(
        rx.el.div(
            rx.el.h1(t("What has changed")),
            rx.el.p(t("Every time your profile was saved, newest first."), class_name="lead"),
            rx.cond(
                WhatMattersState.history.length() > 0,
                rx.el.ol(
                    rx.foreach(WhatMattersState.history, _history_entry), class_name="card-list"
                ),
                rx.el.p(t("Nothing has been saved yet.")),
            ),
            rx.el.a(t("Back to your profile"), href=routes.WHAT_MATTERS, class_name="back-link"),
            class_name="stack",
        )
    )


def _summary_section(item: ProfileSectionView) -> rx.Component:
    return rx.el.section(
        rx.el.h2(item.title),
        rx.foreach(item.lines, _item),
        class_name="summary-section stack",
    )


@page(
    routes.WHAT_MATTERS_SUMMARY,
    title="Det här är viktigt för mig",
    private=True,
    on_load=WhatMattersState.load_summary,
)
def what_matters_summary() -> rx.Component:
    return _only_when_allowed(
        rx.el.article(
            rx.el.h1(t("This is important to me")),
            rx.el.p(
                rx.el.strong(WhatMattersState.subject_name),
                rx.cond(
                    (WhatMattersState.subject_name != "")
                    & (WhatMattersState.summary_updated != ""),
                    " · ",
                    "",
                ),
                WhatMattersState.summary_updated,
                class_name="muted",
            ),
            rx.el.div(
                rx.el.button(
                    t("Print"),
                    type="button",
                    on_click=in_browser("print"),
                    class_name="button",
                ),
                rx.el.a(
                    t("Download as PDF"),
                    href=WhatMattersState.pdf_url,
                    download="viktigt-for-mig.pdf",
                    class_name="button button-secondary",
                ),
                class_name="actions no-print",
            ),
            rx.cond(
                WhatMattersState.sections.length() > 0,
                rx.el.div(
                    rx.foreach(WhatMattersState.sections, _summary_section), class_name="stack"
                ),
                rx.el.p(t("Nothing has been filled in yet.")),
            ),
            rx.cond(
                WhatMattersState.can_edit,
                rx.el.a(
                    t("Back to your profile"),
                    href=routes.WHAT_MATTERS,
                    class_name="back-link no-print",
                ),
            ),
            class_name="stack summary-page",
        )
    )
