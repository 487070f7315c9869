"""Whose care a page shows: the signed-in resident's own, or ``?invanare=ID`` for others.

Staff with a care relationship (and relatives with a grant) open a resident's pages
with the resident's id in the address. The id is only a wish: every handler still
asks policy about it, and every row id a browser sends is checked against it.
"""

from __future__ import annotations

from collections.abc import Iterable

import reflex as rx

from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.inputs import message_text, record_id
from naranara.models import Role, User
from naranara.policy import Viewer
from naranara.services import audit, patient_contract

RESIDENT_PARAM = "invanare"


def resident_in_focus(state: rx.State, viewer: Viewer) -> int:
    chosen = record_id(state.router.url.query_parameters.get(RESIDENT_PARAM))
    if chosen and chosen != viewer.user_id and not _has_any_access(viewer, chosen):
        _log_refusal(viewer, chosen, state.router.url.path)
    return chosen or viewer.user_id


def heading_for(viewer: Viewer, resident_id: int, own: str, other: str) -> str:
    """A page's heading: ``own`` ("Dina tider") for the resident, ``other`` with the
    resident's name ("Tider för {name}") for a relative or staff member."""
    if resident_id == viewer.user_id:
        return gettext(viewer.locale, own)
    with session_scope() as db:
        resident = db.get(User, resident_id)
        name = resident.display_name if resident else ""
    return gettext(viewer.locale, other).format(name=name)


def _has_any_access(viewer: Viewer, resident_id: int) -> bool:
    return resident_id in viewer.grants or resident_id in viewer.cares_for


def _log_refusal(viewer: Viewer, resident_id: int, path: str) -> None:
    """Staff without a care relationship, or anyone else without a grant, asked for a
    resident's pages: every page refuses them, and the resident can see they tried."""
    with session_scope() as db:
        resident = db.get(User, resident_id)
        if resident is not None and resident.role == Role.RESIDENT:
            audit.record_refusal(
                session=db, actor_id=viewer.user_id, resident_id=resident_id, detail=f"page={path}"
            )


def other_sides_entry(viewer: Viewer) -> str:
    """Why the form of a time or contact the other side recorded is not offered."""
    if viewer.role is Role.STAFF:
        return gettext(viewer.locale, "The resident entered this, so it is theirs to change.")
    return gettext(
        viewer.locale,
        "Your care unit entered this, so they change it. "
        "Get in touch with them if something needs to change.",
    )


def resident_query(resident_id: int, viewer: Viewer, *, first: bool) -> str:
    """The query part that keeps the resident in focus on the next page ("" for one's own)."""
    if resident_id == viewer.user_id:
        return ""
    return f"{'?' if first else '&'}{RESIDENT_PARAM}={resident_id}"


def source_text(
    locale: str,
    viewer: Viewer,
    added_by_id: int | None,
    authors: dict[int, patient_contract.Author],
    external_system: str = "",
) -> str:
    """Who added an entry, as the reader sees it."""
    if added_by_id is not None and added_by_id == viewer.user_id:
        return gettext(locale, "Added by you")
    author = authors.get(added_by_id) if added_by_id is not None else None
    if author is not None:
        who = f"{author.name}, {author.unit}" if author.unit else author.name
        return gettext(locale, "Added by {who}").format(who=who)
    if external_system:
        return gettext(locale, "From the region's system")
    return ""


def who_did(
    locale: str,
    viewer: Viewer,
    actor_id: int | None,
    authors: dict[int, patient_contract.Author],
    *,
    resident_id: int,
    resident_name: str,
) -> str:
    """Who did something to the resident's data, as the reader sees it: "Du", "Sara Holm,
    Hälsocentralen Nacksta", "Erik Lindqvist för Anna Lindqvist", or the region's system."""
    if actor_id is not None and actor_id == viewer.user_id:
        return gettext(locale, "You")
    author = authors.get(actor_id) if actor_id is not None else None
    if author is None:
        return gettext(locale, "The region's system")
    if author.unit:
        return f"{author.name}, {author.unit}"
    if author.user_id != resident_id and author.role in (Role.RELATIVE, Role.RESIDENT):
        return gettext(locale, "{name} for {resident}").format(
            name=author.name, resident=resident_name
        )
    return author.name


def error_texts(
    locale: str, errors: dict[str, str], fields: Iterable[str], extra: tuple[str, ...] = ()
) -> dict[str, str]:
    """Every field's error in the reader's language; "" for fields without one."""
    return {
        name: message_text(locale, errors[name]) if name in errors else ""
        for name in (*fields, *extra)
    }
