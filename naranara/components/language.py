"""Choosing the language. Each name is written in its own language, as people look for it."""

from __future__ import annotations

import reflex as rx

from naranara.states.session import SessionState, t

_LANGUAGES = (("sv", "Svenska"), ("en", "English"))


def language_switch() -> rx.Component:
    return rx.el.div(
        *[
            rx.el.button(
                name,
                lang=code,
                type="button",
                aria_pressed=rx.cond(SessionState.locale == code, "true", "false"),
                on_click=SessionState.set_language(code),
                class_name="choice",
            )
            for code, name in _LANGUAGES
        ],
        role="group",
        aria_label=t("Language"),
        class_name="choices",
    )
