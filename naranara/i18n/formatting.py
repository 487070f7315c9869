"""Dates, times and numbers as a person in Sweden reads them.

Everything is stored in UTC and shown in Europe/Stockholm. Patterns are CLDR
patterns for babel; Swedish uses "tisdag 3 mars kl. 14.30".
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_timedelta
from babel.numbers import format_decimal

from naranara.settings import DISPLAY_TIMEZONE

_PATTERNS = {
    "sv": {
        "day_and_time": "EEEE d MMMM 'kl.' HH.mm",
        "day": "EEEE d MMMM",
        "day_with_year": "d MMMM y",
        "time": "HH.mm",
    },
    "en": {
        "day_and_time": "EEEE d MMMM 'at' HH:mm",
        "day": "EEEE d MMMM",
        "day_with_year": "d MMMM y",
        "time": "HH:mm",
    },
}


def _pattern(locale: str, name: str) -> str:
    return _PATTERNS.get(locale, _PATTERNS["sv"])[name]


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(DISPLAY_TIMEZONE)


def format_day_and_time(moment: datetime, locale: str) -> str:
    """``tisdag 3 mars kl. 14.30``"""
    return _format_datetime(to_local(moment), _pattern(locale, "day_and_time"), locale=locale)


def format_day(moment: datetime | date, locale: str) -> str:
    """``tisdag 3 mars``"""
    if isinstance(moment, datetime):
        moment = to_local(moment).date()
    return _format_date(moment, _pattern(locale, "day"), locale=locale)


def format_date_with_year(day: date, locale: str) -> str:
    """``3 mars 2026``"""
    return _format_date(day, _pattern(locale, "day_with_year"), locale=locale)


def format_time(moment: datetime, locale: str) -> str:
    """``14.30``"""
    return _format_datetime(to_local(moment), _pattern(locale, "time"), locale=locale)


def format_relative(moment: datetime, now: datetime, locale: str) -> str:
    """``om 2 dagar`` / ``for 3 timmar sedan``"""
    return format_timedelta(
        moment - now, add_direction=True, threshold=1.0, granularity="minute", locale=locale
    )


def format_number(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)
