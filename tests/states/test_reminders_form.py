"""The "Påminnelser" choice on the agreed time form (issue 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from naranara import clock
from naranara.db import session_scope
from naranara.models import AgreedTime, AgreedTimeReminderChoice
from naranara.states.agreed_times import AgreedTimeFormState
from tests.states.conftest import session_cookie_for, state_for

pytestmark = [
    pytest.mark.usefixtures("seeded_db"),
    pytest.mark.time_sensitive,
]


def _run(state, name: str, *args):  # noqa: ANN001, ANN202
    return type(state).event_handlers[name].fn(state, *args)


def _form(purpose: str, **changes: str) -> dict[str, str]:
    day = (clock.local_now() + timedelta(days=7)).date().isoformat()
    return {
        "date": day,
        "start": "10:00",
        "end": "10:45",
        "purpose": purpose,
        "place": "",
        "address": "",
        "with_whom": "",
        "meeting_url": "",
        "prepare": "",
        **changes,
    }


def _choice(purpose: str) -> str | None:
    with session_scope() as db:
        item = db.exec(select(AgreedTime).where(AgreedTime.purpose == purpose)).one()
        row = db.get(AgreedTimeReminderChoice, item.id)
        return None if row is None else row.offsets


def test_a_new_time_offers_both_reminders_and_keeps_the_choice_made() -> None:
    cookie = session_cookie_for("anna")
    form = state_for(AgreedTimeFormState, cookie=cookie, path="/tider/ny")
    _run(form, "load")
    assert form.reminders == "both"
    _run(form, "submit", _form("Fotvård", reminders="two_hours"))
    assert form.form_error == ""
    assert _choice("Fotvård") == "two_hours"

    with session_scope() as db:
        item = db.exec(select(AgreedTime).where(AgreedTime.purpose == "Fotvård")).one()
    edit = state_for(AgreedTimeFormState, cookie=cookie, path=f"/tider/andra?tid={item.id}")
    _run(edit, "load")
    assert edit.reminders == "two_hours"
    # A form without the field (an old page) leaves the choice as it was: neither the
    # default ("both") nor "none".
    assert "reminders" not in edit.values
    _run(edit, "submit", {**edit.values, "prepare": "Ta med glasögonen"})
    assert edit.form_error == ""
    assert _choice("Fotvård") == "two_hours"
    _run(edit, "load")
    assert (edit.values["prepare"], edit.reminders) == ("Ta med glasögonen", "two_hours")
    _run(edit, "submit", {**edit.values, "reminders": "none"})
    assert edit.form_error == ""
    assert _choice("Fotvård") == ""


def test_an_unknown_choice_is_refused_in_swedish_and_nothing_is_saved() -> None:
    form = state_for(AgreedTimeFormState, cookie=session_cookie_for("anna"), path="/tider/ny")
    _run(form, "load")
    _run(form, "submit", _form("Hörselkontroll", reminders="every_minute"))
    assert form.errors["reminders"] == "Välj när du vill få en påminnelse."
    assert form.form_error != ""
    assert form.values["purpose"] == "Hörselkontroll"
    with session_scope() as db:
        assert (
            db.exec(select(AgreedTime).where(AgreedTime.purpose == "Hörselkontroll")).first()
            is None
        )
