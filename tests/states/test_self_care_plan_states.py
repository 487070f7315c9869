"""Min egenvård and Mätvärden as pages see them, on the demo data."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara.db import session_scope
from naranara.http import measurement_routes
from naranara.models import (
    AuditEvent,
    Measurement,
    ProxyScope,
    SelfCareCheck,
    SelfCareTask,
    User,
)
from naranara.services import access
from naranara.states.measurements import MeasurementsState
from naranara.states.self_care_plan import (
    SelfCarePlanState,
    SelfCareTaskNewState,
    SelfCareTaskState,
)
from tests.states.conftest import session_cookie_for, state_for

pytestmark = [
    pytest.mark.usefixtures("seeded_db"),
    pytest.mark.time_sensitive,
]


def _id(username: str) -> int:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one().id


def _run(state, name: str, *args):  # noqa: ANN001, ANN002, ANN202
    return type(state).event_handlers[name].fn(state, *args)


def _loaded(cls, username: str, path: str):  # noqa: ANN001, ANN202
    state = state_for(cls, cookie=session_cookie_for(username), path=path)
    _run(state, "load")
    return state


def _grant(username: str, scope: ProxyScope) -> None:
    with session_scope() as db:
        access.grant(session=db, resident_id=_id("anna"), relative_id=_id(username), scope=scope)


def test_the_plan_lists_the_tasks_with_schedules_streaks_and_todays_marks() -> None:
    state = _loaded(SelfCarePlanState, "anna", "/egenvard/mina-uppgifter")
    assert (state.allowed, state.own, state.may_mark, state.heading) == (
        True,
        True,
        True,
        "Min egenvård",
    )
    by_title = {task.title: task for task in state.tasks}
    assert by_title["Väg dig"].schedule == "Varje dag kl. 08.00"
    assert by_title["Väg dig"].streak == "14 gånger i rad"
    # The walk was skipped six days ago and missed five days ago: four in a row since.
    assert by_title["Promenera 20 minuter"].streak == "4 gånger i rad"
    [today] = by_title["Väg dig"].today
    assert (today.status, today.status_label) == ("", "Inte markerad än")


def test_marking_done_skipped_and_undoing_today() -> None:
    state = _loaded(SelfCarePlanState, "anna", "/egenvard/mina-uppgifter")
    weigh = next(task for task in state.tasks if task.title == "Väg dig")
    at = weigh.today[0].occurrence_at
    _run(state, "mark", weigh.id, at, "done")
    assert next(t for t in state.tasks if t.id == weigh.id).today[0].status == "done"
    assert next(t for t in state.tasks if t.id == weigh.id).streak == "15 gånger i rad"
    _run(state, "mark", weigh.id, at, "skipped")
    assert next(t for t in state.tasks if t.id == weigh.id).today[0].status == "skipped"
    _run(state, "mark", weigh.id, at, "")
    assert next(t for t in state.tasks if t.id == weigh.id).today[0].status == ""
    _run(state, "mark", weigh.id, at, "gjort")
    assert state.message != ""


def test_a_relative_with_the_self_care_scope_marks_and_the_history_says_so() -> None:
    _grant("erik", ProxyScope.SELF_CARE)
    anna = _id("anna")
    state = _loaded(SelfCarePlanState, "erik", f"/egenvard/mina-uppgifter?invanare={anna}")
    assert (state.allowed, state.own, state.may_mark) == (True, False, True)
    assert state.heading == "Egenvård för Anna Lindqvist"
    weigh = next(task for task in state.tasks if task.title == "Väg dig")
    _run(state, "mark", weigh.id, weigh.today[0].occurrence_at, "done")
    with session_scope() as db:
        check = db.exec(
            select(SelfCareCheck)
            .where(SelfCareCheck.task_id == weigh.id)
            .order_by(SelfCareCheck.occurrence_at.desc())
        ).first()
        assert check.recorded_by_id == _id("erik")
        logged = db.exec(select(AuditEvent).where(AuditEvent.subject_id == anna)).all()
        assert {e.detail for e in logged} >= {"self-care plan", "self-care task marked"}
    history = _loaded(SelfCareTaskState, "anna", f"/egenvard/uppgift?uppgift={weigh.id}")
    assert history.entries[0].who == "Gjort av Erik för Anna"
    assert history.may_manage
    helper_view = _loaded(
        SelfCareTaskState, "erik", f"/egenvard/uppgift?uppgift={weigh.id}&invanare={anna}"
    )
    assert helper_view.entries[0].who == "Gjort av dig för Anna"
    assert not helper_view.may_manage
    _run(helper_view, "ask_stop")
    assert not helper_view.confirming_stop


def test_the_history_names_the_son_who_measured_for_anna() -> None:
    with session_scope() as db:
        task_id = db.exec(
            select(SelfCareTask.id).where(SelfCareTask.title == "Mät blodtrycket")
        ).one()
    state = _loaded(SelfCareTaskState, "anna", f"/egenvard/uppgift?uppgift={task_id}")
    assert state.title == "Mät blodtrycket"
    assert [e.who for e in state.entries if e.who] == ["Gjort av Erik för Anna"]
    assert len(state.entries) == 15  # today and fourteen days back since it started


def test_the_resident_changes_pauses_and_stops_a_task() -> None:
    with session_scope() as db:
        task_id = db.exec(select(SelfCareTask.id).where(SelfCareTask.title == "Väg dig")).one()
    state = _loaded(SelfCareTaskState, "anna", f"/egenvard/uppgift?uppgift={task_id}")
    _run(state, "open_schedule")
    _run(state, "save_schedule", {"schedule": "weekdays", "time_of_day": "07:15"})
    assert state.errors == {"weekdays": "Välj minst en dag."}
    assert state.values["time_of_day"] == "07:15"  # what was typed is kept
    _run(
        state,
        "save_schedule",
        {"schedule": "weekdays", "time_of_day": "07:15", "day_MO": "on", "day_TH": "on"},
    )
    assert (state.editing, state.schedule, state.notice) == (
        False,
        "Måndag och torsdag kl. 07.15",
        "Sparat.",
    )
    _run(state, "set_paused", True)
    assert state.paused
    _run(state, "set_paused", False)
    assert not state.paused
    _run(state, "stop_task")  # not confirmed: nothing happens
    assert not state.stopped
    _run(state, "ask_stop")
    _run(state, "stop_task")
    assert state.stopped
    plan = _loaded(SelfCarePlanState, "anna", "/egenvard/mina-uppgifter")
    assert [task.title for task in plan.tasks] == ["Promenera 20 minuter", "Mät blodtrycket"]
    with session_scope() as db:  # stopped, not deleted: its history is kept
        assert db.get(SelfCareTask, task_id).active is False
        assert db.exec(select(SelfCareCheck).where(SelfCareCheck.task_id == task_id)).first()


def test_someone_elses_task_is_not_found() -> None:
    with session_scope() as db:
        task_id = db.exec(select(SelfCareTask.id).where(SelfCareTask.title == "Väg dig")).one()
    state = _loaded(SelfCareTaskState, "sara", f"/egenvard/uppgift?uppgift={task_id}")
    assert (state.loaded, state.allowed, state.title, state.entries) == (True, False, "", [])


def test_adopting_a_task_from_an_article_template() -> None:
    state = _loaded(
        SelfCareTaskNewState, "anna", "/egenvard/ny-uppgift?artikel=balansovningar&mall=balans"
    )
    assert state.allowed
    assert state.values["title"] == "Gör dina balansövningar"
    assert state.values["schedule"] == "weekdays"
    assert [state.values[f"day_{d}"] for d in ("MO", "TU", "WE", "FR")] == ["on", "", "on", "on"]
    form = {**state.values, "time_of_day": "11:00"}
    result = _run(state, "submit", form)
    with session_scope() as db:
        task = db.exec(
            select(SelfCareTask).where(SelfCareTask.title == "Gör dina balansövningar")
        ).one()
        assert (task.template_slug, task.template_key, task.time_of_day) == (
            "balansovningar",
            "balans",
            "11:00",
        )
        assert task.recurrence == "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR"
        assert task.article_id is not None
    assert f"uppgift={task.id}" in str(result)


def test_a_template_read_in_english_becomes_an_english_task_that_warns_the_same() -> None:
    path = "/egenvard/ny-uppgift?artikel=rorelse-vid-hjartsvikt&mall=vila-puls&variant=en"
    state = _loaded(SelfCareTaskNewState, "anna", path)
    assert state.values["title"] == "Take your resting pulse"
    assert state.advice.startswith("Rest for ten minutes and take your pulse again.")
    _run(state, "submit", dict(state.values))
    with session_scope() as db:
        task = db.exec(
            select(SelfCareTask).where(SelfCareTask.title == "Take your resting pulse")
        ).one()
        assert (task.template_key, task.measurement_kind, task.threshold_rule) == (
            "vila-puls",
            "pulse",
            "above",
        )
        assert task.threshold_value == 100
        assert task.threshold_advice.startswith("Rest for ten minutes")
    # A version that is not one gets the Swedish original's words.
    odd = _loaded(SelfCareTaskNewState, "anna", path.replace("variant=en", "variant=xx"))
    assert odd.values["title"] == "Ta pulsen i vila"


def test_an_unknown_template_gives_an_own_task_form() -> None:
    state = _loaded(SelfCareTaskNewState, "anna", "/egenvard/ny-uppgift?artikel=finns-inte&mall=x")
    assert (state.allowed, state.from_article, state.values["title"]) == (True, "", "")
    _run(state, "submit", {**state.values, "title": ""})
    assert state.errors == {"title": "Skriv vad du vill göra."}
    relative = _loaded(SelfCareTaskNewState, "erik", "/egenvard/ny-uppgift")
    assert not relative.allowed


# ---------------------------------------------------------------------------- measurements


def test_the_measurements_page_shows_the_chart_summary_and_the_weight_advice() -> None:
    state = _loaded(MeasurementsState, "anna", "/matvarden")
    assert (state.allowed, state.may_record, state.heading) == (True, True, "Mina mätvärden")
    assert state.chart_kind == "weight"
    assert len(state.chart) == 29  # one each morning; none yet today
    assert state.chart_title == "Vikt, de senaste 30 dagarna"
    assert state.summary.startswith("29 värden. Lägst ")
    assert state.summary.endswith(
        "Senast 72,8 kg, " + state.rows[0].when.rsplit(" kl.", 1)[0] + "."
    )
    [alert] = state.alerts
    assert alert.advice == "Kontakta din vårdcentral om du har gått upp mer än 2 kg på 3 dagar."
    assert alert.detail == "Ditt senaste värde: 72,8 kg. Jämfört med: 70,4 kg."
    _run(state, "set_period", 90)
    assert len(state.chart) == 60
    _run(state, "show_chart", "blood_pressure")
    assert state.has_lower and {"day", "value", "value2"} <= set(state.chart[0])


def test_logging_a_value_and_a_refused_one_keeps_what_was_typed() -> None:
    state = _loaded(MeasurementsState, "anna", "/matvarden")
    form = {**state.values, "kind": "weight", "value": "725"}
    _run(state, "submit", form)
    assert state.errors["value"] == "Värdet ser inte rätt ut. Skriv ett värde från 20 till 300."
    assert state.values["value"] == "725"
    _run(state, "submit", {**form, "value": "72,5"})
    assert state.errors == {} and state.notice == "Sparat: Vikt 72,5 kg."
    with session_scope() as db:
        latest = db.exec(select(Measurement).order_by(Measurement.id.desc())).first()
        assert (latest.kind, latest.value, latest.recorded_by_id) == ("weight", 72.5, _id("anna"))


def test_relatives_read_with_the_measurements_scope_only_and_never_log() -> None:
    anna = _id("anna")
    without = _loaded(MeasurementsState, "erik", f"/matvarden?invanare={anna}")
    assert (without.loaded, without.allowed, without.rows) == (True, False, [])
    _grant("erik", ProxyScope.MEASUREMENTS)
    state = _loaded(MeasurementsState, "erik", f"/matvarden?invanare={anna}")
    assert (state.allowed, state.may_record, state.heading) == (
        True,
        False,
        "Mätvärden för Anna Lindqvist",
    )
    before = len(state.rows)
    assert before > 0 and {row.what for row in state.rows} == {"Vikt"}  # Anna's weights
    _run(state, "submit", {**state.values, "kind": "weight", "value": "80"})
    assert state.form_error
    with session_scope() as db:
        assert not db.exec(select(Measurement).where(Measurement.value == 80)).first()
    assert len(state.rows) == before


def _csv(username: str, query: str = "") -> tuple[int, str, dict]:
    app = Starlette(routes=measurement_routes.routes)
    with TestClient(app, follow_redirects=False) as client:
        response = client.get(
            f"/export/matvarden.csv{query}", headers={"cookie": session_cookie_for(username)}
        )
    return response.status_code, response.content.decode("utf-8"), dict(response.headers)


def test_the_csv_download_for_excel() -> None:
    status, text, headers = _csv("anna")
    assert status == 200
    assert headers["content-type"].startswith("text/csv")
    assert 'filename="matvarden-' in headers["content-disposition"]
    assert text.startswith("\ufeffDatum;Tid;Vad;Värde;Undre tryck;Enhet\r\n")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert {row[2] for row in rows[1:]} == {"Vikt", "Blodtryck", "Puls"}
    assert any("," in row[3] for row in rows[1:] if row[2] == "Vikt")


def test_the_csv_of_someone_else_needs_the_policy() -> None:
    anna = _id("anna")
    assert _csv("erik", f"?invanare={anna}")[0] == 403
    assert _csv("sara", f"?invanare={anna}")[0] == 403
    _grant("erik", ProxyScope.MEASUREMENTS)
    status, text, _ = _csv("erik", f"?invanare={anna}")
    assert status == 200 and "Vikt" in text
    assert _csv("anna", "?invanare=999999")[0] == 403


def test_the_csv_sends_a_signed_out_visitor_to_sign_in() -> None:
    app = Starlette(routes=measurement_routes.routes)
    with TestClient(app, follow_redirects=False) as client:
        response = client.get("/export/matvarden.csv")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/logga-in?next=%2Fmatvarden")


@pytest.mark.both_databases("PostgreSQL refuses NUL in text: a field message, not an error page")
def test_a_custom_name_with_a_nul_is_a_field_message() -> None:
    state = _loaded(MeasurementsState, "anna", "/matvarden")
    form = {**state.values, "kind": "custom", "value": "92", "unit": "cm"}
    for name, message in (
        ("Mid\x00jemått", "Texten har tecken som inte går att spara. Ta bort dem och försök igen."),
        ("M" * 61, "Skriv högst 60 tecken."),
    ):
        _run(state, "submit", {**form, "custom_name": name})
        assert state.errors == {"custom_name": message}
        assert state.form_error == "Några svar behöver ändras. Se nedan."
    _run(state, "submit", {**form, "custom_name": " Mid\u200bje\u202emått "})
    assert state.errors == {} and state.notice == "Sparat: Midjemått 92 cm."
    with session_scope() as db:
        names = set(db.exec(select(Measurement.custom_name)).all())
    assert "Midjemått" in names and not any("\x00" in name for name in names)
