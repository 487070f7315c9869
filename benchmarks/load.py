"""Load generator: N residents signed in the real way, each sending a realistic event
about every two seconds over Reflex's websocket; round trips per event kind.

Two steps, run by hand against a production server (``naranara serve``):

    # once per data directory: N resident accounts with Anna's three daily tasks
    NARA_DATA_DIR=/tmp/load .venv/bin/python benchmarks/load.py setup --residents 200
    NARA_DATA_DIR=/tmp/load .venv/bin/naranara serve --port 3927 --host 127.0.0.1 &
    .venv/bin/python benchmarks/load.py run http://localhost:3927 --residents 200 \
        --seconds 60 --server-pid PID

Each resident, like Chromium (frames recorded from a signed-in Playwright session):
``GET /logga-in/`` (the device cookie); a websocket (socket.io over ``/_event``) whose
connect packet carries the hydrate event; the sign-in form's ``submit`` event; the
one-time ticket swapped at ``/auth/session`` (which continues to ``/auth/fresh``) for
the session cookie; then a new websocket, hydrated on Hem. Then, one event in flight
at a time, think time 1.5–2.5 s, round and round: open Hem (``on_load_internal``),
Hem's advice (``guidance_suggestions_state.load``), tick a task on Hem
(``toggle_done``, and again to undo it), open Tider (``on_load_internal``).

A round trip runs from the event frame sent to the frame that completes it: for a
page, the delta that sets ``is_hydrated`` true; for anything else, the first delta of
the state it changes. Only events sent in the steady window (after everyone has signed
in) are counted; sign-in is reported apart. Printed: p50/p95/p99 per kind, errors and
disconnects, the server's RSS (idle, all signed in, end) and CPU seconds, this
process's CPU seconds, and ``/proc/loadavg`` at start, middle and end.

Nothing here asserts a time: it measures, for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "nara-last-1234"
USERNAME = "boende{:04d}"
STATE = "reflex___state____state"
HYDRATE = f"{STATE}.hydrate_and_load"
ON_LOAD = f"{STATE}.reflex___state____on_load_internal_state.on_load_internal"
LOGIN_SUBMIT = f"{STATE}.naranara___states___login____login_state.submit"
TODAY = f"{STATE}.naranara___states___today____today_state"
SUGGESTIONS = f"{STATE}.naranara___states___guidance____guidance_suggestions_state"
SESSION = f"{STATE}.naranara___states___session____session_state"
SIGN_IN_TIMEOUT_S = 900
EVENT_TIMEOUT_S = 60


# ---------------------------------------------------------------------------- setup


def setup(residents: int) -> None:
    """N residents ``boende0001``… with one password and Anna's three daily tasks."""
    from datetime import timedelta

    from sqlmodel import select

    from naranara import clock
    from naranara.db import session_scope
    from naranara.models import Role, SelfCareTask, User
    from naranara.services import accounts

    password_hash = accounts.hash_password(PASSWORD)  # once: argon2 is slow on purpose
    today = clock.today()
    with session_scope() as db:
        existing = set(db.exec(select(User.username)).all())
        anna = db.exec(select(User).where(User.username == "anna")).one()
        tasks = db.exec(select(SelfCareTask).where(SelfCareTask.resident_id == anna.id)).all()
        made = 0
        for number in range(1, residents + 1):
            username = USERNAME.format(number)
            if username in existing:
                continue
            user = accounts.create_user(
                session=db,
                username=username,
                display_name=f"Boende {number}",
                role=Role.RESIDENT,
                password_hash=password_hash,
            )
            for task in tasks:
                db.add(
                    SelfCareTask(
                        resident_id=user.id,
                        title=task.title,
                        recurrence=task.recurrence,
                        time_of_day=task.time_of_day,
                        starts_on=today - timedelta(days=14),
                        article_id=task.article_id,
                    )
                )
            made += 1
    print(f"{made} residents added ({residents} wanted)")


