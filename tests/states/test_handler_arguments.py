"""The websocket is an API: every handler, called with anything a browser could send.

Handlers are found by the role matrix's introspection. Each one that takes
arguments is called, as resident A and as a signed-out visitor, with real
arguments (``REAL_ARGUMENTS``: A's own ids) where one at a time is swapped for a
hostile value, run through Reflex's own payload conversion
(``_prepare_event_payload``): wrong types, huge strings, huge ids, objects shaped
like models. No call may raise, and none may change resident A's rows.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from reflex_base.event.processor.base_state_processor import _prepare_event_payload
from sqlalchemy import Enum, String, Text
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from naranara.db import session_scope
from tests.states.conftest import state_for
from tests.states.test_policy_matrix import (
    _CONTACT_FORM,
    _ENROL_FORM,
    _GUIDANCE_FORM,
    _TIME_FORM,
    HANDLERS,
    RESIDENT_A,
    VIEWERS,
    World,
    _a_contact_id,
    _a_plan_ids,
    _a_time_id,
    _a_unit,
    _care_time,
    _rut_id,
    call,
    rows_of_a,
    world,  # noqa: F401 - the fixture, used by name
)

pytestmark = pytest.mark.both_databases(
    "hostile text reaches each database's driver (PostgreSQL refuses NUL)"
)

HOSTILE: list[Any] = [
    None,
    "",
    "x" * 200_000,
    -1,
    0,
    2**70,
    float("nan"),
    True,
    [],
    ["sv", "en"],
    {},
    {"username": ["anna"], "password": {"$ne": ""}},
    {"__class__": "User", "id": 1, "role": "admin", "resident_id": 1},
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "1 OR 1=1",
    "2026-13-45T25:61:00",
    "\udda0",  # a lone surrogate: valid JSON, not UTF-8
    {name: f"{name}\udda0" for name in ("name", "purpose", "text", "description", "username")},
    "\x00",
    "a\u202eb\u2066c",  # bidirectional override and isolate
    "\u200b\ufeff",  # zero-width space, byte-order mark
    {name: f"{name}\x00" for name in ("name", "purpose", "text", "description", "username")},
]

# What one field of an otherwise real form may hold: each must be refused with a field
# message or stored under the text rule (naranara.inputs), never raise, never be stored
# as sent. Every text a handler takes gets each of these in turn.
HOSTILE_TEXT: list[str] = [
    "Mid\x00jemått",  # NUL: PostgreSQL keeps none in text
    "Mid\udda0jemått",  # a lone surrogate
    "Mid\x1b[31mjemått\x7f",  # other control characters
    "y" * 100_000,  # longer than any column
    "\u202eåttmejdiM\u202c \u2066isolerad\u2069",  # bidirectional override and isolate
    "Mid\u200bje\u2060måt\ufefft",  # zero-width space, word joiner, byte-order mark
]
_INVISIBLE = frozenset("\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Who may use a form, so its texts get as far as the service: the resident unless named.
_WHO_FILLS_IN = {
    "EnrolState.submit": "staff, care of A",
    "AdminState.save_unit": "admin",
    "AdminState.create_staff": "admin",
    "AdminStaffState.set_role": "admin",
    "AdminStaffState.add_membership": "admin",
    "GuidanceEditorArticleState.save": "staff, care of A",
    "GuidanceEditorArticleState.publish": "staff, care of A",
    "GuidanceEditorArticleState.measure": "staff, care of A",
    "LoginState.submit": "anonymous",
    "InvitationState.use_code": "anonymous",
    "InvitationState.create_account": "anonymous",
    "ActivationState.use_code": "anonymous",
    "ActivationState.activate": "anonymous",
}


def _parameters(key: str) -> list[str]:
    cls, name = HANDLERS[key]
    signature = inspect.signature(inspect.unwrap(cls.event_handlers[name].fn))
    return [p for p in signature.parameters if p != "self"]


TAKING_ARGUMENTS = sorted(key for key in HANDLERS if _parameters(key))


# Arguments a real page sends each handler, as a function of the world.
REAL_ARGUMENTS: dict[str, Callable[[World], dict[str, Any]]] = {
    "LoginState.submit": lambda w: {"form_data": {"username": "anna", "password": "nara-demo"}},
    "CarePlanState.open_form": lambda w: {
        "kind": "goal",
        "entry_id": _a_plan_ids(w)[0],
        "goal_id": 0,
    },
    "CarePlanState.save_goal": lambda w: {"form_data": {"text": "Ett mål", "status": "active"}},
    "CarePlanState.save_activity": lambda w: {
        "form_data": {
            "description": "Promenad",
            "responsible": "resident",
            "responsible_name": "",
            "follow_up_on": "",
            "status": "planned",
        }
    },
    "SessionState.set_language": lambda w: {"locale": "en"},
    "TodayState.toggle_done": lambda w: {"task_id": w.task_id, "occurrence_at": w.occurrence_at},
    "WhatMattersState.save_text": lambda w: {"field": "important_to_me", "value": "Ny text"},
    "WhatMattersState.toggle_choice": lambda w: {"field": "aids", "value": "hearing"},
    "WhatMattersState.set_interpreter": lambda w: {"needed": True},
    "WhatMattersState.set_shared": lambda w: {"shared": True},
    "WhatMattersState.keep_mine": lambda w: {"field": "important_to_me"},
    "WhatMattersState.use_saved": lambda w: {"field": "important_to_me"},
    "WhatMattersState.show_question": lambda w: {"number": 2},
    "AgreedTimesState.confirm_cancel": lambda w: {"time_id": _a_time_id(w)},
    "AgreedTimesState.cancel_time": lambda w: {"time_id": _a_time_id(w)},
    "AgreedTimeFormState.submit": lambda w: {"form_data": _TIME_FORM},
    "CareContactsState.confirm_remove": lambda w: {"contact_id": _a_contact_id(w)},
    "CareContactsState.remove_contact": lambda w: {"contact_id": _a_contact_id(w)},
    "CareContactFormState.submit": lambda w: {"form_data": _CONTACT_FORM},
    # --- notifications and push (issue 6); a device id of the right shape (each value
    # is swapped for a hostile one, and making A's device here would change A's rows)
    "NotificationsState.show_device_status": lambda w: {"status": "on"},
    "NotificationsState.reminders_turned_on": lambda w: {"status": "on"},
    "NotificationsState.remove_device": lambda w: {"subscription_id": 1},
    "NotificationsState.save_settings": lambda w: {
        "form_data": {"quiet_from": "22:00", "quiet_until": "06:30", "lock_screen": "detailed"}
    },
    # --- relatives (issue 7): A's own relative (rut), invitation and log filters
    "RelativesState.create_invitation": lambda w: {"form_data": {"scope_care_plan": "on"}},
    "RelativesState.withdraw_invitation": lambda w: {"invitation_id": 1},
    "RelativesState.toggle_scope": lambda w: {"relative_id": _rut_id(), "scope": "care_plan"},
    "RelativesState.remove_relative": lambda w: {"relative_id": _rut_id()},
    "InvitationState.use_code": lambda w: {"form_data": {"code": "abc"}},
    "InvitationState.create_account": lambda w: {
        "form_data": {"display_name": "Ny", "username": "ny-hjalpare", "password": "fyra ord i rad"}
    },
    "ActingForState.step_back": lambda w: {"resident_id": w.anna_id},
    "AccessLogState.apply_filter": lambda w: {
        "form_data": {"person": "", "doing": "read", "period": "30"}
    },
    "AccessLogState.go_to_page": lambda w: {"page": 2},
    # --- self-care plan and measurements (issue 5)
    "SelfCarePlanState.mark": lambda w: {
        "task_id": w.task_id,
        "occurrence_at": w.occurrence_at,
        "status": "done",
    },
    "SelfCareTaskState.save_schedule": lambda w: {
        "form_data": {"schedule": "weekdays", "time_of_day": "09:00", "day_MO": "on"}
    },
    "SelfCareTaskState.set_paused": lambda w: {"paused": True},
    "SelfCareTaskNewState.submit": lambda w: {
        "form_data": {
            "title": "Ny uppgift",
            "schedule": "daily",
            "time_of_day": "09:00",
            "starts_on": "2026-11-23",
        }
    },
    "MeasurementsState.choose_kind": lambda w: {"kind": "blood_pressure"},
    "MeasurementsState.show_chart": lambda w: {"kind": "weight"},
    "MeasurementsState.set_period": lambda w: {"days": 90},
    "MeasurementsState.submit": lambda w: {
        "form_data": {
            "kind": "custom",
            "custom_name": "Midjemått",
            "unit": "cm",
            "value": "92",
            "date": "2026-11-23",
            "time": "08:00",
        }
    },
    # --- self-care guidance editor (issue 5): staff-only, so these viewers are refused
    "GuidanceEditorArticleState.save": lambda w: {"form": _GUIDANCE_FORM},
    "GuidanceEditorArticleState.publish": lambda w: {"form": {"publish_at": ""}},
    "GuidanceEditorArticleState.restore": lambda w: {"version_id": 1},
    "GuidanceEditorArticleState.show_diff": lambda w: {"version_id": 1},
    "GuidanceEditorArticleState.measure": lambda w: {"field": "body_markdown", "value": "Text."},
    # --- care units, enrolment, answers to agreed times (issue 13): A's care-side time,
    # A's unit; enrolling and administration refuse these viewers
    "AgreedTimesState.say_coming": lambda w: {"time_id": _care_time(w)},
    "AgreedTimesState.ask_other_time": lambda w: {"time_id": _care_time(w)},
    "AgreedTimesState.send_other_time": lambda w: {"form_data": {"text": "En annan dag?"}},
    "AgreedTimesState.open_reply": lambda w: {"time_id": _care_time(w)},
    "AgreedTimesState.send_reply": lambda w: {"form_data": {"text": "Jag ringer dig."}},
    "CareSharingState.toggle": lambda w: {"unit_id": _a_unit(w)[0], "scope": "measurements"},
    "EnrolState.submit": lambda w: {"form_data": {**_ENROL_FORM, "unit": "1"}},
    "ResidentOverviewState.confirm_end": lambda w: {"asking": True},
    "ActivationState.use_code": lambda w: {"form_data": {"code": "K7QM-2XWD-9HFN"}},
    "ActivationState.activate": lambda w: {
        "form_data": {"password": "en lång mening om kaffe", "repeat": "en lång mening om kaffe"}
    },
    "AdminState.open_unit": lambda w: {"unit_id": _a_unit(w)[0]},
    "AdminState.save_unit": lambda w: {"form_data": {"name": "Ny enhet", "kind": "region"}},
    "AdminState.create_staff": lambda w: {
        "form_data": {"display_name": "Ny", "username": "ny", "password": "x" * 20}
    },
    "AdminStaffState.set_role": lambda w: {"form_data": {"role": "admin"}},
    "AdminStaffState.add_membership": lambda w: {"form_data": {"unit": str(_a_unit(w)[0])}},
    "AdminStaffState.end_membership": lambda w: {"membership_id": 1},
    "AdminStaffState.set_active": lambda w: {"active": False},
    # --- without signal (issue 15): the offline copy on this device
    # A's device keeps a copy already: True (a hostile value too) is then no change.
    "OfflineCopyState.set_on": lambda w: _a_device_keeps_a_copy(w) or {"on": True},
}


def _a_device_keeps_a_copy(w: World) -> None:
    from naranara.services import offline_copy

    with session_scope() as db:
        offline_copy.turn_on(session=db, user_id=w.anna_id, device_token=w.devices[RESIDENT_A])


def test_every_handler_taking_arguments_has_real_ones() -> None:
    assert sorted(REAL_ARGUMENTS) == TAKING_ARGUMENTS, "add the new handler to REAL_ARGUMENTS"
    print(f"\nhandlers taking arguments: {len(TAKING_ARGUMENTS)} {TAKING_ARGUMENTS}")


@pytest.mark.parametrize("viewer_key", [RESIDENT_A, "anonymous"])
@pytest.mark.parametrize("key", TAKING_ARGUMENTS)
async def test_hostile_arguments_are_refused_calmly(
    key: str,
    viewer_key: str,
    world: World,  # noqa: F811 - the fixture imported above
) -> None:
    cls, name = HANDLERS[key]
    handler = cls.event_handlers[name]
    viewer = next(v for v in VIEWERS if v.key == viewer_key)
    real = REAL_ARGUMENTS[key](world)  # may prepare rows of A's: before the snapshot
    before = rows_of_a(world)
    failures = []
    for parameter in _parameters(key):
        for value in HOSTILE:
            state = state_for(cls, cookie=world.cookies[viewer.key])
            payload = _prepare_event_payload(handler, {**real, parameter: value})
            try:
                await call(state, name, *payload.values())
            except Exception as error:
                failures.append(f"{parameter}={value!r:.60}: {error!r:.200}")
    assert failures == [], f"{key} raised for:\n  " + "\n  ".join(failures)
    assert rows_of_a(world) == before, f"{key} changed A's rows with hostile arguments"


def _text_slots(real: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(parameter, form field or None) of every text a real call carries."""
    slots: list[tuple[str, str | None]] = []
    for parameter, value in real.items():
        if isinstance(value, str):
            slots.append((parameter, None))
        elif isinstance(value, dict):
            slots += [(parameter, field) for field, v in value.items() if isinstance(v, str)]
    return slots


