"""Time is an input: the app reads "now" only through naranara.clock."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from naranara import clock
from naranara.settings import PROJECT_ROOT

# What would read the machine's time behind the clock's back.
_FORBIDDEN = re.compile(
    r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.(time|localtime|gmtime)\("
)


def test_no_module_but_the_clock_reads_the_machine_time() -> None:
    offenders = []
    for path in sorted((PROJECT_ROOT / "naranara").rglob("*.py")):
        if path.name == "clock.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if _FORBIDDEN.search(line.split("#")[0]):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_scan_would_catch_a_stray_call() -> None:
    assert _FORBIDDEN.search("    stamp = datetime.now(UTC)")
    assert _FORBIDDEN.search("day = date.today()")
    assert not _FORBIDDEN.search("stamp = clock.now()")


def test_travel_moves_now_today_and_local_time_and_then_restores_them() -> None:
    before = clock.now()
    spring_forward = datetime.fromisoformat("2026-03-29T01:59:00+01:00")
    with clock.travel(spring_forward):
        assert abs(clock.now() - spring_forward) < timedelta(seconds=5)
        assert clock.now().tzinfo is UTC
        assert clock.today() == date(2026, 3, 29)
        assert clock.local_now().utcoffset() == timedelta(hours=1)
    assert abs(clock.now() - before) < timedelta(seconds=5)


def test_the_clock_runs_on_after_a_travel() -> None:
    with clock.travel(datetime(2028, 2, 29, 23, 59, 59, 900_000, tzinfo=UTC)):
        first = clock.now()
        later = clock.now()
    assert later >= first


@pytest.mark.parametrize("text", ["2026-03-29T01:59:00", "not a time", ""])
def test_an_instant_without_offset_or_garbage_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        clock.parse_instant(text)


def test_a_process_follows_its_clock_file_and_a_rewrite_moves_it(tmp_path: Path) -> None:
    clock_file = tmp_path / "clock"
    clock.write_clock_file(clock_file, datetime.fromisoformat("2026-12-31T23:55:00+01:00"))
    probe = (
        "import sys, time; from pathlib import Path; from datetime import datetime;"
        "from naranara import clock;"
        "print(clock.now().isoformat(), clock.today());"
        "clock.write_clock_file(Path(sys.argv[1]), datetime.fromisoformat('2028-02-29T12:00:00+01:00'));"
        "print(clock.now().isoformat(), clock.today())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(clock_file)],
        capture_output=True,
        text=True,
        check=True,
        env={"NARA_CLOCK_FILE": str(clock_file), "PATH": "/usr/bin:/bin"},
        cwd=PROJECT_ROOT,
    )
    first, second = (line.split() for line in done.stdout.splitlines())
    before_new_year = datetime(2026, 12, 31, 22, 55, tzinfo=UTC)
    assert (
        timedelta(0) <= datetime.fromisoformat(first[0]) - before_new_year < timedelta(seconds=30)
    )
    assert first[1] == "2026-12-31"
    leap_noon = datetime(2028, 2, 29, 11, 0, tzinfo=UTC)
    assert timedelta(0) <= datetime.fromisoformat(second[0]) - leap_noon < timedelta(seconds=30)
    assert second[1] == "2028-02-29"