# ---------------------------------------------------------------------------- the socket


class Disconnected(Exception):
    pass


class Tab:
    """One socket.io connection over a websocket, as Reflex's frontend opens it."""

    def __init__(self, http, base_url: str) -> None:  # noqa: ANN001 - aiohttp.ClientSession
        self.http = http
        self.base_url = base_url
        self.ws = None
        self.frames: asyncio.Queue[dict] = asyncio.Queue()
        self.reader: asyncio.Task | None = None
        # Signing in waits its turn behind everyone else's password check; events do not.
        self.timeout = SIGN_IN_TIMEOUT_S

    async def open(self, path: str) -> list[dict]:
        url = self.base_url.replace("http", "ws", 1) + (
            f"/_event/?token={uuid.uuid4()}&EIO=4&transport=websocket"
        )
        self.ws = await self.http.ws_connect(
            url, headers={"Origin": self.base_url}, max_msg_size=0, autoping=True
        )
        opening = await self.ws.receive_str()
        if not opening.startswith("0"):
            raise Disconnected(opening)
        boot = {"event": {"name": HYDRATE, "payload": {}, "router_data": _router(path)}}
        await self.ws.send_str("40/_event," + json.dumps(boot))
        self.reader = asyncio.create_task(self._read())
        return await self.until_hydrated()

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                if message.type.name != "TEXT":
                    break
                data = message.data
                if data == "2":  # engine.io ping
                    await self.ws.send_str("3")
                elif data.startswith("42/_event,"):
                    name, update = json.loads(data[len("42/_event,") :])
                    if name == "event":
                        await self.frames.put(update)
        finally:
            await self.frames.put({"closed": True})

    async def next_frame(self) -> dict:
        frame = await asyncio.wait_for(self.frames.get(), self.timeout)
        if frame.get("closed"):
            raise Disconnected("socket closed")
        return frame

    async def until_hydrated(self) -> list[dict]:
        seen = []
        while True:
            frame = await self.next_frame()
            seen.append(frame)
            if frame.get("delta", {}).get(STATE, {}).get("is_hydrated_rx_state_") is True:
                return seen

    async def until_delta_of(self, substate: str) -> dict:
        while True:
            frame = await self.next_frame()
            if substate in frame.get("delta", {}):
                return frame

    async def until_browser_command(self, name: str) -> list[str]:
        """The arguments of the next command the server gives the browser (the
        ``browser_command`` var of SessionState, naranara/components/browser.py)."""
        while True:
            frame = await self.next_frame()
            command = frame.get("delta", {}).get(SESSION, {}).get("browser_command_rx_state_")
            if command:
                found = json.loads(command)
                if found["name"] == name:
                    return found["args"]

    async def send(self, name: str, payload: dict | None, path: str) -> None:
        event = {"name": name, "router_data": _router(path)}
        if payload is not None:
            event["payload"] = payload
        await self.ws.send_str("42/_event," + json.dumps(["event", event]))

    def drain(self) -> None:
        while not self.frames.empty():
            self.frames.get_nowait()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)


def _router(path: str) -> dict:
    return {"pathname": path, "asPath": path}


# ---------------------------------------------------------------------------- residents


@dataclass
class Results:
    steady_from: float = float("inf")
    steady_until: float = float("inf")
    round_trips: dict[str, list[float]] = field(default_factory=dict)
    sign_ins: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    disconnects: int = 0

    def record(self, kind: str, sent_at: float, took: float) -> None:
        if self.steady_from <= sent_at < self.steady_until:
            self.round_trips.setdefault(kind, []).append(took)


def _tasks(frames: list[dict]) -> list[dict]:
    for frame in reversed(frames):
        tasks = frame.get("delta", {}).get(TODAY, {}).get("tasks_rx_state_")
        if tasks is not None:
            return tasks
    return []