def _with_text(real: dict[str, Any], slot: tuple[str, str | None], text: str) -> dict[str, Any]:
    parameter, field = slot
    if field is None:
        return {**real, parameter: text}
    form = {**real[parameter], field: text}
    if field != "slug" and "slug" in form:  # a new article each time, so its texts are read
        form["slug"] = f"fientlig-{abs(hash(text)) % 10**8}-{field.replace('_', '-')}"
    return {**real, parameter: form}


def _stored_text_problems() -> list[str]:
    """Every stored text that breaks the text rule: a control character (other than
    newline and tab), a lone surrogate, an invisible character, or longer than its column."""
    problems = []
    with session_scope() as db:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in db.connection().execute(sa_select(*columns)).all():
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    length = getattr(column.type, "length", None)
                    bad = {
                        ch
                        for ch in value
                        if ch in _INVISIBLE
                        or "\ud800" <= ch <= "\udfff"
                        or (unicodedata.category(ch) == "Cc" and ch not in "\n\t")
                    }
                    if bad or (
                        length and len(value) > length and not isinstance(column.type, Enum)
                    ):
                        problems.append(
                            f"{table.name}.{column.name}: {value[:60]!r} ({len(value)})"
                        )
    return problems


@pytest.mark.parametrize("key", TAKING_ARGUMENTS)
async def test_hostile_text_in_one_field_is_refused_or_stored_clean(
    key: str,
    world: World,  # noqa: F811 - the fixture imported above
) -> None:
    cls, name = HANDLERS[key]
    handler = cls.event_handlers[name]
    viewer = _WHO_FILLS_IN.get(key, RESIDENT_A)
    real = REAL_ARGUMENTS[key](world)
    failures = []
    for slot in _text_slots(real):
        for text in HOSTILE_TEXT:
            state = state_for(cls, cookie=world.cookies[viewer])
            payload = _prepare_event_payload(handler, _with_text(real, slot, text))
            try:
                if "load" in cls.event_handlers and name != "load":
                    await call(state, "load")  # as the page does, so the form is the viewer's
                await call(state, name, *payload.values())
            except Exception as error:
                failures.append(f"{slot}={text!r:.40}: {error!r:.200}")
    assert failures == [], f"{key} raised for:\n  " + "\n  ".join(failures)
    problems = _stored_text_problems()
    assert problems == [], f"{key} stored text against the rule:\n  " + "\n  ".join(problems)
