"""The app shell: skip link, header, main area and the bottom tab bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from naranara import routes
from naranara.components.browser import command_element, in_browser
from naranara.i18n import N_
from naranara.states.acting_for import FocusBannerState
from naranara.states.page_open import PageOpenState
from naranara.states.session import SessionState, t


@dataclass(frozen=True)
class Tab:
    key: str
    href: str
    icon: str
    label: str
    # Other pages' ``active_tab`` under which this tab is the current one.
    also: tuple[str, ...] = ()


TABS = (
    Tab("home", routes.HOME, "house", N_("Home")),
    Tab("times", routes.AGREED_TIMES, "calendar-days", N_("Times")),
    Tab("contacts", routes.CONTACTS, "phone", N_("Contacts")),
    Tab("self_care", routes.GUIDANCE, "heart-handshake", N_("Self-care"), also=("my_self_care",)),
    Tab("profile", routes.PROFILE, "circle-user-round", N_("Profile")),
)
PUBLIC_TABS = (
    Tab("home", routes.HOME, "house", N_("Home")),
    Tab("self_care", routes.GUIDANCE, "heart-handshake", N_("Self-care")),
    Tab("sign_in", routes.SIGN_IN, "log-in", N_("Sign in")),
)
# Staff have no care of their own: their tabs lead to the residents in their care, and a
# resident's times, contacts, plan and self-care (``?invanare=``) are under Invånare.
STAFF_TABS = (
    Tab("home", routes.HOME, "house", N_("Home")),
    Tab(
        "residents",
        routes.MY_RESIDENTS,
        "users",
        N_("Residents"),
        also=("times", "contacts", "plan", "my_self_care"),
    ),
    Tab("self_care", routes.GUIDANCE, "heart-handshake", N_("Self-care")),
    Tab("profile", routes.PROFILE, "circle-user-round", N_("Profile")),
)
ADMIN_TABS = (
    Tab("home", routes.HOME, "house", N_("Home")),
    Tab("admin", routes.ADMIN, "building-2", N_("Administration")),
    Tab("profile", routes.PROFILE, "circle-user-round", N_("Profile")),
)


def _tab_link(tab: Tab, active: str | None) -> rx.Component:
    current = {"aria-current": "page"} if active in (tab.key, *tab.also) else {}
    return rx.el.li(
        rx.el.a(
            rx.icon(tab.icon, size=26, aria_hidden="true"),
            rx.el.span(t(tab.label)),
            href=tab.href,
            class_name="tab",
            **current,
        )
    )


def tab_bar(active: str | None) -> rx.Component:
    return rx.el.nav(
        rx.cond(
            SessionState.signed_in,
            rx.match(
                SessionState.role,
                (
                    "staff",
                    rx.el.ul(*[_tab_link(t, active) for t in STAFF_TABS], class_name="tabs tabs-4"),
                ),
                (
                    "admin",
                    rx.el.ul(*[_tab_link(t, active) for t in ADMIN_TABS], class_name="tabs tabs-3"),
                ),
                rx.el.ul(*[_tab_link(tab, active) for tab in TABS], class_name="tabs tabs-5"),
            ),
            rx.el.ul(*[_tab_link(tab, active) for tab in PUBLIC_TABS], class_name="tabs tabs-3"),
        ),
        aria_label=t("Main menu"),
        class_name="tab-bar",
    )


def acting_for_switcher() -> rx.Component:
    """For someone who helps others (ombud): the way to whom they help. It names nobody:
    the banner above a page's content is the one place that says whose data it is."""
    return rx.cond(
        FocusBannerState.helps_anyone,
        rx.el.a(
            rx.icon("users", size=20, aria_hidden="true"),
            rx.el.span(t("People I help")),
            href=routes.ACTING_FOR,
            class_name="person switcher",
        ),
    )


def acting_for_banner() -> rx.Component:
    """On pages with someone else's data (``?invanare=ID``): whose, all the time."""
    return rx.cond(
        FocusBannerState.helping != "",
        rx.el.div(
            rx.el.p(t("You are helping"), " ", rx.el.strong(FocusBannerState.helping)),
            rx.el.a(t("Switch person"), href=routes.ACTING_FOR, class_name="back-link"),
            class_name="notice acting-for-banner",
            role="note",
        ),
        rx.cond(
            FocusBannerState.viewing != "",
            rx.el.div(
                rx.el.p(t("You are viewing"), " ", rx.el.strong(FocusBannerState.viewing), "."),
                class_name="notice acting-for-banner",
                role="note",
            ),
        ),
    )


def access_ended_notice() -> rx.Component:
    """ "Anna Lindqvist har slutat dela sin egenvård med dig": said when a tab's access
    ended (states/access_change.py). The live region is always there, so it is read out."""
    return rx.el.div(
        rx.cond(
            FocusBannerState.notice != "",
            rx.el.p(FocusBannerState.notice, class_name="notice access-ended"),
        ),
        # A polite live region without role="status": pages keep the one status role
        # their own messages use (tests and screen readers find that one).
        aria_live="polite",
    )


def offline_notices() -> rx.Component:
    """Where assets/offline.js says what became of check-offs sent after a time without a
    network ("… sparades inte: uppgiften har avslutats"). React renders it empty and never
    touches its children; the offline page has one of its own."""
    return rx.el.div(
        class_name="offline-notices stack",
        aria_live="polite",
        custom_attrs={"data-offline-notices": ""},
    )


