"""Kontakter and Tider as pages use them: forms that keep what was typed, conflicts, the
calendar download and subscription."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from naranara import clock
from naranara.db import session_scope
from naranara.http import calendar_routes
from naranara.models import (
    AgreedTime,
    AgreedTimeStatus,
    AuditEvent,
    CalendarFeed,
    CareContact,
    User,
)
from naranara.services import access, demo_data, patient_contract
from naranara.settings import DISPLAY_TIMEZONE, get_settings
from naranara.states.agreed_times import AgreedTimeFormState, AgreedTimesState
from naranara.states.care_contacts import CareContactFormState, CareContactsState
from tests.states.conftest import session_cookie_for, state_for

pytestmark = pytest.mark.usefixtures("seeded_db")


def _user(username: str) -> User:
    with session_scope() as db:
        return db.exec(select(User).where(User.username == username)).one()


def _run(state, name: str, *args):  # noqa: ANN001, ANN202
    return type(state).event_handlers[name].fn(state, *args)


def _next_week() -> str:
    return (clock.local_now() + timedelta(days=7)).date().isoformat()


def _time_form(**changes: str) -> dict[str, str]:
    return {
        "date": _next_week(),
        "start": "10:00",
        "end": "10:45",
        "purpose": "Provtagning",
        "place": "Hälsocentralen",
        "address": "",
        "with_whom": "",
        "meeting_url": "",
        "prepare": "",
        **changes,
    }


def test_adding_a_time_shows_it_with_its_source_and_calendar_link() -> None:
    cookie = session_cookie_for("anna")
    form = state_for(AgreedTimeFormState, cookie=cookie, path="/tider/ny")
    _run(form, "load")
    assert form.allowed and form.time_id == 0
    result = _run(form, "submit", _time_form())
    assert form.form_error == "" and "/tider" in str(result)
    # The next form this tab opens waits for its own load: none of this one is shown.
    assert not form.loaded
    page = state_for(AgreedTimesState, cookie=cookie, path="/tider")
    _run(page, "load")
    added = next(item for item in page.upcoming if item.purpose == "Provtagning")
    assert added.source == "Tillagt av dig"
    assert added.ics_href == f"/kalender/tid/{added.id}.ics"
    assert "kl. 10.00" in added.when
    assert page.can_edit and page.can_manage_feed


def test_a_refused_form_keeps_every_typed_character_and_says_why_in_swedish() -> None:
    form = state_for(AgreedTimeFormState, cookie=session_cookie_for("anna"), path="/tider/ny")
    _run(form, "load")
    key = form.form_key
    typed = _time_form(end="09:00", purpose="<script>alert(1)</script>", meeting_url="http://x.se")
    _run(form, "submit", typed)
    assert form.values == typed
    assert form.errors["end"] == "Sluttiden måste vara efter starttiden."
    assert form.errors["meeting_url"].startswith("Skriv en hel webbadress")
    assert form.errors["purpose"] == ""
    assert form.form_error != "" and form.form_key == key  # the inputs are not remounted
    with session_scope() as db:
        assert (
            db.exec(select(AgreedTime).where(AgreedTime.purpose == typed["purpose"])).first()
            is None
        )


def test_an_edit_from_another_device_is_not_overwritten_silently() -> None:
    cookie = session_cookie_for("anna")
    with session_scope() as db:  # a time Anna entered herself: hers to change
        item = db.exec(
            select(AgreedTime).where(AgreedTime.purpose == "Hembesök av fysioterapeut")
        ).one()
    path = f"/tider/andra?tid={item.id}"
    phone = state_for(AgreedTimeFormState, cookie=cookie, path=path)
    tablet = state_for(AgreedTimeFormState, cookie=cookie, path=path)
    _run(phone, "load")
    _run(tablet, "load")
    assert phone.values["purpose"] == "Hembesök av fysioterapeut"
    _run(phone, "submit", {**phone.values, "start": "11:00", "end": "11:30"})
    assert phone.form_error == ""
    mine = {**tablet.values, "prepare": "Ta med vågen"}
    result = _run(tablet, "submit", mine)
    assert result is None and "Någon annan ändrade tiden" in tablet.form_error
    assert tablet.values == mine  # still there, to save again on purpose
    with session_scope() as db:
        saved = db.get(AgreedTime, item.id)
        assert saved.status is AgreedTimeStatus.CHANGED and saved.prepare != "Ta med vågen"
    page = state_for(AgreedTimesState, cookie=cookie, path="/tider")
    _run(page, "load")
    moved = next(view for view in page.upcoming if view.id == item.id)
    assert moved.change_note.startswith("Ändrad: tiden flyttades från ")
    assert "kl. 09.00 till " in moved.change_note and moved.change_note.endswith("kl. 11.00.")
    # Saving again, having seen theirs: the tablet's whole form wins, time included.
    _run(tablet, "submit", mine)
    assert tablet.form_error == ""
    with session_scope() as db:
        assert db.get(AgreedTime, item.id).prepare == "Ta med vågen"


def test_cancelling_asks_first_then_keeps_the_time_crossed_out() -> None:
    page = state_for(AgreedTimesState, cookie=session_cookie_for("anna"), path="/tider")
    _run(page, "load")
    # Her own time: what the care unit recorded, she answers instead (test_answers_states).
    item = next(view for view in page.upcoming if view.status == "planned" and view.editable)
    _run(page, "confirm_cancel", item.id)
    assert page.confirming == item.id
    _run(page, "confirm_cancel", 0)
    assert page.confirming == 0
    _run(page, "cancel_time", item.id)
    cancelled = next(view for view in page.upcoming if view.id == item.id)
    assert cancelled.status == "cancelled" and cancelled.status_label == "Inställd"
    assert page.message.startswith("Tiden är inställd")


def test_staff_caring_for_anna_adds_a_contact_for_her_and_it_is_audited() -> None:
    anna, sara = _user("anna"), _user("sara")
    with session_scope() as db:
        access.record_care_relationship(session=db, staff_id=sara.id, resident_id=anna.id)
    cookie = session_cookie_for("sara")
    form = state_for(CareContactFormState, cookie=cookie, path=f"/kontakter/ny?invanare={anna.id}")
    _run(form, "load")
    assert form.allowed and form.back_href == f"/kontakter?invanare={anna.id}"
    assert "Fast läkarkontakt" in form.role_suggestions
    _run(
        form,
        "submit",
        {
            "name": "Lena Rehab",
            "role_title": "Rehab",
            "organisation": "Sundsvalls kommun",
            "organisation_kind": "municipality",
            "phone": "060 19 10 00",
            "reach_visit": "on",
        },
    )
    assert form.form_error == ""
    page = state_for(CareContactsState, cookie=cookie, path=f"/kontakter?invanare={anna.id}")
    _run(page, "load")
    lena = next(c for c in page.contacts if c.name == "Lena Rehab")
    assert (lena.phone, lena.phone_href) == ("060-19 10 00", "tel:+4660191000")
    assert lena.reach_by == "Besök" and lena.source == "Tillagt av dig"
    own = state_for(CareContactsState, cookie=session_cookie_for("anna"), path="/kontakter")
    _run(own, "load")
    assert next(c for c in own.contacts if c.name == "Lena Rehab").source.startswith(
        "Tillagt av Sara Holm"
    )
    assert f"invanare={anna.id}" in lena.edit_href
    with session_scope() as db:
        kinds = [e.kind for e in db.exec(select(AuditEvent).where(AuditEvent.actor_id == sara.id))]
    assert "record_changed" in kinds and "record_read" in kinds


def _contact_rows() -> set[tuple]:
    with session_scope() as db:
        return {(c.id, c.resident_id, c.name, c.phone) for c in db.exec(select(CareContact))}


def test_a_refused_contact_keeps_the_typed_phone_and_checkboxes() -> None:
    before = _contact_rows()
    form = state_for(CareContactFormState, cookie=session_cookie_for("anna"), path="/kontakter/ny")
    _run(form, "load")
    typed = {"name": "", "role_title": "Hemtjänst", "organisation": "Kommunen", "phone": "123"}
    _run(form, "submit", {**typed, "reach_phone": "on", "organisation_kind": "region"})
    assert form.values["phone"] == "123" and form.reach_by == ["phone"]
    assert form.errors["name"] == "Fyll i det här."
    assert form.errors["phone"].startswith("Det ser inte ut som ett telefonnummer")
    assert _contact_rows() == before  # nothing saved, nothing else touched
    with session_scope() as db:
        assert (
            db.exec(select(CareContact).where(CareContact.organisation == "Kommunen")).all() == []
        )


def test_a_contact_edited_on_two_devices_is_not_overwritten_silently() -> None:
    cookie = session_cookie_for("anna")
    anna = _user("anna")
    with session_scope() as db:  # a contact Anna enters herself: hers to change
        contact_id = patient_contract.add_care_contact(
            session=db,
            resident_id=anna.id,
            actor_id=anna.id,
            data={"name": "Grannen Gun Ås", "role_title": "Granne", "organisation": "Ingen"},
        ).id
    path = f"/kontakter/andra?kontakt={contact_id}"
    phone = state_for(CareContactFormState, cookie=cookie, path=path)
    tablet = state_for(CareContactFormState, cookie=cookie, path=path)
    page = state_for(CareContactsState, cookie=cookie, path="/kontakter")
    for state in (phone, tablet, page):
        _run(state, "load")
    _run(phone, "submit", {**phone.values, "name": "Gun Ås, grannen", "reach_phone": "on"})
    assert phone.form_error == ""
    mine = {**tablet.values, "opening_hours": "Kvällar"}
    result = _run(tablet, "submit", mine)
    assert result is None and tablet.form_error.startswith(
        "Någon annan ändrade kontakten medan du skrev. Sparat nu: Gun Ås, grannen."
    )
    assert tablet.values == mine  # still there, to save again on purpose
    with session_scope() as db:
        saved = db.get(CareContact, contact_id)
        assert (saved.name, saved.opening_hours, saved.version) == ("Gun Ås, grannen", "", 1)
    # Removing from a list loaded before the change removes nothing unseen.
    _run(page, "remove_contact", contact_id)
    assert page.message == "Någon ändrade kontakten nyss. Titta på den igen innan du tar bort den."
    assert next(c for c in page.contacts if c.id == contact_id).name == "Gun Ås, grannen"
    # Saving again, having seen theirs: the tablet's whole form wins.
    _run(tablet, "submit", mine)
    assert tablet.form_error == ""
    with session_scope() as db:
        saved = db.get(CareContact, contact_id)
        assert (saved.name, saved.opening_hours, saved.version) == ("Grannen Gun Ås", "Kvällar", 2)
    _run(page, "load")
    _run(page, "remove_contact", contact_id)
    assert page.message == "Kontakten är borttagen."
    with session_scope() as db:
        assert db.get(CareContact, contact_id) is None


def test_editing_and_removing_a_contact_of_someone_else_is_refused() -> None:
    anna = _user("anna")
    with session_scope() as db:
        contact = db.exec(select(CareContact).where(CareContact.resident_id == anna.id)).first()
    form = state_for(
        CareContactFormState,
        cookie=session_cookie_for("erik"),
        path=f"/kontakter/andra?kontakt={contact.id}&invanare={anna.id}",
    )
    _run(form, "load")
    assert not form.allowed and form.values["name"] == ""
    page = state_for(
        CareContactsState, cookie=session_cookie_for("erik"), path=f"/kontakter?invanare={anna.id}"
    )
    _run(page, "remove_contact", contact.id)
    assert page.message != ""
    with session_scope() as db:
        assert db.get(CareContact, contact.id) is not None


def test_an_entry_the_other_side_recorded_opens_no_form_and_says_whose_it_is() -> None:
    anna = _user("anna")
    with session_scope() as db:
        demo_data.seed_care(db)  # Sara's unit has Anna in its care, as in the demo
        contact = db.exec(
            select(CareContact).where(CareContact.resident_id == anna.id, CareContact.care_side)
        ).first()
        own = AgreedTime(
            resident_id=anna.id,
            starts_at=clock.now() + timedelta(days=3),
            ends_at=clock.now() + timedelta(days=3, hours=1),
            purpose="Fotvård",
            added_by_id=anna.id,
        )
        db.add(own)
        db.flush()
        own_id = own.id
    form = state_for(
        CareContactFormState,
        cookie=session_cookie_for("anna"),
        path=f"/kontakter/andra?kontakt={contact.id}",
    )
    _run(form, "load")
    assert not form.allowed and form.values["name"] == ""
    assert form.other_side.startswith("Din vårdenhet har lagt in det här")
    # Sara, of Anna's care unit, may change the unit's contact; not Anna's own time.
    staff = state_for(
        CareContactFormState,
        cookie=session_cookie_for("sara"),
        path=f"/kontakter/andra?kontakt={contact.id}&invanare={anna.id}",
    )
    _run(staff, "load")
    assert (staff.allowed, staff.other_side, staff.values["name"]) == (True, "", contact.name)
    time_form = state_for(
        AgreedTimeFormState,
        cookie=session_cookie_for("sara"),
        path=f"/tider/andra?tid={own_id}&invanare={anna.id}",
    )
    _run(time_form, "load")
    assert not time_form.allowed
    assert (
        time_form.other_side == "Invånaren har lagt in det här själv, så det är hen som ändrar det."
    )


# ---------------------------------------------------------------------------- calendar routes


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=calendar_routes.routes), base_url="http://localhost")


def test_one_time_downloads_as_an_ics_attachment_for_its_resident_only(client: TestClient) -> None:
    anna = _user("anna")
    with session_scope() as db:
        item = db.exec(select(AgreedTime).where(AgreedTime.resident_id == anna.id)).first()
    url = calendar_routes.time_ics_url(item.id)
    anonymous = client.get(url)
    assert anonymous.status_code == 404 and item.purpose not in anonymous.text
    client.headers["cookie"] = session_cookie_for("anna")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["content-disposition"] == f'attachment; filename="tid-{item.id}.ics"'
    (event,) = Calendar.from_ical(response.content).events
    assert str(event["SUMMARY"]) == item.purpose
    assert event.start == item.starts_at.astimezone(DISPLAY_TIMEZONE)
    client.headers["cookie"] = session_cookie_for("erik")
    assert client.get(url).status_code == 404


def test_the_feed_opens_with_its_token_only_until_sharing_stops(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NARA_PUBLIC_URL", "https://nara.example.se")
    get_settings.cache_clear()
    page = state_for(AgreedTimesState, cookie=session_cookie_for("anna"), path="/tider")
    _run(page, "load")
    _run(page, "create_feed")
    assert page.feed_link.startswith("https://nara.example.se/kalender/prenumeration/")
    assert page.feed_webcal == page.feed_link.replace("https://", "webcal://")
    assert "anna" not in page.feed_link.lower()
    path = "/" + page.feed_link.split("/", 3)[3]
    response = client.get(path)
    assert response.status_code == 200 and response.headers["cache-control"].startswith("private")
    events = Calendar.from_ical(response.content).events
    assert "Uppföljning av hjärtsvikt" in [str(e["SUMMARY"]) for e in events]
    with session_scope() as db:
        assert db.exec(select(CalendarFeed)).one().last_fetched_at is not None
    unknown = client.get("/kalender/prenumeration/not-a-token.ics")
    assert (unknown.status_code, unknown.text) == (404, "Not found")
    _run(page, "revoke_feed")
    assert page.feed_link == "" and not page.feed_active
    gone = client.get(path)
    assert (gone.status_code, gone.text) == (404, "Not found")
