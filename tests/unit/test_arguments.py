"""Values from the browser, checked before a handler uses them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from naranara.inputs import form_text, moment, record_id


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
