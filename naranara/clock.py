"""The one clock of Nära: every "now" and "today" the app uses is read here.

Time is an input. Tests move it in their own process with :func:`travel`. Other
processes they start (the web server, the reminder worker) follow ``NARA_CLOCK_FILE``:
a file holding an ISO 8601 instant with its offset (``2026-03-29T01:59:00+01:00``),
meaning "it was this instant when the file was last written"; the clock runs on from
there at the normal rate, and writing the file again moves it. Nothing else in
``naranara`` may call ``datetime.now``, ``date.today`` or ``time.time``
(tests/unit/test_clock.py scans for it).

:func:`real_now` is the machine's own time, for what is checked by another machine's
clock rather than a person's day: the expiry of a VAPID token a push service verifies,
a push service's ``Retry-After`` date.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from naranara.settings import DISPLAY_TIMEZONE

FILE_VARIABLE = "NARA_CLOCK_FILE"


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant that names its offset; naive times are ambiguous and refused."""
    instant = datetime.fromisoformat(text.strip())
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset, e.g. 2026-03-29T01:59:00+01:00")
    return instant.astimezone(UTC)


def write_clock_file(path: Path, instant: datetime) -> None:
    """Set the clock of every process that reads ``path`` (``NARA_CLOCK_FILE``) to ``instant``."""
    # Replaced whole, so a reader never sees a half-written file; its mtime is "then".
    draft = path.with_name(path.name + ".new")
    draft.write_text(instant.isoformat())
    os.replace(draft, path)


_offset = timedelta(0)
_clock_file = Path(os.environ[FILE_VARIABLE]) if os.environ.get(FILE_VARIABLE) else None
_file_seen: tuple[int, timedelta] | None = None  # (mtime in ns, offset it gave)


def _file_offset(path: Path) -> timedelta:
    global _file_seen
    written = path.stat().st_mtime_ns
    if _file_seen is None or _file_seen[0] != written:
        instant = parse_instant(path.read_text())
        _file_seen = (written, instant - datetime.fromtimestamp(written / 1e9, UTC))
    return _file_seen[1]


def real_now() -> datetime:
    """The machine's time (aware UTC), for protocols checked against other machines' clocks."""
    return datetime.now(UTC)


def now() -> datetime:
    """The current instant, aware and in UTC, as the app sees it."""
    offset = _file_offset(_clock_file) if _clock_file is not None else _offset
    return real_now() + offset


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
