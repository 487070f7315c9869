"""Vad är viktigt för dig?: autosave, conflicts, validation, sharing, history and the PDF."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import select
from starlette.applications import Starlette

from naranara.db import session_scope
from naranara.http import profile_routes
from naranara.models import AuditEvent, AuditKind, User
from naranara.services import access, profile, profile_pdf, sessions
from naranara.states.what_matters import WhatMattersState
from tests.states.conftest import session_cookie_for, state_for

pytestmark = pytest.mark.usefixtures("seeded_db")


def _user_id(username: str) -> int:
    with session_scope() as db:
        return db.exec(select(User.id).where(User.username == username)).one()


def _stored(username: str) -> profile.WhatMattersProfile:
    with session_scope() as db:
        return profile.get(session=db, resident_id=_user_id(username))


def _tab(username: str = "anna", path: str = "/viktigt/fyll-i") -> WhatMattersState:
    state = state_for(WhatMattersState, cookie=session_cookie_for(username), path=path)
    WhatMattersState.load.fn(state)
    return state


def _type(state: WhatMattersState, field: str, text: str) -> None:
    """What a blur or a pause in typing sends; the handler yields a status first."""
    list(WhatMattersState.save_text.fn(state, field, text))


def _other_device_saves(field: str, text: str, username: str = "anna") -> None:
    with session_scope() as db:
        found = profile.get(session=db, resident_id=_user_id(username))
        profile.save(
            session=db,
            resident_id=found.resident_id,
            changes={field: text},
            expected_version=found.version,
            changed_by_id=found.resident_id,
        )


def _share(username: str = "anna", shared: bool = True) -> None:
    with session_scope() as db:
        profile.set_shared(
            session=db, resident_id=_user_id(username), shared=shared, changed_by_id=None
        )


def test_text_saves_with_a_visible_time_and_stays_as_typed() -> None:
    state = _tab()
    assert (state.allowed, state.can_edit, state.heading) == (True, True, "Vad är viktigt för dig?")
    _type(state, "important_to_me", "Mina barnbarn <b>och</b> min trädgård\n")
    assert _stored("anna").important_to_me == "Mina barnbarn <b>och</b> min trädgård"
    assert state.save_state == "saved"
    assert re.fullmatch(r"Sparat kl\. \d\d\.\d\d", state.save_message)
    assert state.sections[0].lines[0].text == "Mina barnbarn <b>och</b> min trädgård"
    # Typing on: the next save starts from the version just saved, so no conflict.
    _type(state, "important_to_me", "Mina barnbarn")
    assert (_stored("anna").important_to_me, _stored("anna").version) == ("Mina barnbarn", 2)


def test_an_over_long_text_is_kept_and_explained_in_swedish() -> None:
    state = _tab()
    _type(state, "worries_me", "Sömnen")
    too_long = "Jag oroar mig " + "mycket " * 300
    _type(state, "worries_me", too_long)
    assert state.errors["worries_me"] == "Skriv högst 2000 tecken."  # inputs.TOO_LONG
    assert state.save_state == "error"
    assert state.drafts["worries_me"] == too_long  # nothing typed is lost
    assert _stored("anna").worries_me == "Sömnen"  # and nothing stored is lost
    # Opening the page again (a reload, the next question) still shows what was typed.
    WhatMattersState.load.fn(state)
    assert state.drafts["worries_me"] == too_long
    _type(state, "worries_me", "Sömnen och trappan")
    assert (state.errors["worries_me"], _stored("anna").worries_me) == ("", "Sömnen och trappan")


def test_a_conflict_shows_both_texts_and_keeps_mine_only_when_asked() -> None:
    state = _tab()
    _other_device_saves("my_goals", "Från telefonen")
    _type(state, "my_goals", "Från datorn")
    assert _stored("anna").my_goals == "Från telefonen"
    assert state.save_message == (
        "Det här ändrades på en annan enhet. Välj vilken text du vill behålla."
    )
    [conflict] = state.conflicts
    assert (conflict.saved_text, conflict.my_text, conflict.label) == (
        "Från telefonen",
        "Från datorn",
        "Mina mål",
    )
    # Typing on while undecided changes "my text", never the stored one.
    _type(state, "my_goals", "Från datorn, igen")
    assert state.conflicts[0].my_text == "Från datorn, igen"
    assert _stored("anna").my_goals == "Från telefonen"

    WhatMattersState.keep_mine.fn(state, "my_goals")
    assert (state.conflicts, _stored("anna").my_goals) == ([], "Från datorn, igen")


def test_using_the_saved_text_changes_nothing_stored() -> None:
    state = _tab()
    _other_device_saves("gives_me_energy", "Promenader")
    _type(state, "gives_me_energy", "Musik")
    old_key = state.field_keys["gives_me_energy"]
    version = _stored("anna").version
    WhatMattersState.use_saved.fn(state, "gives_me_energy")
    assert state.conflicts == []
    assert state.drafts["gives_me_energy"] == "Promenader"
    assert state.field_keys["gives_me_energy"] != old_key  # the field shows the saved text
    assert _stored("anna").version == version
    _type(state, "gives_me_energy", "Promenader och musik")  # and edits go on from there
    assert _stored("anna").gives_me_energy == "Promenader och musik"


def test_a_change_to_another_field_elsewhere_is_taken_in_not_overwritten() -> None:
    state = _tab()
    _other_device_saves("important_people", "Min syster Karin")
    _type(state, "worries_me", "Att vara ensam")
    stored = _stored("anna")
    assert (stored.important_people, stored.worries_me) == ("Min syster Karin", "Att vara ensam")
    assert state.drafts["important_people"] == "Min syster Karin"
    assert state.conflicts == []


def test_a_signed_out_tab_keeps_the_text_and_saves_nothing() -> None:
    state = _tab()
    with session_scope() as db:
        sessions.end_all_sessions(session=db, user_id=_user_id("anna"))
    _type(state, "my_goals", "Klara trapporna")
    assert state.drafts["my_goals"] == "Klara trapporna"
    assert state.save_state == "error"
    assert "utloggad" in state.save_message
    assert _stored("anna").version == 0


def test_choices_and_interpreter_save_at_once() -> None:
    state = _tab()
    WhatMattersState.toggle_choice.fn(state, "contact_channels", "sms")
    WhatMattersState.toggle_choice.fn(state, "contact_channels", "phone")
    WhatMattersState.toggle_choice.fn(state, "contact_channels", "sms")
    WhatMattersState.toggle_choice.fn(state, "aids", "fax")  # not a choice: ignored
    WhatMattersState.set_interpreter.fn(state, True)
    stored = _stored("anna")
    assert (stored.contact_channels, stored.aids, stored.needs_interpreter) == ("phone", "", True)
    assert state.choices["contact_channels"] == ["phone"]
    contact = next(s for s in state.sections if s.key == "contact")
    assert [(line.label, line.text) for line in contact.lines] == [
        ("Så kan ni kontakta mig", "Telefon")
    ]


def test_guided_fill_opens_at_a_question_and_stays_in_range() -> None:
    state = _tab(path="/viktigt/fyll-i?fraga=5")
    assert (state.question, state.question_label) == (5, "Fråga 5 av 8")
    WhatMattersState.show_question.fn(state, 9)
    assert (state.question, state.question_label) == (8, "Fråga 8 av 8")
    WhatMattersState.show_question.fn(state, 0)
    assert state.question == 1
    assert _tab(path="/viktigt/fyll-i?fraga=x").question == 1


def test_staff_read_only_what_is_shared_with_them_and_it_is_audited() -> None:
    anna, sara = _user_id("anna"), _user_id("sara")
    _other_device_saves("important_to_me", "Att få vara hemma")
    with session_scope() as db:
        access.record_care_relationship(session=db, staff_id=sara, resident_id=anna)
    path = f"/viktigt?invanare={anna}"

    state = _tab("sara", path)
    assert (state.loaded, state.allowed) == (True, False)
    assert state.drafts["important_to_me"] == ""

    _share()
    state = _tab("sara", path)
    assert (state.allowed, state.can_edit) == (True, False)
    assert state.heading == "Det här är viktigt för Anna Lindqvist"
    assert state.sections[0].lines[0].text == "Att få vara hemma"
    assert state.pdf_url == f"/viktigt/sammanfattning.pdf?invanare={anna}"
    _type(state, "important_to_me", "Skrivet av personalen")
    assert state.save_message == "Bara du kan ändra din egen profil."
    assert _stored("anna").important_to_me == "Att få vara hemma"
    with session_scope() as db:
        reads = db.exec(
            select(AuditEvent).where(
                AuditEvent.kind == AuditKind.RECORD_READ, AuditEvent.actor_id == sara
            )
        ).all()
    assert [(e.subject_id, e.detail) for e in reads] == [(anna, "what_matters_profile")]

    # A relative sees nothing, shared or not: there is no grant for the profile.
    relative = _tab("erik", path)
    assert (relative.loaded, relative.allowed, relative.drafts["important_to_me"]) == (
        True,
        False,
        "",
    )


def test_sharing_is_switched_by_the_resident() -> None:
    state = _tab(path="/viktigt")
    WhatMattersState.set_shared.fn(state, True)
    assert (state.shared, _stored("anna").shared_with_care) == (True, True)
    assert state.save_message == "Nu kan dina vårdkontakter läsa din profil."
    WhatMattersState.set_shared.fn(state, False)
    assert (state.shared, _stored("anna").shared_with_care) == (False, False)
    WhatMattersState.set_shared.fn(state, "yes")  # not a yes/no: ignored, still not shared
    assert (state.shared, _stored("anna").shared_with_care) == (False, False)


def test_history_names_who_changed_what_newest_first() -> None:
    state = _tab()
    _type(state, "my_goals", "Gå till affären")
    _type(state, "my_goals", "")
    WhatMattersState.load_history.fn(state)
    assert [entry.who for entry in state.history] == ["Du", "Du"]
    assert [(c.label, c.text) for c in state.history[0].changes] == [("Mina mål", "(tömt)")]
    assert [(c.label, c.text) for c in state.history[1].changes] == [
        ("Mina mål", "Gå till affären")
    ]


def test_summary_shows_only_what_is_filled_in() -> None:
    state = _tab(path="/viktigt/sammanfattning")
    _type(state, "important_people", "Min granne Sven")
    WhatMattersState.load_summary.fn(state)
    assert [s.title for s in state.sections] == ["Viktiga personer i mitt liv"]
    assert state.subject_name == "Anna Lindqvist"
    assert state.summary_updated.startswith("Uppdaterad ")
    assert state.pdf_url == "/viktigt/sammanfattning.pdf"


# ---------------------------------------------------------------------------- the PDF


async def _get_pdf(username: str | None, query: str = "") -> httpx.Response:
    app = Starlette(routes=profile_routes.routes)
    cookie = session_cookie_for(username) if username else ""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.get(f"/viktigt/sammanfattning.pdf{query}", headers={"cookie": cookie})


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_the_pdf_holds_the_residents_own_words() -> None:
    _other_device_saves("important_to_me", "Kaffe på altanen (varje morgon) – 🌞 och 日本")
    response = await _get_pdf("anna")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Det här är viktigt för mig" in text
    assert "Anna Lindqvist" in text
    # Characters the embedded font cannot draw (an emoji, Chinese) print as "?".
    assert "Kaffe på altanen (varje morgon) – ? och ??" in text


async def test_the_pdf_follows_the_policy() -> None:
    anna, sara = _user_id("anna"), _user_id("sara")
    _other_device_saves("important_to_me", "Hemligt tills jag delar")
    with session_scope() as db:
        access.record_care_relationship(session=db, staff_id=sara, resident_id=anna)

    signed_out = await _get_pdf(None)
    assert (signed_out.status_code, signed_out.headers["location"]) == (
        303,
        "/logga-in?next=/viktigt/sammanfattning",
    )
    not_shared = await _get_pdf("sara", f"?invanare={anna}")
    assert (not_shared.status_code, not_shared.text) == (403, "Du har inte tillgång till det här.")
    relative = await _get_pdf("erik", f"?invanare={anna}")
    assert relative.status_code == 403
    _share()
    shared = await _get_pdf("sara", f"?invanare={anna}")
    assert shared.status_code == 200
    assert "Hemligt tills jag delar" in _pdf_text(shared.content)
    # Someone without a profile of their own gets an empty page, not someone else's.
    own = await _get_pdf("sara", "?invanare=abc")
    assert own.status_code == 403


def test_a_long_unbroken_text_still_makes_a_pdf() -> None:
    summary = profile.Summary(
        resident_name="Anna",
        updated_at=None,
        sections=(
            profile.SummarySection(
                key="important",
                title="Det här är viktigt för mig",
                items=(profile.SummaryItem(label="", text="å" * 2000 + "\n\n\t" + "x " * 900),),
            ),
        ),
    )
    content = profile_pdf.render_summary_pdf(summary, locale="sv")
    assert content.startswith(b"%PDF") and len(content) > 1000
    # Wrapped over many lines, every character is on the page: nothing is cut off.
    text = _pdf_text(content)
    assert (text.count("å"), text.count("x")) == (2000, 900)