async def resident(number: int, base_url: str, results: Results, signed_in: asyncio.Event,
                   stop: asyncio.Event, ready: list[int]) -> None:  # fmt: skip
    import aiohttp

    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url=base_url, cookie_jar=jar) as http:
        tab = Tab(http, base_url)
        try:
            started = time.perf_counter()
            (await http.get("/logga-in/")).release()
            await tab.open("/logga-in/")
            form = [["username", USERNAME.format(number)], ["password", PASSWORD]]
            await tab.send(
                LOGIN_SUBMIT, {"form_data": {"__reflex_form_data__": form}}, "/logga-in/"
            )
            [ticket_path] = await tab.until_browser_command("fullPageLoad")
            await tab.close()
            async with http.get(ticket_path) as response:  # -> /auth/fresh -> /
                if response.status != 200:
                    raise RuntimeError(f"sign-in ended at {response.status} {response.url}")
            tab = Tab(http, base_url)
            tasks = _tasks(await tab.open("/"))
            if not tasks:
                raise RuntimeError("Hem showed no tasks: not signed in?")
            results.sign_ins.append(time.perf_counter() - started)
        except Exception as error:  # noqa: BLE001 - counted, reported
            results.errors.append(f"sign-in {number}: {type(error).__name__}: {error}")
            await tab.close()
            return
        tab.timeout = EVENT_TIMEOUT_S
        ready.append(number)
        if len(ready) == results.expected:  # type: ignore[attr-defined]
            signed_in.set()
        await signed_in.wait()
        path = "/"
        steps = ["hem", "suggestions", "toggle", "toggle", "tider"]
        step = random.randrange(len(steps))
        while not stop.is_set():
            await asyncio.sleep(random.uniform(1.5, 2.5))
            kind = steps[step % len(steps)]
            step += 1
            if kind in ("suggestions", "toggle") and path != "/":
                kind = "hem"
            tab.drain()
            sent_at = time.perf_counter()
            try:
                if kind in ("hem", "tider"):
                    path = "/" if kind == "hem" else "/tider"
                    await tab.send(ON_LOAD, None, path)
                    frames = await tab.until_hydrated()
                    tasks = _tasks(frames) or tasks
                elif kind == "suggestions":
                    await tab.send(f"{SUGGESTIONS}.load", None, path)
                    await tab.until_delta_of(SUGGESTIONS)
                else:
                    task = random.choice(tasks)
                    payload = {"task_id": task["task_id"], "occurrence_at": task["occurrence_at"]}
                    await tab.send(f"{TODAY}.toggle_done", payload, path)
                    tasks = _tasks([await tab.until_delta_of(TODAY)]) or tasks
                results.record(kind, sent_at, time.perf_counter() - sent_at)
            except Disconnected:
                results.disconnects += 1
                break
            except Exception as error:  # noqa: BLE001 - counted, reported
                results.errors.append(f"{kind} {number}: {type(error).__name__}: {error}")
        await tab.close()


# ---------------------------------------------------------------------------- measuring


def _rss_kib(pid: int | None) -> int | None:
    """Resident memory of a process and all its descendants (granian runs workers)."""
    if pid is None:
        return None
    total = 0
    for each in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _cpu_seconds(pid: int | None) -> float | None:
    if pid is None:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue
    return total


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    if len(ordered) < 2:
        only = ordered[0] if ordered else float("nan")
        return only, only, only
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return statistics.median(ordered), cuts[94], cuts[98]


def _summary(values: list[float]) -> dict[str, float]:
    p50, p95, p99 = _percentiles(values)
    return {"n": len(values), "p50": round(p50 * 1000, 1), "p95": round(p95 * 1000, 1),
            "p99": round(p99 * 1000, 1)}  # fmt: skip


