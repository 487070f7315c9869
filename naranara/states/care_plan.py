"""Min plan: the coordinated plan, read and kept by the resident and their care team.

A resident opens their own plan; staff open a resident's with ``?invanare=<id>``.
Whose plan the tab shows is kept on the server (a backend var) and every handler
asks the policy again for that resident with the viewer from the session cookie.
"""

from __future__ import annotations

import reflex as rx

from naranara.components.browser import focus
from naranara.db import session_scope
from naranara.i18n import DEFAULT_LOCALE, N_, gettext
from naranara.inputs import InputInvalid, form_text, record_id
from naranara.models import ActivityStatus, GoalStatus
from naranara.policy import Action, Viewer, is_allowed
from naranara.services import care_plan
from naranara.states.focus import heading_for, resident_in_focus
from naranara.states.session import current_viewer
from naranara.states.views import CarePlanGoalView, care_plan_views

# Typed text is kept well past the limits so the service can say "too long" and the
# form keeps what was written; anything longer is no one's real input.
_KEEP = 5_000
_GOAL_FIELDS = ("text", "status")
_ACTIVITY_FIELDS = ("description", "responsible", "responsible_name", "follow_up_on", "status")


def _focus(element_id: str):  # noqa: ANN202 - an event spec
    return focus(element_id)


