"""Password rules in the spirit of NIST SP 800-63B: long enough, not known, no composition rules."""

from __future__ import annotations

import pytest

from naranara.i18n import gettext
from naranara.services.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PASSWORD_IS_USERNAME,
    PASSWORD_TOO_COMMON,
    PASSWORD_TOO_LONG,
    PASSWORD_TOO_SHORT,
    password_problem,
)


@pytest.mark.parametrize(
    "password",
    [
        "rätt häst batteri häftstift",  # words in a row, spaces and Swedish letters
        "correcthorsebattery",  # no digits, no capitals, no symbols: fine
        "ÅÄÖåäöÅÄÖåäö",  # twelve characters, more than twelve bytes
        "x" * 11 + "y",
        "a" * (MAX_PASSWORD_LENGTH - 1) + "b",
    ],
)
def test_long_unknown_passwords_are_fine_whatever_they_are_made_of(password: str) -> None:
    assert password_problem(password, username="sara") is None


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", PASSWORD_TOO_SHORT),
        ("kort", PASSWORD_TOO_SHORT),
        ("x" * (MIN_PASSWORD_LENGTH - 2) + "y", PASSWORD_TOO_SHORT),
        ("a" * MAX_PASSWORD_LENGTH + "b", PASSWORD_TOO_LONG),
        ("sara.holm.nacksta", PASSWORD_IS_USERNAME),
        ("  SARA.HOLM.NACKSTA ", PASSWORD_IS_USERNAME),
        ("password1234", PASSWORD_TOO_COMMON),
        ("Lösenord1234", PASSWORD_TOO_COMMON),
        ("QWERTY123456", PASSWORD_TOO_COMMON),
        ("aaaaaaaaaaaaaaa", PASSWORD_TOO_COMMON),
        ("            ", PASSWORD_TOO_COMMON),
        ("abcdefghijklmn", PASSWORD_TOO_COMMON),
        ("1357924680abc", None),  # digits and letters, but no run: fine
        ("qwertyuiopåasdf", PASSWORD_TOO_COMMON),
    ],
)
def test_short_long_own_name_and_common_passwords_are_refused(
    password: str, problem: str | None
) -> None:
    assert password_problem(password, username="Sara.Holm.Nacksta") == problem


def test_length_counts_characters_after_normalisation() -> None:
    # "å" written as "a" plus a combining ring is one character, as the person sees it.
    decomposed = "a\u030a" * 11
    assert password_problem(decomposed, username="sara") == PASSWORD_TOO_SHORT
    assert password_problem(decomposed + "bc", username="sara") is None


@pytest.mark.parametrize(
    "problem", [PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG, PASSWORD_IS_USERNAME, PASSWORD_TOO_COMMON]
)
def test_every_problem_reads_in_swedish_and_english(problem: str) -> None:
    swedish, english = gettext("sv", problem), gettext("en", problem)
    assert swedish != problem and swedish.strip()
    assert english == problem
