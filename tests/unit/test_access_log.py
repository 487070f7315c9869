"""The resident's access log: exact rows in plain words, filters, pages, append-only."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from naranara import clock
from naranara.models import AuditEvent, ProxyScope, Role
from naranara.services import access, access_log, audit, care_plan, invitations
from naranara.services.access_log import Doing, LogFilter
from naranara.settings import PROJECT_ROOT
from tests.utils.factories import make_user

pytestmark = [
    pytest.mark.both_databases(
        "append-only audit rows: triggers per dialect; counts and periods in SQL"
    ),
    pytest.mark.time_sensitive,
]


def _world(db: Session):  # noqa: ANN202
    anna = make_user(db, username="anna")
    erik = make_user(db, username="erik", role=Role.RELATIVE)
    stina = make_user(db, username="stina", role=Role.STAFF)
    sara = make_user(db, username="sara", role=Role.STAFF)
    return anna, erik, stina, sara


def test_the_log_lists_others_reads_changes_and_refusals_newest_first(db: Session) -> None:
    anna, erik, stina, sara = _world(db)
    now = clock.now()
    for minutes, actor, kind, detail in (
        (50, erik, "record_changed", "invitation=1 accepted"),
        (40, erik, "record_read", "agreed_times"),
        (30, stina, "record_read", "care_plan"),
        (20, stina, "record_changed", "goal=3 changed"),
        (10, sara, "record_refused", "page=/tider"),
        (5, anna, "record_read", "agreed_times"),  # never written by record_access; ignored
        (4, erik, "sign_in", ""),  # not about Anna's data
    ):
        db.add(
            AuditEvent(
                at=now - timedelta(minutes=minutes),
                kind=kind,
                actor_id=actor.id,
                subject_id=anna.id if kind != "sign_in" else erik.id,
                detail=detail,
            )
        )
    db.commit()
    page = access_log.read_page(session=db, resident_id=anna.id, locale="sv", now=now)
    assert [(e.who, e.role, e.what) for e in page.entries] == [
        ("Sara", "vårdpersonal", "Försökte öppna dina tider men fick inte"),
        ("Stina", "vårdpersonal", "Ändrade din plan"),
        ("Stina", "vårdpersonal", "Läste din plan"),
        ("Erik", "närstående", "Läste dina tider"),
        ("Erik", "närstående", "Ändrade din inbjudan att hjälpa dig"),
    ]
    assert page.total == 5 and page.pages == 1
    assert " kl. " in page.entries[0].when
    by_erik = access_log.read_page(
        session=db, resident_id=anna.id, locale="sv", chosen=LogFilter(actor_id=erik.id)
    )
    assert [e.what for e in by_erik.entries] == [
        "Läste dina tider",
        "Ändrade din inbjudan att hjälpa dig",
    ]
    changes = access_log.read_page(
        session=db, resident_id=anna.id, locale="sv", chosen=LogFilter(doing=Doing.CHANGED)
    )
    assert [e.who for e in changes.entries] == ["Stina", "Erik"]
    refused = access_log.read_page(
        session=db, resident_id=anna.id, locale="en", chosen=LogFilter(doing=Doing.REFUSED)
    )
    assert [(e.who, e.role, e.what) for e in refused.entries] == [
        ("Sara", "care staff", "Tried to open your times but was refused")
    ]
    assert [name for _, name in access_log.people_in_log(session=db, resident_id=anna.id)] == [
        "Erik",
        "Sara",
        "Stina",
    ]


def test_the_period_filter_leaves_older_rows_out(db: Session) -> None:
    anna, erik, _, _ = _world(db)
    now = clock.now()
    for days in (1, 10, 100, 400):
        db.add(
            AuditEvent(
                at=now - timedelta(days=days),
                kind="record_read",
                actor_id=erik.id,
                subject_id=anna.id,
                detail="agreed_times",
            )
        )
    db.commit()
    totals = [
        access_log.read_page(
            session=db, resident_id=anna.id, locale="sv", chosen=LogFilter(days=days), now=now
        ).total
        for days in access_log.PERIODS
    ]
    assert totals == [1, 2, 3, 4]  # 7 days, 30 days, a year, everything


def test_pages_of_twenty(db: Session) -> None:
    anna, erik, _, _ = _world(db)
    now = clock.now()
    for n in range(45):
        db.add(
            AuditEvent(
                at=now - timedelta(minutes=n),
                kind="record_read",
                actor_id=erik.id,
                subject_id=anna.id,
                detail=f"agreed_time={n} ics",
            )
        )
    db.commit()
    first = access_log.read_page(session=db, resident_id=anna.id, locale="sv")
    third = access_log.read_page(session=db, resident_id=anna.id, locale="sv", page=3)
    beyond = access_log.read_page(session=db, resident_id=anna.id, locale="sv", page=99)
    assert (first.pages, len(first.entries), len(third.entries)) == (3, 20, 5)
    assert beyond.page == 3
    seen = {
        e.id
        for p in (1, 2, 3)
        for e in access_log.read_page(session=db, resident_id=anna.id, locale="sv", page=p).entries
    }
    assert len(seen) == 45


PERSONNUMMER = re.compile(r"\b(19|20)?\d{6}[-+]?\d{4}\b")


def test_log_rows_carry_no_secrets_or_personal_identity_numbers(db: Session) -> None:
    """A whole round of relative work, then every audit row's every column is searched."""
    anna, erik, stina, _ = _world(db)
    code = invitations.create(
        session=db, resident_id=anna.id, scopes={ProxyScope.CARE_PLAN, ProxyScope.SELF_CARE}
    ).code
    invitations.accept(session=db, code=code, user=erik)
    access.record_care_relationship(session=db, staff_id=stina.id, resident_id=anna.id)
    care_plan.add_goal(
        session=db, resident_id=anna.id, text="Gå till 19121212-1212", actor_id=stina.id
    )
    audit.record_refusal(session=db, actor_id=stina.id, resident_id=anna.id, detail="page=/tider")
    db.commit()
    rows = db.connection().execute(select(AuditEvent.__table__)).all()
    assert len(rows) >= 3
    secrets = {code, invitations.hash_code(code), "19121212-1212", "nara-demo"}
    for row in rows:
        flat = " ".join(str(value) for value in row._mapping.values())
        assert not any(secret in flat for secret in secrets), flat
        assert not PERSONNUMMER.search(row._mapping["detail"]), flat


