"""Enrolment, activation and times agreed from both sides, as the pages use them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from naranara import clock
from naranara.db import session_scope
from naranara.models import AgreedTime, AuditEvent, AuditKind, ProxyScope, User
from naranara.services import accounts, care_units, demo_data, throttle
from naranara.states.activation import ActivationState
from naranara.states.agreed_times import AgreedTimesState
from naranara.states.care_sharing import CareSharingState
from naranara.states.enrolment import EnrolState, ResidentOverviewState
from naranara.states.my_residents import MyResidentsState
from tests.states.conftest import full_page_load_path, session_cookie_for, state_for

pytestmark = pytest.mark.usefixtures("seeded_db")
PASSWORD = "en lång mening om kaffe"


@pytest.fixture(autouse=True)
def _care_side(seeded_db: str) -> None:
    """Sara works at Hälsocentralen Nacksta, which has Anna in its care (the demo)."""
    with session_scope() as db:
        demo_data.seed_care(db)


def _user(username: str) -> User:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one()


async def _run(state, name: str, *args):  # noqa: ANN001, ANN202
    result = type(state).event_handlers[name].fn(state, *args)
    return await result if hasattr(result, "__await__") else result


async def _enrol(form: dict) -> EnrolState:
    enrol = state_for(EnrolState, cookie=session_cookie_for("sara"), path="/mina-invanare/ny")
    await _run(enrol, "load")
    assert enrol.allowed and enrol.values["fixed_contact"].endswith(f":{_user('sara').id}")
    await _run(enrol, "submit", {**enrol.values, **form})
    return enrol


async def test_enrol_print_and_activate_with_a_password() -> None:
    enrol = await _enrol(
        {"display_name": "Maj Ek", "phone": "070-765 43 21", "personnummer": "19121212-1212"}
    )
    assert enrol.form_error == "" and enrol.has_sheet
    sheet = enrol.sheet
    assert (sheet.name, sheet.username, sheet.unit) == (
        "Maj Ek",
        "maj.ek",
        "Hälsocentralen Nacksta",
    )
    assert sheet.qr.startswith("data:image/svg+xml") and re.fullmatch(r"[0-9A-Z-]{14}", sheet.code)
    # Nothing typed stays behind: the personnummer least of all.
    assert enrol.values["personnummer"] == "" and "19121212" not in repr(enrol.dict())
    code = sheet.code.replace("-", "")
    with session_scope() as db:
        details = " ".join(e.detail for e in db.exec(select(AuditEvent)).all())
    assert "19121212" not in details and code not in details

    page = state_for(ActivationState, cookie="nara_device=phone-1", path=f"/aktivera?kod={code}")
    await _run(page, "load")
    assert page.usable and (page.name, page.username) == ("Maj Ek", "maj.ek")
    await _run(page, "activate", {"password": "kort", "repeat": "kort"})
    assert page.password_error.startswith("Välj ett lösenord med minst 12 tecken")
    await _run(page, "activate", {"password": PASSWORD, "repeat": PASSWORD + "!"})
    assert page.repeat_error.startswith("Lösenorden är inte likadana")
    assert await _run(page, "activate", {"password": PASSWORD, "repeat": PASSWORD}) is None
    loaded = full_page_load_path(page)
    assert loaded.startswith("/auth/session?ticket=") and "valkommen" in loaded
    with session_scope() as db:
        assert accounts.authenticate(session=db, username="maj.ek", password=PASSWORD)
    again = state_for(ActivationState, cookie="nara_device=phone-2", path=f"/aktivera?kod={code}")
    await _run(again, "load")
    assert not again.usable and again.error.startswith("Aktiveringskoden har redan använts")


async def test_wrong_codes_are_throttled() -> None:
    for _ in range(throttle.FREE_ACTIVATION_FAILURES_PER_CLIENT + 1):
        page = state_for(ActivationState, path="/aktivera?kod=AAAABBBBCCCC")
        await _run(page, "load")
    assert page.error.startswith("För många försök")
    with session_scope() as db:
        kinds = [e.kind for e in db.exec(select(AuditEvent)).all()]
    assert AuditKind.ACTIVATION_THROTTLED.value in kinds


async def test_a_nurse_enrols_only_into_her_own_unit_with_a_colleague_there() -> None:
    with session_scope() as db:
        haga = care_units.unit_named(session=db, name="Hemtjänstgrupp Haga")
        haga_id = haga.id
    enrol = await _enrol({"display_name": "Ove", "unit": str(haga_id)})
    assert not enrol.has_sheet and enrol.errors["unit"] == "Välj ett av alternativen."
    enrol = await _enrol({"display_name": "Ove", "fixed_contact": f"{haga_id}:1"})
    assert not enrol.has_sheet and enrol.errors["fixed_contact"].startswith("Välj en fast")
    refused = state_for(EnrolState, cookie=session_cookie_for("anna"), path="/mina-invanare/ny")
    await _run(refused, "load")
    await _run(refused, "submit", {"display_name": "Ove"})
    assert not refused.allowed and not refused.has_sheet


async def test_the_resident_asks_for_another_time_and_sees_the_nurses_answer() -> None:
    anna, sara = session_cookie_for("anna"), session_cookie_for("sara")
    mine = state_for(AgreedTimesState, cookie=anna, path="/tider")
    await _run(mine, "load")
    care_time = next(i for i in mine.upcoming if i.purpose == "Uppföljning av hjärtsvikt")
    assert care_time.answerable and not care_time.editable
    await _run(mine, "ask_other_time", care_time.id)
    await _run(mine, "send_other_time", {"text": ""})
    assert mine.answer_error == "Fyll i det här."
    await _run(mine, "send_other_time", {"text": "Går det en eftermiddag?"})
    assert mine.message.startswith("Skickat")
    asked = next(i for i in mine.upcoming if i.id == care_time.id)
    assert asked.answer == "other_time"

    anna_id = _user("anna").id
    nurse = state_for(AgreedTimesState, cookie=sara, path=f"/tider?invanare={anna_id}")
    await _run(nurse, "load")
    waiting = next(i for i in nurse.upcoming if i.id == care_time.id)
    assert waiting.open_request == "Anna Lindqvist ber om en annan tid: Går det en eftermiddag?"
    assert waiting.editable and not waiting.answerable
    await _run(nurse, "open_reply", care_time.id)
    await _run(nurse, "send_reply", {"text": "Jag ringer dig i morgon."})
    assert nurse.message.startswith("Ditt svar är skickat")

    await _run(mine, "load")
    history = [e.what for e in next(i for i in mine.upcoming if i.id == care_time.id).history]
    assert history[-2:] == [
        "Du bad om en annan tid. Vårdenheten har svarat.",
        "Sara Holm, Hälsocentralen Nacksta svarade.",
    ]
    # Her own time stays hers: the nurse cannot change it, she can.
    own = next(i for i in mine.upcoming if i.purpose == "Hembesök av fysioterapeut")
    assert own.editable and not own.answerable


async def test_bo_cannot_answer_annas_time() -> None:
    with session_scope() as db:
        bo = accounts.create_user(
            session=db, username="bo", display_name="Bo", role=accounts.Role.RESIDENT
        )
        care_time = db.exec(
            select(AgreedTime).where(AgreedTime.purpose == "Uppföljning av hjärtsvikt")
        ).one()
        bo_id, time_id = bo.id, care_time.id
    assert bo_id
    page = state_for(AgreedTimesState, cookie=session_cookie_for("bo"), path="/tider")
    await _run(page, "load")
    await _run(page, "say_coming", time_id)
    assert page.message == "Det kan du inte göra här."


async def test_self_monitoring_needs_her_consent_and_opening_is_logged() -> None:
    anna_id = _user("anna").id
    sara = session_cookie_for("sara")
    residents = state_for(MyResidentsState, cookie=sara, path="/mina-invanare")
    await _run(residents, "load")
    anna_row = next(r for r in residents.residents if r.name == "Anna Lindqvist")
    assert anna_row.requests == "1 önskemål om en annan tid"
    assert [r.name for r in residents.residents if r.not_activated] == ["Greta Nilsson"]
    assert residents.follow_up == []  # nothing shared yet
    sharing = state_for(CareSharingState, cookie=session_cookie_for("anna"), path="/x")
    await _run(sharing, "load")
    unit = sharing.units[0]
    await _run(sharing, "toggle", unit.id, ProxyScope.MEASUREMENTS.value)
    assert sharing.message == "Hälsocentralen Nacksta kan nu följa det här."
    await _run(residents, "load")
    assert [(f.name, f.reason) for f in residents.follow_up][:1] == [
        ("Anna Lindqvist", "Ett mätvärde över gränsen i ”Väg dig”")
    ]
    overview = state_for(
        ResidentOverviewState, cookie=sara, path=f"/mina-invanare/invanare?invanare={anna_id}"
    )
    await _run(overview, "load")
    assert overview.allowed and overview.personnummer == "19450312-••••"
    assert overview.flags and "Mätvärden" in [link.label for link in overview.links]
    with session_scope() as db:
        read = db.exec(
            select(AuditEvent).where(
                AuditEvent.subject_id == anna_id, AuditEvent.detail == "overview"
            )
        ).all()
    assert [e.actor_id for e in read] == [_user("sara").id]


async def test_ending_the_care_relationship_ends_access_at_the_next_event() -> None:
    anna_id = _user("anna").id
    sara = session_cookie_for("sara")
    path = f"/mina-invanare/invanare?invanare={anna_id}"
    overview = state_for(ResidentOverviewState, cookie=sara, path=path)
    await _run(overview, "load")
    times = state_for(AgreedTimesState, cookie=sara, path=f"/tider?invanare={anna_id}")
    await _run(times, "load")
    assert times.allowed
    await _run(overview, "confirm_end", True)
    await _run(overview, "end_care")
    assert overview.ended and overview.message.startswith("Vårdrelationen med Anna Lindqvist")
    await _run(times, "load")  # the same open tab, its next event
    assert not times.allowed and times.upcoming == []


async def test_a_new_sheet_replaces_the_old_code() -> None:
    greta = _user("greta.nilsson")
    sara = session_cookie_for("sara")
    path = f"/mina-invanare/invanare?invanare={greta.id}"
    overview = state_for(ResidentOverviewState, cookie=sara, path=path)
    await _run(overview, "load")
    assert not overview.activated
    with clock.travel(clock.now() + timedelta(minutes=1)):
        await _run(overview, "new_activation")
    assert overview.has_sheet and overview.sheet.username == "greta.nilsson"
    code = overview.sheet.code.replace("-", "")
    page = state_for(ActivationState, path=f"/aktivera?kod={code}")
    await _run(page, "load")
    assert page.usable


async def test_a_relative_answers_for_her_marked_as_his() -> None:
    from naranara.services import access

    anna, erik = _user("anna"), _user("erik")
    with session_scope() as db:
        access.grant(
            session=db, resident_id=anna.id, relative_id=erik.id, scope=ProxyScope.CARE_PLAN
        )
    page = state_for(
        AgreedTimesState, cookie=session_cookie_for("erik"), path=f"/tider?invanare={anna.id}"
    )
    await _run(page, "load")
    care_time = next(i for i in page.upcoming if i.purpose == "Uppföljning av hjärtsvikt")
    assert care_time.answerable and not care_time.editable
    assert page.coming_label == "Anna Lindqvist kommer"
    await _run(page, "say_coming", care_time.id)
    mine = state_for(AgreedTimesState, cookie=session_cookie_for("anna"), path="/tider")
    await _run(mine, "load")
    answered = next(i for i in mine.upcoming if i.id == care_time.id)
    assert answered.answer == "coming"
    assert answered.history[-1].what == "Erik Lindqvist för Anna Lindqvist svarade: kommer."
