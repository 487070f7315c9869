"""Min plan: the resident keeps their plan, staff in their care help, others see nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara.db import session_scope
from naranara.http import fhir_routes
from naranara.models import (
    AuditEvent,
    AuditKind,
    AuthSession,
    CarePlanActivity,
    CarePlanGoal,
    ProxyScope,
    Role,
    User,
)
from naranara.services import access, accounts, care_plan
from naranara.states.care_plan import CarePlanState
from tests.states.conftest import session_cookie_for, state_for

pytestmark = pytest.mark.usefixtures("seeded_db")
HANDLERS = CarePlanState.event_handlers


def _id(username: str) -> int:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one().id


def _plan_state(username: str, *, person: int | None = None) -> CarePlanState:
    path = f"/plan?invanare={person}" if person else "/plan"
    state = state_for(CarePlanState, cookie=session_cookie_for(username), path=path)
    HANDLERS["load"].fn(state)
    return state


def _goals() -> list[tuple[str, str]]:
    with session_scope() as db:
        return [(g.text, g.status) for g in db.exec(select(CarePlanGoal).order_by(CarePlanGoal.id))]


def test_the_resident_sees_each_goal_with_who_does_what_and_its_source() -> None:
    state = _plan_state("anna")
    assert (state.loaded, state.allowed, state.may_edit, state.own) == (True, True, True, True)
    assert state.heading == "Min plan"
    walk, breath = state.goals  # the demo plan; the sooner follow-up first
    assert walk.text == "Jag vill kunna gå till affären själv igen."
    assert (walk.status_label, walk.source) == ("Pågår", "Tillagt av dig")
    own, rehab = walk.activities
    assert (own.who, own.status_label, own.source) == ("Du", "Pågår", "Tillagt av dig")
    assert (rehab.who, rehab.source) == ("Regionen – Rehab Sundsvall", "Tillagt av Sara Holm")
    assert rehab.follow_up.startswith("Följs upp ")
    assert breath.activities[-1].follow_up == ""  # no follow-up date: after those with one


def test_an_empty_plan_loads_calmly() -> None:
    with session_scope() as db:
        accounts.create_user(session=db, username="bo", display_name="Bo", role=Role.RESIDENT)
    state = _plan_state("bo")
    assert (state.allowed, state.may_edit, state.goals) == (True, True, [])


def test_a_refused_goal_keeps_what_was_typed_and_says_why_in_swedish() -> None:
    state = _plan_state("anna")
    HANDLERS["open_form"].fn(state, "goal", 0, 0)
    long_text = "Klara trappan " * 40
    HANDLERS["save_goal"].fn(state, {"text": long_text, "status": "active"})
    assert state.errors == {"text": "Skriv högst 500 tecken."}
    assert state.form_error == "Några svar behöver ändras. Se nedan."
    assert state.values["text"] == long_text and state.form == "goal"
    assert len(_goals()) == 2  # the demo plan's, nothing more

    HANDLERS["save_goal"].fn(state, {"text": "<b>Klara trappan</b> själv", "status": "active"})
    assert (state.form, state.errors, state.notice) == ("", {}, "Sparat.")
    goal = next(view for view in state.goals if view.activities == [])
    assert (goal.text, goal.status_label, goal.source) == (
        "<b>Klara trappan</b> själv",  # shown as text, never as markup
        "Pågår",
        "Tillagt av dig",
    )


def test_activities_say_who_does_what_and_when_it_is_followed_up() -> None:
    state = _plan_state("anna")
    HANDLERS["open_form"].fn(state, "goal", 0, 0)
    HANDLERS["save_goal"].fn(state, {"text": "Gå till affären", "status": "active"})
    goal_id = next(view.id for view in state.goals if view.text == "Gå till affären")
    HANDLERS["open_form"].fn(state, "activity", 0, goal_id)
    assert (state.form, state.form_goal_id, state.values["status"]) == (
        "activity",
        goal_id,
        "planned",
    )
    yesterday = care_plan.today_in_sweden() - timedelta(days=1)
    form = {
        "description": "Promenera till brevlådan",
        "responsible": "",
        "responsible_name": "",
        "follow_up_on": yesterday.isoformat(),
        "status": "planned",
    }
    HANDLERS["save_activity"].fn(state, form)
    assert state.errors == {
        "responsible": "Välj vem som ansvarar.",
        "follow_up_on": "Välj dagens datum eller ett senare.",
    }
    assert state.values["description"] == "Promenera till brevlådan"
    soon = care_plan.today_in_sweden() + timedelta(days=2)
    HANDLERS["save_activity"].fn(
        state,
        {
            **form,
            "responsible": "municipality",
            "responsible_name": "Hemtjänsten Haga",
            "follow_up_on": soon.isoformat(),
        },  # fmt: skip
    )
    (activity,) = next(view for view in state.goals if view.id == goal_id).activities
    assert activity.who == "Kommunen – Hemtjänsten Haga"
    assert activity.follow_up.startswith("Följs upp ") and str(soon.day) in activity.follow_up
    assert (activity.status_label, activity.source) == ("Planerad", "Tillagt av dig")

    HANDLERS["open_form"].fn(state, "activity", activity.id, 0)
    assert state.values["responsible_name"] == "Hemtjänsten Haga"
    HANDLERS["save_activity"].fn(state, {**state.values, "status": "done"})
    (done,) = next(view for view in state.goals if view.id == goal_id).activities
    assert (done.id, done.status_label) == (activity.id, "Klar")


def test_staff_in_the_residents_care_read_and_add_and_both_are_audited() -> None:
    anna_id, sara_id = _id("anna"), _id("sara")
    outsider = _plan_state("sara", person=anna_id)
    assert (outsider.allowed, outsider.goals, outsider.heading) == (False, [], "")
    with session_scope() as db:
        access.record_care_relationship(session=db, staff_id=sara_id, resident_id=anna_id)
    state = _plan_state("sara", person=anna_id)
    assert (state.allowed, state.may_edit, state.own) == (True, True, False)
    assert state.heading == "Plan för Anna Lindqvist"
    HANDLERS["open_form"].fn(state, "goal", 0, 0)
    HANDLERS["save_goal"].fn(state, {"text": "Sova bättre", "status": "active"})
    sources = {view.text: view.source for view in state.goals}
    assert sources["Sova bättre"] == "Tillagt av dig"
    assert sources["Jag vill kunna gå till affären själv igen."] == "Tillagt av Anna Lindqvist"
    annas = {view.text: view.source for view in _plan_state("anna").goals}
    assert annas["Sova bättre"] == "Tillagt av Sara Holm"
    with session_scope() as db:
        kinds = [
            (e.kind, e.actor_id, e.subject_id)
            for e in db.exec(select(AuditEvent).where(AuditEvent.subject_id == anna_id))
            if e.kind.startswith("record_")
        ]
    assert kinds == [
        # Before the care relationship: refused, and the refusal is in Anna's log too.
        (AuditKind.RECORD_REFUSED.value, sara_id, anna_id),
        (AuditKind.RECORD_READ.value, sara_id, anna_id),
        (AuditKind.RECORD_CHANGED.value, sara_id, anna_id),
        (AuditKind.RECORD_READ.value, sara_id, anna_id),
    ]


def test_a_relative_with_the_care_plan_scope_reads_but_cannot_write() -> None:
    anna_id, erik_id = _id("anna"), _id("erik")
    no_grant = _plan_state("erik", person=anna_id)
    assert no_grant.allowed is False
    with session_scope() as db:
        access.grant(
            session=db, resident_id=anna_id, relative_id=erik_id, scope=ProxyScope.CARE_PLAN
        )
    state = _plan_state("erik", person=anna_id)
    assert (state.allowed, state.may_edit) == (True, False)
    HANDLERS["open_form"].fn(state, "goal", 0, 0)
    assert state.form == ""
    HANDLERS["save_goal"].fn(state, {"text": "Erik skriver", "status": "active"})
    assert state.form_error == "Du kan inte ändra den här planen."
    assert state.values["text"] == "Erik skriver"  # kept even when refused
    assert "Erik skriver" not in [text for text, _ in _goals()]


def test_ids_from_the_browser_must_belong_to_the_plan_shown() -> None:
    with session_scope() as db:
        bo = accounts.create_user(session=db, username="bo", display_name="Bo", role=Role.RESIDENT)
        bos = care_plan.add_goal(session=db, resident_id=bo.id, actor_id=bo.id, text="Bos mål")
        bos_activity = care_plan.add_activity(
            session=db,
            resident_id=bo.id,
            actor_id=bo.id,
            goal_id=bos.id,
            description="Bos aktivitet",
            responsible="resident",
        )
    state = _plan_state("anna")
    # An id of Anna's own plan opens its entry: the way in works for what is shown.
    own = state.goals[0]
    HANDLERS["open_form"].fn(state, "goal", own.id, 0)
    assert (state.form, state.editing_id, state.values["text"]) == ("goal", own.id, own.text)
    # Bo's goal, Bo's activity and Bo's goal as the home of a new activity open nothing.
    for kind, entry, goal in (
        ("goal", bos.id, 0),
        ("activity", bos_activity.id, 0),
        ("activity", 0, bos.id),
    ):
        HANDLERS["close_form"].fn(state)
        HANDLERS["open_form"].fn(state, kind, entry, goal)
        closed = (state.form, state.editing_id, state.form_goal_id, state.values)
        assert closed == ("", 0, 0, {}), (kind, entry, goal)
    # What is no id at all names no entry: an empty form for a new one, under no goal.
    for junk in ("1; drop", -4, None, True, {"id": bos.id}):
        HANDLERS["close_form"].fn(state)
        HANDLERS["open_form"].fn(state, "goal", junk, 0)
        assert (state.form, state.editing_id, state.values) == (
            "goal",
            0,
            {"text": "", "status": "active"},
        ), junk
        HANDLERS["open_form"].fn(state, "activity", 0, junk)
        assert (state.form, state.editing_id, state.form_goal_id) == ("activity", 0, 0), junk
        assert set(state.values.values()) == {"", "planned"}, junk
    HANDLERS["open_form"].fn(state, "nonsense", 0, 0)
    assert state.form == "activity"  # an unknown kind changes nothing
    HANDLERS["close_form"].fn(state)
    HANDLERS["save_activity"].fn(state, {"description": "x"})  # no form open: refused
    assert state.form_error == "Du kan inte ändra den här planen."
    assert _goals()[-1] == ("Bos mål", "active") and len(_goals()) == 3
    with session_scope() as db:
        assert db.get(CarePlanActivity, bos_activity.id).description == "Bos aktivitet"


# ---------------------------------------------------------------------------- the export route


@pytest.fixture
def client() -> TestClient:
    return TestClient(
        Starlette(routes=fhir_routes.routes), base_url="http://localhost", follow_redirects=False
    )


def test_the_resident_downloads_their_record_as_a_valid_fhir_bundle(client: TestClient) -> None:
    client.headers["cookie"] = session_cookie_for("anna")
    response = client.get("/export/fhir.json", params={"invanare": _id("erik")})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="nara-journal-')
    assert "no-store" in response.headers["cache-control"]
    bundle = Bundle.model_validate_json(response.content)
    patient = bundle.entry[0].resource
    assert patient.name[0].text == "Anna Lindqvist"  # the person asked about is ignored
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"Patient", "CareTeam", "Appointment"} <= kinds


def test_others_get_no_record(client: TestClient) -> None:
    anonymous = client.get("/export/fhir.json")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/logga-in?next=%2Fplan"
    client.headers["cookie"] = session_cookie_for("sara")
    staff = client.get("/export/fhir.json", params={"invanare": _id("anna")})
    assert staff.status_code == 403
    assert "Anna" not in staff.text


def test_an_old_sign_in_is_asked_to_sign_in_again_before_the_record_leaves(
    client: TestClient,
) -> None:
    client.headers["cookie"] = session_cookie_for("anna")
    with session_scope() as db:
        for row in db.exec(select(AuthSession)):
            row.created_at = row.created_at - timedelta(minutes=20)
            db.add(row)
    response = client.get("/export/fhir.json")
    assert response.status_code == 303
    assert response.headers["location"] == "/logga-in?bekrafta=1&next=%2Fplan"
    assert "Anna" not in response.text