class CarePlanState(rx.State):
    loaded: bool = False
    allowed: bool = False
    may_edit: bool = False
    own: bool = True  # the viewer's own plan (else a resident in their care)
    heading: str = ""  # "Min plan", or "Plan för Anna Lindqvist" for staff
    goals: list[CarePlanGoalView] = []
    today: str = ""  # ISO date: the earliest follow-up a new activity may have
    form: str = ""  # the one open form: "", "goal" or "activity"
    editing_id: int = 0  # the entry being changed; 0 for a new one
    form_goal_id: int = 0  # the goal a new activity goes under (0: none)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""
    notice: str = ""
    _resident_id: int = 0

    # ------------------------------------------------------------------ helpers

    def _close(self) -> None:
        self.form, self.editing_id, self.form_goal_id = "", 0, 0
        self.values, self.errors, self.form_error = {}, {}, ""

    def _refresh(self, viewer: Viewer) -> None:
        today = care_plan.today_in_sweden()
        with session_scope() as db:
            plan = care_plan.plan(
                session=db, resident_id=self._resident_id, reader_id=viewer.user_id
            )
        self.heading = heading_for(viewer, self._resident_id, N_("My plan"), N_("Plan for {name}"))
        self.today = today.isoformat()
        self.goals = care_plan_views(
            plan,
            viewer_id=viewer.user_id,
            resident_id=self._resident_id,
            today=today,
            locale=viewer.locale,
        )

    def _refuse(self, viewer: Viewer | None) -> None:
        locale = viewer.locale if viewer else DEFAULT_LOCALE
        self.form_error = gettext(locale, "You cannot change this plan.")

    def _saved(self, viewer: Viewer):  # noqa: ANN202 - an event
        self._close()
        self.notice = gettext(viewer.locale, "Saved.")
        self._refresh(viewer)
        return _focus("plan-notice")

    def _invalid(self, viewer: Viewer, errors: dict[str, str]) -> None:
        self.errors = InputInvalid(errors).texts(viewer.locale)
        # The goal an activity belongs to is no field of the form: say it at the top.
        self.form_error = self.errors.pop("goal", "") or gettext(
            viewer.locale, "Some answers need a change. See below."
        )

    # ------------------------------------------------------------------ events

    @rx.event
    def load(self) -> None:
        viewer = current_viewer(self)
        self._close()
        self.notice = ""
        if viewer is None:
            return
        self.loaded = True
        resident_id = resident_in_focus(self, viewer)
        self.allowed = is_allowed(viewer, Action.VIEW_CARE_PLAN, resident_id)
        if not self.allowed:
            self._resident_id, self.goals, self.heading = 0, [], ""
            self.may_edit = False
            return
        self._resident_id = resident_id
        self.own = resident_id == viewer.user_id
        self.may_edit = is_allowed(viewer, Action.EDIT_CARE_PLAN, resident_id)
        self._refresh(viewer)

    @rx.event
    def open_form(self, kind: str, entry_id: int, goal_id: int):  # noqa: ANN201 - an event
        """Open the goal or activity form, empty or filled with the entry to change."""
        viewer = current_viewer(self)
        if kind not in ("goal", "activity") or not is_allowed(
            viewer, Action.EDIT_CARE_PLAN, self._resident_id or None
        ):
            return
        entry, goal = record_id(entry_id) or 0, record_id(goal_id) or 0
        goals = {view.id: view for view in self.goals if view.id}
        values: dict[str, str]
        if kind == "goal" and entry:
            if entry not in goals:
                return
            values = {"text": goals[entry].text, "status": goals[entry].status}
        elif kind == "goal":
            values = {"text": "", "status": GoalStatus.ACTIVE.value}
        elif entry:
            found = [a for view in self.goals for a in view.activities if a.id == entry]
            if not found:
                return
            values = {name: getattr(found[0], name) for name in _ACTIVITY_FIELDS}
            goal = found[0].goal_id
        else:
            if goal and goal not in goals:
                return
            values = {name: "" for name in _ACTIVITY_FIELDS}
            values |= {"responsible": "", "status": ActivityStatus.PLANNED.value}
        self._close()
        self.notice = ""
        self.form, self.editing_id, self.form_goal_id, self.values = kind, entry, goal, values
        # The button pressed is gone with the form in its place: keyboard focus follows.
        return _focus("text" if kind == "goal" else "description")

    @rx.event
    def close_form(self):  # noqa: ANN201 - an event
        self._close()
        return _focus("main")

    @rx.event
    def save_goal(self, form_data: dict):  # noqa: ANN201 - an event
        self.values = {name: form_text(form_data, name, max_length=_KEEP) for name in _GOAL_FIELDS}
        viewer = current_viewer(self)
        if self.form != "goal" or not is_allowed(
            viewer, Action.EDIT_CARE_PLAN, self._resident_id or None
        ):
            self._refuse(viewer)
            return
        fields = {"text": self.values["text"], "status": self.values["status"]}
        return self._store(
            viewer,
            add=care_plan.add_goal,
            update=care_plan.update_goal,
            id_argument="goal_id",
            fields=fields,
        )

    @rx.event
    def save_activity(self, form_data: dict):  # noqa: ANN201 - an event
        self.values = {
            name: form_text(form_data, name, max_length=_KEEP) for name in _ACTIVITY_FIELDS
        }
        viewer = current_viewer(self)
        if self.form != "activity" or not is_allowed(
            viewer, Action.EDIT_CARE_PLAN, self._resident_id or None
        ):
            self._refuse(viewer)
            return
        fields = {**self.values, "goal_id": self.form_goal_id or None}
        return self._store(
            viewer,
            add=care_plan.add_activity,
            update=care_plan.update_activity,
            id_argument="activity_id",
            fields=fields,
        )

    def _store(self, viewer: Viewer, *, add, update, id_argument: str, fields: dict):  # noqa: ANN001, ANN202
        """Add a goal or activity, or update the one being edited; then close or explain."""
        try:
            with session_scope() as db:
                common = {
                    "session": db,
                    "resident_id": self._resident_id,
                    "actor_id": viewer.user_id,
                    **fields,
                }
                if self.editing_id:
                    update(**common, **{id_argument: self.editing_id})
                else:
                    add(**common)
        except InputInvalid as refused:
            self._invalid(viewer, refused.errors)
            return None
        except care_plan.NotInPlan:
            self.form_error = gettext(
                viewer.locale, "That could not be saved. Reload the page and try again."
            )
            return None
        return self._saved(viewer)
