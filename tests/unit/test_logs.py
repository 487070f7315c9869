"""One redaction on every logger: no cookie, token, code, password or personnummer in a log.

The end-to-end companion (tests/e2e/test_operations.py) provokes Reflex's own paths that
log request headers and event arguments in the running server and reads its log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from naranara.logs import redact
from naranara.logs.redaction import _apply_patterns, _may_hold_secret

ROOT = Path(__file__).resolve().parents[2]

SESSION = "Zx9sEssIon_tOken-0123456789abcdefGHIJKLmnop"
DEVICE = "dEv1ce-T0ken_abcdefghijklmnopqrstuvwxyzABCD"
SECRETS = {
    "session cookie": SESSION,
    "device cookie": DEVICE,
    "password": "correct horse battery",
    "invitation code": "Inv1tAti0nC0de22chars",
    "activation code": "ACT-7Q2-99X",
    "login ticket": "t1cketT1cket",
    "feed token": "FeedT0kenFeedT0ken",
    "JWT": "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJtYWlsdG8ifQ.c2lnbmF0dXJl",
}
PERSONNUMMER = ["19121212-1212", "121212-1212", "191212121212", "1212121212", "121212+1212"]

# Each line as some library would write it, with the secrets in it.
LINES = [
    f"Error processing event queue entry for Event(name='state.gone', router_data={{"
    f"'headers': {{'cookie': 'nara_session={SESSION}; nara_device={DEVICE}', 'host': 'x'}}}}, "
    f"payload={{'form_data': {{'username': 'anna', 'password': 'correct horse battery'}}}})",
    'Received event data as a string. Event data: {"payload": {"code": '
    '"Inv1tAti0nC0de22chars", "activation_code": "ACT-7Q2-99X"}}',
    f"[(b'cookie', b'__Host-nara_session={SESSION}'), (b'user-agent', b'x')]",
    f"Cookie: nara_device={DEVICE}; nara_session={SESSION}",
    "GET /auth/session?ticket=t1cketT1cket&next=%2F 303",
    "GET /inbjudan?kod=Inv1tAti0nC0de22chars 200",
    "GET /kalender/prenumeration/FeedT0kenFeedT0ken.ics 200",
    "authorization: vapid t=eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJtYWlsdG8ifQ.c2lnbmF0dXJl, k=BP",
    "accept(code='Inv1tAti0nC0de22chars', password=\"correct horse battery\")",
    *(f"person {number} asked" for number in PERSONNUMMER),
]


@pytest.mark.parametrize("line", LINES)
def test_each_form_of_secret_is_redacted(line: str) -> None:
    cleaned = redact(line)
    for secret in [*SECRETS.values(), *PERSONNUMMER]:
        assert secret not in cleaned, cleaned
    assert "[redacted]" in cleaned
    assert redact(cleaned) == cleaned  # a record redacted twice (factory and handler) is the same


@pytest.mark.parametrize("line", [*LINES, *(line.swapcase() for line in LINES)])
def test_the_quick_look_before_the_patterns_lets_no_secret_by(line: str) -> None:
    # redact() skips its patterns for a line without what any of them needs at the least.
    assert _may_hold_secret(line)
    assert redact(line) == _apply_patterns(line)


def test_letters_that_match_only_when_case_is_ignored_are_still_redacted() -> None:
    # re's IGNORECASE matches ſ (long s) for s; lower() does not map it.
    assert redact("paſsword=hunter2hunter2") == "paſsword=[redacted]"


@pytest.mark.parametrize(
    "line",
    [
        "event naranara___states___today____today_state.load ok 12.5 ms",
        "GET /kalender/tid/{time_id:int}.ics 200 3.1 ms",
        "GET /healthz 200 0.7 ms",
        "batch: 500 claimed, 498 sent, 2 to retry",
        "2026-12-05 10:00:00,123 INFO planned at 1733400000123",
        "status_code=404 exit code 1",
    ],
)
def test_ordinary_lines_stay_readable(line: str) -> None:
    assert redact(line) == line


_EVERY_LOGGER = r"""
import logging, sys, warnings
from granian.log import LogLevels, configure_logging
from naranara import logs
logs.configure()
# What granian does in its server and in each worker, with the config serve.py hands it.
configure_logging(LogLevels.info, logs.granian_dictconfig(), True)
lines = sys.argv[1:]
names = ["naranara.http", "reflex", "reflex_base.event.processor.event_processor",
         "_granian", "granian.access", "sqlalchemy.engine.Engine", "starlette",
         "socketio.server", "engineio.server", "uvicorn.error", "alembic.runtime.migration"]
for name in names:
    for line in lines:
        logging.getLogger(name).warning("%s", line)
logging.getLogger("granian.access").info("%(path)s %(status)d", {"path": lines[4], "status": 303})
try:
    raise ValueError(lines[0])
except ValueError:
    logging.getLogger("naranara.states.session").exception("event handler failed")
warnings.warn(lines[3])
print("LOGGERS:" + ",".join(names), flush=True)
"""


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_every_logger_goes_through_the_redaction(log_format: str) -> None:
    env = {**os.environ, "NARA_LOG_FORMAT": log_format, "NARA_LOG_LEVEL": "INFO"}
    done = subprocess.run(
        [sys.executable, "-c", _EVERY_LOGGER, *LINES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    output = done.stdout + done.stderr
    for what, secret in SECRETS.items():
        assert secret not in output, f"{what} written to the log"
    for number in PERSONNUMMER:
        assert number not in output
    names = output.rsplit("LOGGERS:", 1)[1].strip().split(",")
    log_lines = [line for line in done.stdout.splitlines() if not line.startswith("LOGGERS:")]
    if log_format == "json":
        records = [json.loads(line) for line in log_lines]  # every line is one JSON object
        seen = {record["logger"] for record in records}
        assert any("exception" in record for record in records)
        assert {record["level"] for record in records} >= {"warning", "error", "info"}
    else:
        expected = [*names, "py.warnings"]
        seen = {name for name in expected for line in log_lines if f" {name}: " in line}
        assert "Traceback" in output
    assert seen >= set(names) | {"py.warnings"}, set(names) - seen
    assert done.stdout.count("[redacted]") >= len(names) * len(LINES)


def test_serve_can_hand_granian_our_logging() -> None:
    """serve.py replaces Reflex's granian log config by name: it must still exist."""
    from reflex.utils import exec as reflex_exec

    assert callable(reflex_exec._granian_log_dictconfig)
    from naranara import serve

    assert (
        "reflex_exec._granian_log_dictconfig = logs.granian_dictconfig"
        in Path(serve.__file__).read_text()
    )
