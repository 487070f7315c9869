"""The one clock of Nära: every "now" and "today" the app uses is read here.

Time is an input. Tests and demos move it with ``NARA_CLOCK_START`` (an ISO 8601
instant with an offset, e.g. ``2026-03-29T01:59:00+01:00``): the process then starts
at that instant and its clock runs on from there at the normal rate. Tests inside one
process move it with :func:`travel`. Nothing else in ``naranara`` may call
``datetime.now``, ``date.today`` or ``time.time`` (tests/unit/test_clock.py scans for it).

:func:`real_now` is the machine's own time, for what is checked by another machine's
clock rather than a person's day: the expiry of a VAPID token a push service verifies,
a push service's ``Retry-After`` date.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from naranara.settings import DISPLAY_TIMEZONE

START_VARIABLE = "NARA_CLOCK_START"


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant that names its offset; naive times are ambiguous and refused."""
    instant = datetime.fromisoformat(text.strip())
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset, e.g. 2026-03-29T01:59:00+01:00")
    return instant.astimezone(UTC)


def _offset_from_environment() -> timedelta:
    start = os.environ.get(START_VARIABLE, "").strip()
    return parse_instant(start) - datetime.now(UTC) if start else timedelta(0)


_offset = _offset_from_environment()


def real_now() -> datetime:
    """The machine's time (aware UTC), for protocols checked against other machines' clocks."""
    return datetime.now(UTC)


def now() -> datetime:
    """The current instant, aware and in UTC, as the app sees it."""
    return real_now() + _offset


def local_now() -> datetime:
    """The current instant in Swedish time, where people live their days."""
    return now().astimezone(DISPLAY_TIMEZONE)


def today() -> date:
    """Today's date in Sweden (a resident's day begins at midnight Stockholm time)."""
    return local_now().date()


def start_at(instant: datetime) -> None:
    """Make this process's clock read ``instant`` now, and run on from it."""
    global _offset
    _offset = instant.astimezone(UTC) - real_now()


@contextmanager
def travel(instant: datetime) -> Iterator[None]:
    """Within the block, the clock starts at ``instant`` and runs on; afterwards it is
    back where it would have been."""
    global _offset
    saved = _offset
    start_at(instant)
    try:
        yield
    finally:
        _offset = saved
