"""The offline copy at its limits: how large it is and how long the server takes to build it.

Makes a migrated SQLite database in a temporary ``NARA_DATA_DIR`` with one resident who
has as much as the copy takes (``offline_copy.LIMITS``: 40 agreed times in the next 30
days, 40 contacts, five tasks a day, 15 articles read of 16 published, each article's
text about 6 KB of Markdown), builds the copy ``--runs`` times and reports the JSON's
size (raw and gzip) and the build time (median and worst). No server, no network.

Run: ``.venv/bin/python benchmarks/offline_copy.py [--runs 50] [--no-write]``; appends a
dated section to ``benchmarks/RESULTS.md`` with the machine's load (``uptime``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's naranara, whatever the venv has installed
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PARAGRAPH = (
    "Väg dig varje morgon efter toalettbesöket, före frukost, i samma kläder. "
    "Skriv upp vikten. Ökar den mer än två kilo på tre dagar, ring din sjuksköterska. "
)


def _prepare() -> int:
    from naranara import clock
    from naranara.db import session_scope
    from naranara.migrate import upgrade_to_head
    from naranara.models import (
        AgreedTime,
        CareContact,
        GuidanceArticle,
        GuidanceRead,
        Role,
        SelfCareTask,
    )
    from naranara.services.accounts import create_user

    upgrade_to_head()
    now = clock.now()
    with session_scope() as db:
        resident = create_user(
            session=db, username="bench", display_name="Bänk Persson", role=Role.RESIDENT
        )
        for n in range(45):
            starts = now + timedelta(hours=12 * (n + 1))
            db.add(
                AgreedTime(
                    resident_id=resident.id,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=45),
                    purpose=f"Hembesök nummer {n} av distriktssköterskan",
                    with_whom="Maria Ek, distriktssköterska",
                    place="Hemma",
                    address="Storgatan 12, 852 30 Sundsvall",
                    prepare="Ha läkemedelslistan framme och skriv ner frågor.",
                )
            )
        for n in range(45):
            db.add(
                CareContact(
                    resident_id=resident.id,
                    name=f"Kontakt {n}",
                    role_title="Fast vårdkontakt",
                    organisation="Hälsocentralen Haga",
                    phone="+46601234500",
                    opening_hours="Vardagar 08.00–16.30",
                )
            )
        for hour in ("08:00", "10:00", "12:00", "16:00", "20:00"):
            db.add(
                SelfCareTask(
                    resident_id=resident.id,
                    title=f"Uppgift kl. {hour}",
                    recurrence="RRULE:FREQ=DAILY",
                    time_of_day=hour,
                    starts_on=clock.today() - timedelta(days=10),
                )
            )
        for n in range(16):
            db.add(
                GuidanceArticle(
                    slug=f"artikel-{n:02d}",
                    locale="sv",
                    title=f"Artikel {n}",
                    summary="Sammanfattning av artikeln.",
                    body_markdown="\n\n".join(f"## Del {k}\n\n{PARAGRAPH * 3}" for k in range(12)),
                    category="allmant",
                    responsible_unit="Hälsocentralen Haga",
                    reviewed_on=clock.today(),
                    published_at=now - timedelta(days=30),
                )
            )
            if n < 15:
                db.add(GuidanceRead(resident_id=resident.id, slug=f"artikel-{n:02d}"))
        db.flush()
        return resident.id


def measure(runs: int) -> dict:
    from naranara.db import session_scope
    from naranara.services import offline_copy

    resident_id = _prepare()
    timings, body = [], b""
    for _ in range(runs):
        with session_scope() as db:
            started = time.perf_counter()
            copy = offline_copy.build(session=db, resident_id=resident_id, locale="sv")
            body = json.dumps(copy, ensure_ascii=False).encode()
            timings.append(time.perf_counter() - started)
    return {
        "runs": runs,
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body, 6)),
        "median_ms": statistics.median(timings) * 1000,
        "worst_ms": max(timings) * 1000,
        "counts": {key: len(copy[key]) for key in ("times", "contacts", "tasks", "guidance")},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["NARA_DATA_DIR"] = data_dir
        os.environ.pop("NARA_DATABASE_URL", None)
        result = measure(args.runs)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = (
        f"\n## {stamp}: offline copy at its limits\n\n"
        f"`benchmarks/offline_copy.py --runs {result['runs']}` on SQLite: "
        f"{result['counts']['times']} times, {result['counts']['contacts']} contacts, "
        f"{result['counts']['tasks']} task occurrences, {result['counts']['guidance']} articles.\n\n"
        f"| JSON | gzip | build, median | build, worst |\n|---|---|---|---|\n"
        f"| {result['bytes'] / 1024:.1f} KiB | {result['gzip_bytes'] / 1024:.1f} KiB | "
        f"{result['median_ms']:.1f} ms | {result['worst_ms']:.1f} ms |\n\n"
        f"Load: `{load}`\n"
    )
    print(section)
    if not args.no_write:
        with RESULTS.open("a") as out:
            out.write(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
