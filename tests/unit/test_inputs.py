"""Values from the browser and from people, checked before anything uses them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from naranara import inputs
from naranara.inputs import InputInvalid, form_text, moment, record_id
from naranara.models import CareContact, Measurement
from naranara.services import patient_contract


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7),
        ("42", 42),
        (2**31 - 1, 2**31 - 1),
        (2**31, None),
        (0, None),
        (-3, None),
        (True, None),
        ("4.2", None),
        ("٣", None),
        ("1" * 11, None),
        (None, None),
        ([1], None),
    ],
)
def test_record_id(value: object, expected: int | None) -> None:
    assert record_id(value) == expected


def test_moment_needs_an_iso_time_with_its_offset() -> None:
    assert moment("2026-11-23T08:00:00+01:00") == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    for bad in ("2026-11-23T08:00:00", "2026-13-45T25:61:00", "", None, 1700000000, "x" * 500):
        assert moment(bad) is None, bad


def test_form_text_takes_only_strings_and_cuts_them() -> None:
    assert form_text({"name": "Anna"}, "name", max_length=64) == "Anna"
    assert form_text({"name": "a" * 100}, "name", max_length=10) == "a" * 10
    assert form_text({"name": "Ann\udda0a"}, "name", max_length=64) == "Anna"
    for form in (None, "name=Anna", ["Anna"], {"name": ["Anna"]}, {"name": {"$ne": ""}}, {}):
        assert form_text(form, "name", max_length=64) == "", form


# ---------------------------------------------------------------------------- the text rule


@pytest.mark.parametrize(
    ("typed", "multiline", "stored"),
    [
        ("  Anna  ", False, "Anna"),
        ("Ane\u0301r", False, "Anér"),  # NFC: "é" as one character, whoever typed it
        ("Rad ett\r\nRad två\rRad tre", True, "Rad ett\nRad två\nRad tre"),
        ("Tab\tmellan\n\nrader ", True, "Tab\tmellan\n\nrader"),
        ("Tab\tmellan\nrader", False, "Tab mellan rader"),
        ("Maria   Sjögren", False, "Maria Sjögren"),
        ("\u202eSjögren\u202c", False, "Sjögren"),  # a right-to-left override
        ("Sj\u2066ö\u2069gren", True, "Sjögren"),  # an isolate
        ("\ufeffAn\u200bna\u2060", False, "Anna"),  # byte-order mark, zero-width space, joiner
        ("Ström\u00admätare", False, "Strömmätare"),  # a soft hyphen
        ("👨\u200d👩\u200d👧", True, "👨\u200d👩\u200d👧"),  # emoji joined: kept in free text
        ("👨\u200d👩", False, "👨👩"),  # not in a name
        ("\ue000 privat", False, "\ue000 privat"),  # private use: visible, kept
    ],
)
def test_the_text_rule(typed: str, multiline: bool, stored: str) -> None:
    assert inputs.clean_text(typed, multiline=multiline) == stored


@pytest.mark.parametrize("hostile", ["a\x00b", "a\x1b[31m", "a\x7f", "a\x85b", "a\udda0", "\ud800"])
@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_and_lone_surrogates_are_refused(hostile: str, multiline: bool) -> None:
    with pytest.raises(InputInvalid) as refused:
        inputs.checked_text(hostile, field="name", max_length=100, multiline=multiline)
    assert refused.value.errors == {"name": inputs.UNSAVEABLE}
    assert refused.value.texts("sv") == {
        "name": "Texten har tecken som inte går att spara. Ta bort dem och försök igen."
    }


def test_length_counts_characters_after_cleaning() -> None:
    assert inputs.checked_text("å" * 5, field="name", max_length=5) == "ååååå"
    # Five "å" typed as a + combining ring are ten code points, five characters once NFC.
    assert inputs.checked_text("a\u030a" * 5, field="name", max_length=5) == "ååååå"
    assert inputs.checked_text(" \u200bAnna\u200b ", field="name", max_length=4) == "Anna"
    with pytest.raises(InputInvalid) as refused:
        inputs.checked_text("x" * 6, field="name", max_length=5)
    assert refused.value.errors == {"name": inputs.TOO_LONG}
    assert refused.value.texts("sv") == {"name": "Skriv högst 5 tecken."}
    assert refused.value.texts("en") == {"name": "Please keep it to at most 5 characters."}


def test_required_empty_and_not_text() -> None:
    assert inputs.checked_text(None, field="unit", max_length=5) == ""
    for empty in ("", "   ", "\u200b\u202e", None):
        with pytest.raises(InputInvalid) as refused:
            inputs.checked_text(empty, field="name", max_length=5, required=True)
        assert refused.value.errors == {"name": inputs.REQUIRED}
    with pytest.raises(InputInvalid) as refused:
        inputs.checked_text(None, field="title", max_length=5, required="Write a title.")
    assert refused.value.errors == {"title": "Write a title."}
    for not_text in (12, ["Anna"], {"$ne": ""}, True):
        with pytest.raises(InputInvalid) as refused:
            inputs.checked_text(not_text, field="name", max_length=5)
        assert refused.value.errors == {"name": inputs.NOT_TEXT}


def test_limits_are_the_columns_own() -> None:
    assert inputs.column_length(CareContact, "name") == 120
    assert inputs.column_length(Measurement, "custom_name") == 60
    assert patient_contract.CONTACT_LIMITS["how_to_reach"] == 300


def test_a_form_input_gives_one_message_per_refused_field() -> None:
    typed = patient_contract.ContactInput.parse(
        {"name": "Maria", "role_title": "Sjuksköterska", "organisation": "Regionen", "x": 1}
    )
    assert (typed.name, typed.organisation_kind, typed.reach_by) == ("Maria", "region", [])
    for sent in (None, "name=Maria", ["Maria"]):
        with pytest.raises(InputInvalid) as refused:
            patient_contract.ContactInput.parse(sent)
        assert set(refused.value.errors) == {"name", "role_title", "organisation"}
    with pytest.raises(InputInvalid) as refused:
        patient_contract.ContactInput.parse(
            {
                "name": "M\x00aria",
                "role_title": "x" * 121,
                "organisation": "Regionen",
                "organisation_kind": "galaxy",
                "phone": "12",
                "reach_by": ["pigeon"],
            }
        )
    assert refused.value.errors == {
        "name": inputs.UNSAVEABLE,
        "role_title": inputs.TOO_LONG,
        "organisation_kind": inputs.CHOICE,
        "phone": patient_contract.ERROR_PHONE,
        "reach_by": inputs.CHOICE,
    }
    assert refused.value.texts("sv")["role_title"] == "Skriv högst 120 tecken."