def _audit_writers() -> list[str]:
    """Places in naranara/ that update or delete AuditEvent rows: there must be none.

    A call naming AuditEvent (or the table) together with update/delete, a
    ``session.delete`` of something audit-like, or SQL text doing either.
    """
    found = set()
    for path in (PROJECT_ROOT / "naranara").rglob("*.py"):
        source = path.read_text()
        where = path.relative_to(PROJECT_ROOT)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            call = ast.unparse(node)
            audit_like = re.search(r"audit_?event|\baudit\b|\bevent\b", call, re.I)
            if audit_like and re.search(r"\b(update|delete)\b", call, re.I):
                found.add(f"{where}:{node.lineno}")
        if re.search(r"(UPDATE|DELETE\s+FROM)\s+audit_event", source, re.I):
            found.add(f"{where}: SQL on audit_event")
    return sorted(found)


def test_no_code_changes_or_deletes_audit_rows() -> None:
    assert _audit_writers() == []


@pytest.mark.parametrize(
    "line",
    [
        "db.execute(update(AuditEvent).values(detail=''))",
        "db.exec(delete(AuditEvent).where(AuditEvent.id == 1))",
        "db.delete(event)",
        "db.execute(text('DELETE FROM audit_event'))",
    ],
)
def test_the_scan_would_find_a_change(
    line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "naranara"
    package.mkdir()
    (package / "bad.py").write_text(f"def tidy(db, event):\n    {line}\n")
    monkeypatch.setattr("tests.unit.test_access_log.PROJECT_ROOT", tmp_path)
    assert _audit_writers() != []


def test_the_database_refuses_to_change_or_delete_a_row(db: Session) -> None:
    anna, erik, _, _ = _world(db)
    audit.record_access(session=db, actor_id=erik.id, resident_id=anna.id, detail="agreed_times")
    db.commit()
    for statement in (
        update(AuditEvent).values(detail="nothing to see"),
        delete(AuditEvent),
    ):
        with pytest.raises(DBAPIError):
            db.connection().execute(statement)
        db.rollback()
    assert db.exec(select(AuditEvent.detail)).all() == ["agreed_times"]


def test_an_account_can_still_be_erased_and_its_rows_stay(db: Session) -> None:
    anna, erik, _, _ = _world(db)
    audit.record_access(session=db, actor_id=erik.id, resident_id=anna.id, detail="agreed_times")
    db.commit()
    db.delete(erik)
    db.commit()
    event = db.exec(select(AuditEvent)).one()
    assert (event.actor_id, event.subject_id, event.detail) == (None, anna.id, "agreed_times")
    entry = access_log.read_page(session=db, resident_id=anna.id, locale="sv").entries[0]
    assert entry.who == "Ett borttaget konto"
