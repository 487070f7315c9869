"""Dates, times and numbers as a reader in Sweden expects them, in Stockholm time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from naranara.i18n.formatting import (
    format_date_with_year,
    format_day,
    format_day_and_time,
    format_number,
    format_relative,
    format_time,
    to_local,
)
from naranara.settings import DISPLAY_TIMEZONE

TUESDAY_AFTERNOON = datetime(2026, 3, 3, 13, 30, tzinfo=UTC)  # 14.30 in Stockholm


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("sv", "tisdag 3 mars kl. 14.30"), ("en", "Tuesday 3 March at 14:30")],
)
def test_day_and_time(locale: str, expected: str) -> None:
    assert format_day_and_time(TUESDAY_AFTERNOON, locale) == expected


def test_day_and_time_in_summer_time() -> None:
    summer = datetime(2026, 7, 3, 13, 30, tzinfo=UTC)
    assert format_day_and_time(summer, "sv") == "fredag 3 juli kl. 15.30"
    assert format_day_and_time(summer, "en") == "Friday 3 July at 15:30"


def test_the_same_moment_given_in_another_zone_reads_the_same() -> None:
    same = TUESDAY_AFTERNOON.astimezone(DISPLAY_TIMEZONE)
    assert format_day_and_time(same, "sv") == "tisdag 3 mars kl. 14.30"


def test_late_utc_evening_is_the_next_day_in_stockholm() -> None:
    late = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
    assert format_day_and_time(late, "sv") == "onsdag 4 mars kl. 00.30"
    assert format_day(late, "sv") == "onsdag 4 mars"
    assert format_time(late, "sv") == "00.30"


@pytest.mark.parametrize(
    ("locale", "day", "time", "with_year"),
    [
        ("sv", "tisdag 3 mars", "14.30", "3 mars 2026"),
        ("en", "Tuesday 3 March", "14:30", "3 March 2026"),
    ],
)
def test_day_time_and_date_with_year(locale: str, day: str, time: str, with_year: str) -> None:
    assert format_day(TUESDAY_AFTERNOON, locale) == day
    assert format_day(date(2026, 3, 3), locale) == day
    assert format_time(TUESDAY_AFTERNOON, locale) == time
    assert format_date_with_year(date(2026, 3, 3), locale) == with_year


def test_an_unsupported_locale_gets_swedish_patterns() -> None:
    assert format_time(TUESDAY_AFTERNOON, "de") == "14.30"


@pytest.mark.parametrize(
    ("delta", "sv", "en"),
    [
        (timedelta(days=2), "om 2 dagar", "in 2 days"),
        (timedelta(days=1), "om 1 dag", "in 1 day"),
        (timedelta(hours=-3), "för 3 timmar sedan", "3 hours ago"),
        (timedelta(minutes=5), "om 5 minuter", "in 5 minutes"),
        (timedelta(minutes=-1), "för 1 minut sedan", "1 minute ago"),
    ],
)
def test_relative_times(delta: timedelta, sv: str, en: str) -> None:
    moment = TUESDAY_AFTERNOON + delta
    assert format_relative(moment, TUESDAY_AFTERNOON, "sv") == sv
    assert format_relative(moment, TUESDAY_AFTERNOON, "en") == en


def test_numbers() -> None:
    assert format_number(1234.5, "sv") == "1\N{NO-BREAK SPACE}234,5"
    assert format_number(1234.5, "en") == "1,234.5"


def test_to_local_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_local(datetime(2026, 3, 3, 13, 30))
    with pytest.raises(ValueError, match="naive"):
        format_day(datetime(2026, 3, 3, 13, 30), "sv")
    assert to_local(TUESDAY_AFTERNOON).hour == 14


def test_every_formatter_refuses_naive_datetimes() -> None:
    naive = datetime(2026, 3, 3, 13, 30)
    for formatter in (format_day_and_time, format_time, format_day):
        with pytest.raises(ValueError, match="naive"):
            formatter(naive, "sv")
