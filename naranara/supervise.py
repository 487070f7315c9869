"""``naranara run``: the web app and the reminder worker together, under supervisord.

supervisord (the ``supervisor`` package) is a long-maintained process supervisor: it
restarts a program that dies and logs that it did ("exited: worker (terminated by
SIGKILL; not expected)", "spawned: 'worker' with pid …"), and on Ctrl+C or SIGTERM
stops both programs, each with its whole process group (granian's workers, a frontend
build's node). honcho, by contrast, stops everything when one process exits and
never restarts. The configuration is generated for this checkout and run in the
foreground; the programs are the same commands a production host runs on its own
(README: Operations).
"""

from __future__ import annotations

import getpass
import os
import shlex
import sys
from pathlib import Path

from naranara.settings import PROJECT_ROOT, get_settings

# A worker that lives this long counts as started; quicker deaths are retried with backoff.
_WORKER_START_SECONDS = 2


def _program(name: str, command: list[str], *, start_seconds: int, stop_seconds: int) -> str:
    return f"""
[program:{name}]
command={shlex.join(command)}
directory={PROJECT_ROOT}
autostart=true
autorestart=true
startsecs={start_seconds}
startretries=10
stopsignal=TERM
stopwaitsecs={stop_seconds}
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=/dev/fd/1
stdout_logfile_maxbytes=0
"""


def supervisord_config(*, port: int, host: str, run_dir: Path) -> str:
    """supervisord's configuration: both programs, their output on our standard output."""
    naranara = [sys.executable, "-m", "naranara.cli"]
    return (
        f"""[supervisord]
nodaemon=true
user={getpass.getuser()}
logfile=/dev/null
logfile_maxbytes=0
pidfile={run_dir / "supervisord.pid"}
childlogdir={run_dir}
loglevel=info
"""
        + _program(
            "web",
            [*naranara, "serve", "--port", str(port), "--host", host],
            # The first start builds the frontend: minutes, and not a failure.
            start_seconds=1,
            stop_seconds=20,
        )
        + _program(
            "worker",
            [*naranara, "worker"],
            start_seconds=_WORKER_START_SECONDS,
            stop_seconds=20,  # lets the batch in hand finish (reminders/worker.py)
        )
    )


def run(*, port: int, host: str) -> None:
    """Replace this process with supervisord running web and worker in the foreground."""
    run_dir = get_settings().data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    config = run_dir / "supervisord.conf"
    config.write_text(supervisord_config(port=port, host=host, run_dir=run_dir))
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "supervisor.supervisord", "-c", str(config)])