def offline_check_off(occurrence: rx.Var, status: str) -> dict[str, rx.Var | str]:
    """Attributes for a Klar or Hoppa över button: without a network, assets/offline.js
    takes the tap instead of Reflex (which would only hold it in the tab's memory) and
    queues it on the phone. ``occurrence`` has ``task_id`` and ``occurrence_at``."""
    return {
        "data-check-off-task": occurrence.task_id,
        "data-check-off-at": occurrence.occurrence_at,
        "data-check-off-status": status,
    }


def queued_note() -> rx.Component:
    """Beside such buttons: shown by assets/offline.js while the tap waits for a network."""
    return rx.el.p(
        t("Will be saved when you have a connection again"),
        class_name="muted queued-note",
        hidden=True,
        custom_attrs={"data-queued-note": ""},
    )


def closed_page() -> rx.Component:
    """In place of a page whose data its resident no longer shares with the reader."""
    return rx.el.div(
        rx.el.a(t("People I help"), href=routes.ACTING_FOR, class_name="button"),
        rx.el.a(t("Go to the start page"), href=routes.HOME, class_name="back-link"),
        class_name="stack",
    )


def header(active_tab: str | None) -> rx.Component:
    return rx.el.header(
        rx.el.a(
            rx.el.span("Nära", class_name="brand-name"),
            href=routes.HOME,
            class_name="brand",
            aria_label=t("Nära, home"),
        ),
        acting_for_switcher(),
        rx.cond(
            SessionState.signed_in,
            rx.el.a(
                rx.icon("circle-user-round", size=22, aria_hidden="true"),
                # The first name keeps the header to one row on a small phone.
                rx.el.span(SessionState.display_name.split(" ")[0]),
                href=routes.PROFILE,
                aria_label=SessionState.display_name,
                class_name="person",
            ),
            # Not on the sign-in page itself: one way in per screen.
            rx.cond(
                SessionState.checked,
                rx.el.a(t("Sign in"), href=routes.SIGN_IN, class_name="button button-small"),
            )
            if active_tab != "sign_in"
            else rx.fragment(),
        ),
        class_name="app-header",
    )


def shell(content: rx.Component, *, active_tab: str | None) -> rx.Component:
    return rx.el.div(
        rx.el.a(
            t("Skip to content"),
            href="#main",
            # The client-side router would swallow the jump; move focus ourselves.
            on_click=in_browser("focus", "main"),
            class_name="skip-link",
        ),
        header(active_tab),
        rx.el.main(
            failure_banner(),
            access_ended_notice(),
            offline_notices(),
            acting_for_banner(),
            rx.cond(FocusBannerState.page_closed, closed_page(), content),
            id="main",
            tab_index=-1,
            class_name="main",
        ),
        tab_bar(active_tab),
        command_element(SessionState.browser_command, SessionState.locale),
        class_name="app",
    )


def failure_banner() -> rx.Component:
    return rx.cond(
        SessionState.failed,
        rx.el.div(
            rx.el.p(t("Something went wrong. Please try again in a moment.")),
            rx.el.button(
                t("Close"),
                type="button",
                on_click=SessionState.dismiss_failure,
                class_name="button button-secondary",
            ),
            role="alert",
            class_name="notice notice-error banner",
        ),
    )


def nothing_for_you() -> rx.Component:
    """For a signed-in person with no data of this kind, e.g. a relative before any grant;
    staff are shown the way to the residents in their care."""
    return rx.el.div(
        rx.el.p(t("There is nothing here for your account yet."), class_name="notice"),
        rx.cond(
            SessionState.role == "staff",
            rx.el.a(t("My residents"), href=routes.MY_RESIDENTS, class_name="button"),
        ),
        class_name="stack",
    )


def loading() -> rx.Component:
    return rx.el.p(t("Loading…"), class_name="loading", role="status")


# Every page's render function by route, as registered below: tests render them all.
PAGES: dict[str, Callable[[], rx.Component]] = {}


def page(
    route: str,
    *,
    title: str,
    active_tab: str | None = None,
    private: bool = False,
    on_load: Callable | list | None = None,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a page inside the shell (the ``@template`` habit of Reflex apps).

    Private pages resolve identity first and send signed-out visitors to the
    sign-in page; their content renders only for a signed-in person.
    """
    extra = on_load if isinstance(on_load, list) else [on_load] if on_load else []
    # Who is signed in, and whose data the page shows, in one event before the page's own.
    events = [PageOpenState.require_sign_in if private else PageOpenState.load, *extra]

    def decorator(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def render() -> rx.Component:
            body = content()
            if private:
                body = rx.cond(SessionState.signed_in, body, loading())
            return shell(body, active_tab=active_tab)

        render.__name__ = content.__name__
        # Reflex writes a page's memoized components to a module named after the module
        # of its render function: each page its own, so a library one page needs (recharts
        # on /matvarden) is loaded by that page only, not by every page through this one.
        render.__module__ = content.__module__
        render.__qualname__ = content.__qualname__
        rx.page(route=route, title=f"{title} – Nära", on_load=events)(render)
        PAGES[route] = render
        return render

    return decorator