async def run(base_url: str, residents: int, seconds: float, server_pid: int | None) -> dict:
    results = Results()
    results.expected = residents  # type: ignore[attr-defined]
    signed_in, stop = asyncio.Event(), asyncio.Event()
    ready: list[int] = []
    report: dict = {"residents": residents, "loadavg": {"start": _loadavg()}}
    report["rss_kib"] = {"idle": _rss_kib(server_pid)}
    cpu_before = _cpu_seconds(server_pid)
    own_before = _own_cpu()
    ramp_started = time.perf_counter()
    # Sign-ins a few at a time, as people arrive: a burst of argon2 is not a steady load.
    workers = []
    for number in range(1, residents + 1):
        workers.append(
            asyncio.create_task(resident(number, base_url, results, signed_in, stop, ready))
        )
        await asyncio.sleep(0.05)
    while not signed_in.is_set():
        if all(w.done() for w in workers) or len(ready) + len(results.errors) >= residents:
            signed_in.set()
            break
        await asyncio.sleep(0.2)
    report["ramp_seconds"] = round(time.perf_counter() - ramp_started, 1)
    report["signed_in"] = len(ready)
    report["rss_kib"]["signed_in"] = _rss_kib(server_pid)
    results.steady_from = time.perf_counter() + 3  # the first round after the ramp settles
    cpu_steady = _cpu_seconds(server_pid)
    own_steady = _own_cpu()
    await asyncio.sleep(3 + seconds / 2)
    report["loadavg"]["middle"] = _loadavg()
    await asyncio.sleep(seconds / 2)
    results.steady_until = time.perf_counter()
    cpu_after = _cpu_seconds(server_pid)
    own_after = _own_cpu()
    stop.set()
    await asyncio.gather(*workers, return_exceptions=True)
    report["loadavg"]["end"] = _loadavg()
    report["rss_kib"]["end"] = _rss_kib(server_pid)
    events = sum(len(v) for v in results.round_trips.values())
    report["events"] = events
    report["events_per_second"] = round(events / seconds, 1)
    report["round_trips_ms"] = {
        kind: _summary(values) for kind, values in sorted(results.round_trips.items())
    }
    report["round_trips_ms"]["all"] = _summary(
        [took for values in results.round_trips.values() for took in values]
    )
    p50, p95, p99 = _percentiles(results.sign_ins)
    report["sign_in_ms"] = {
        "p50": round(p50 * 1000),
        "p95": round(p95 * 1000),
        "p99": round(p99 * 1000),
    }
    if cpu_before is not None:
        report["server_cpu_seconds"] = {
            "ramp": round(cpu_steady - cpu_before, 1),
            "steady": round(cpu_after - cpu_steady, 1),
            "per_steady_event_ms": round((cpu_after - cpu_steady) / max(events, 1) * 1000, 2),
        }
    report["load_generator_cpu_seconds"] = {
        "ramp": round(own_steady - own_before, 1),
        "steady": round(own_after - own_steady, 1),
    }
    if report["rss_kib"]["idle"] and report["rss_kib"]["signed_in"] and ready:
        grown = report["rss_kib"]["signed_in"] - report["rss_kib"]["idle"]
        report["rss_kib_per_resident"] = round(grown / len(ready), 1)
    report["errors"] = len(results.errors)
    report["error_samples"] = results.errors[:5]
    report["disconnects"] = results.disconnects
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup", help="add resident accounts to NARA_DATA_DIR's database")
    make.add_argument("--residents", type=int, default=200)
    go = commands.add_parser("run", help="drive a running server")
    go.add_argument("base_url")
    go.add_argument("--residents", type=int, default=200)
    go.add_argument("--seconds", type=float, default=60)
    go.add_argument("--server-pid", type=int, help="for RSS and CPU (its children included)")
    go.add_argument("--label", default="", help="a name for this run in the JSON printed")
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(args.residents)
        return 0
    report = asyncio.run(
        run(args.base_url.rstrip("/"), args.residents, args.seconds, args.server_pid)
    )
    report["label"] = args.label
    print(json.dumps(report, ensure_ascii=False))
    return 1 if report["errors"] or report["signed_in"] < args.residents else 0


if __name__ == "__main__":
    sys.exit(main())
