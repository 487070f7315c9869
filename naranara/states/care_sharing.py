"""Profil → Dela med vården: what the resident lets her care units follow (egenmonitorering).

One switch per unit that has her in its care and per scope (self-care, measurements),
like her relatives' scopes. Turning one off applies at the staff's next event.
"""

from __future__ import annotations

import dataclasses

import reflex as rx

from naranara.db import session_scope
from naranara.i18n import N_, gettext
from naranara.inputs import record_id
from naranara.models import ProxyScope
from naranara.policy import Action, Forbidden, is_allowed, require
from naranara.services import care_units
from naranara.states.relatives import scope_from
from naranara.states.session import current_viewer

SHARE_LABELS = {
    ProxyScope.SELF_CARE: N_("My self-care: which tasks I have done"),
    ProxyScope.MEASUREMENTS: N_("My measurements"),
}


@dataclasses.dataclass
class ShareToggleView:
    scope: str
    label: str
    shared: bool


@dataclasses.dataclass
class UnitSharingView:
    id: int
    name: str
    scopes: list[ShareToggleView]


class CareSharingState(rx.State):
    loaded: bool = False
    allowed: bool = False
    units: list[UnitSharingView] = []
    message: str = ""

    def _refresh(self, resident_id: int, locale: str) -> None:
        with session_scope() as db:
            units = care_units.units_caring_for(session=db, resident_id=resident_id)
            shared = care_units.shares_of(session=db, resident_id=resident_id)
        self.units = [
            UnitSharingView(
                id=unit.id,
                name=unit.name,
                scopes=[
                    ShareToggleView(
                        scope=scope.value,
                        label=gettext(locale, SHARE_LABELS[scope]),
                        shared=scope in shared.get(unit.id, frozenset()),
                    )
                    for scope in care_units.SHAREABLE
                ],
            )
            for unit in units
        ]

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        if viewer is None:
            return
        self.loaded, self.message = True, ""
        self.allowed = is_allowed(viewer, Action.MANAGE_CARE_SHARING, viewer.user_id)
        if not self.allowed:
            self.units = []
            return
        self._refresh(viewer.user_id, viewer.locale)

    @rx.event
    def toggle(self, unit_id: int, scope: str) -> None:
        """Start or stop sharing one thing with one unit."""
        viewer = current_viewer(self)
        unit_id, chosen = record_id(unit_id), scope_from(scope)
        if viewer is None:
            return
        shown = next((u for u in self.units if u.id == unit_id), None)
        toggle = next((s for s in shown.scopes if s.scope == scope), None) if shown else None
        try:
            require(viewer, Action.MANAGE_CARE_SHARING, viewer.user_id)
            if shown is None or toggle is None or chosen not in care_units.SHAREABLE:
                raise Forbidden(Action.MANAGE_CARE_SHARING, viewer.user_id)
            with session_scope() as db:
                care_units.set_shared(
                    session=db,
                    resident_id=viewer.user_id,
                    unit_id=shown.id,
                    scope=chosen,
                    shared=not toggle.shared,
                )
        except (Forbidden, care_units.NotFound):
            self.message = gettext(viewer.locale, "You cannot do that here.")
            return
        self._refresh(viewer.user_id, viewer.locale)
        self.message = (
            gettext(viewer.locale, "{unit} can now follow this.")
            if not toggle.shared
            else gettext(viewer.locale, "{unit} no longer sees this, from their next click.")
        ).format(unit=shown.name)
