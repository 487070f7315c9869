"""Personnummer: checked with the control digit, kept only as a keyed hash, shown masked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from naranara.services import personnummer
from naranara.settings import get_secret_key, get_settings

TODAY = date(2026, 12, 5)


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NARA_PERSONNUMMER_KEY", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "typed", ["19121212-1212", "191212121212", " 1912 1212 - 1212 ", "19121212+1212"]
)
def test_twelve_digits_in_the_usual_ways(typed: str) -> None:
    found = personnummer.parse(typed, today=TODAY)
    assert found.digits == "191212121212"
    assert found.birth_date == date(1912, 12, 12)
    assert found.masked == "19121212-••••"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("19121212-1213", personnummer.ERROR_INVALID),  # the control digit
        ("19121312-1212", personnummer.ERROR_INVALID),  # no 13th month
        ("121212-1212", personnummer.ERROR_FORMAT),  # ten digits: the century is a guess
        ("1912121212", personnummer.ERROR_FORMAT),
        ("19121212-121", personnummer.ERROR_FORMAT),
        ("abcdefgh-ijkl", personnummer.ERROR_FORMAT),
        ("", personnummer.ERROR_FORMAT),
        ("٢٠٢٠١٢١٢١٢١٢", personnummer.ERROR_FORMAT),  # digits, but not 0-9
    ],
)
def test_refused_with_a_reason(typed: str, message: str) -> None:
    with pytest.raises(personnummer.InvalidPersonnummer) as refused:
        personnummer.parse(typed, today=TODAY)
    assert refused.value.message == message
    assert "1212" not in refused.value.message  # the message never repeats the number


def test_a_birth_date_after_today_is_refused() -> None:
    with pytest.raises(personnummer.InvalidPersonnummer) as refused:
        personnummer.parse("19121212-1212", today=date(1912, 12, 11))
    assert refused.value.message == personnummer.ERROR_FUTURE
    assert personnummer.parse("19121212-1212", today=date(1912, 12, 12)).digits


def test_the_hash_is_keyed_stable_and_reveals_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    number = personnummer.parse("19121212-1212", today=TODAY)
    first = personnummer.keyed_hash(number)
    assert first == personnummer.keyed_hash(personnummer.parse("191212121212", today=TODAY))
    assert len(first) == 64 and "191212121212" not in first
    other = personnummer.parse("19450312-1230", today=TODAY)
    assert "1230" not in repr(other) and "1230" not in str(other)  # not even in a traceback
    monkeypatch.setenv("NARA_PERSONNUMMER_KEY", "another-deployment-key-0123456789")
    get_settings.cache_clear()
    assert personnummer.keyed_hash(number) != first


def test_the_key_is_made_once_and_kept_apart_from_the_secret_key(tmp_path: Path) -> None:
    number = personnummer.parse("19121212-1212", today=TODAY)
    first = personnummer.keyed_hash(number)
    key_file = tmp_path / "personnummer_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text().strip() != get_secret_key()
    assert personnummer.keyed_hash(number) == first
