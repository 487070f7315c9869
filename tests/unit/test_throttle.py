"""Password guessing slows down per account and per client, the same for unknown accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from naranara import clock
from naranara.models import AuditEvent, AuditKind
from naranara.services import audit, throttle


def _fail(db: Session, *, account: str, client: str, times: int, at=None) -> None:  # noqa: ANN001
    for _ in range(times):
        event = audit.record(
            session=db, kind=AuditKind.SIGN_IN_FAILED, account=account, client_address=client
        )
        if at is not None:
            event.at = at
    db.commit()


def test_five_failures_are_free_the_sixth_waits_a_minute(db: Session) -> None:
    _fail(db, account="anna", client="10.0.0.1", times=4)
    now = clock.now()
    assert throttle.retry_after(session=db, username="anna", client_address="x", now=now) is None
    _fail(db, account="anna", client="10.0.0.1", times=1)
    now = clock.now()
    wait = throttle.retry_after(session=db, username="anna", client_address="x", now=now)
    assert wait is not None and timedelta(seconds=50) < wait <= timedelta(minutes=1)


def test_each_further_failure_doubles_the_wait_up_to_fifteen_minutes(db: Session) -> None:
    _fail(db, account="anna", client="c", times=7)
    now = clock.now()
    wait = throttle.retry_after(session=db, username="anna", client_address=None, now=now)
    assert timedelta(minutes=3, seconds=50) < wait <= timedelta(minutes=4)
    _fail(db, account="anna", client="c", times=10)
    now = clock.now()
    wait = throttle.retry_after(session=db, username="anna", client_address=None, now=now)
    assert wait <= timedelta(minutes=15) and wait > timedelta(minutes=14)


def test_old_failures_and_other_accounts_do_not_count(db: Session) -> None:
    now = clock.now()
    _fail(db, account="anna", client="c", times=9, at=now - timedelta(minutes=16))
    _fail(db, account="erik", client="c", times=9)
    assert (
        throttle.retry_after(session=db, username="anna", client_address="other", now=now) is None
    )


def test_one_client_trying_many_accounts_is_slowed_too(db: Session) -> None:
    now = clock.now()
    for number in range(20):
        _fail(db, account=f"user{number}", client="192.0.2.7", times=1)
    assert throttle.retry_after(session=db, username="fresh", client_address="192.0.2.7", now=now)
    assert (
        throttle.retry_after(session=db, username="fresh", client_address="192.0.2.8", now=now)
        is None
    )


def test_the_log_keeps_no_username_or_address_in_clear(db: Session) -> None:
    _fail(db, account="anna.lindqvist", client="203.0.113.5", times=1)
    row = db.get(AuditEvent, 1)
    stored = " ".join(str(value) for value in row.model_dump().values())
    assert "anna" not in stored and "203.0.113.5" not in stored
    assert row.account_hash == audit.fingerprint("anna.lindqvist") != ""


@pytest.mark.parametrize("value", [None, ""])
def test_no_value_no_fingerprint(value: str | None) -> None:
    assert audit.fingerprint(value) == ""


def test_the_figures_are_five_per_account_and_twenty_per_address(db: Session) -> None:
    now = clock.now()
    _fail(db, account="anna", client="192.0.2.1", times=4)
    _fail(db, account="other", client="192.0.2.9", times=19)
    # Four failures on the account and 19 from the address: both still free.
    assert (
        throttle.retry_after(session=db, username="anna", client_address="192.0.2.9", now=now)
        is None
    )
    _fail(db, account="anna", client="192.0.2.1", times=1)
    assert throttle.retry_after(session=db, username="anna", client_address="198.51.100.1", now=now)
    _fail(db, account="third", client="192.0.2.9", times=1)
    assert throttle.retry_after(session=db, username="fresh", client_address="192.0.2.9", now=now)
    assert (throttle.FREE_FAILURES_PER_ACCOUNT, throttle.FREE_FAILURES_PER_CLIENT) == (5, 20)


def test_the_readme_states_the_same_figures() -> None:
    from naranara.settings import PROJECT_ROOT

    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (
        f"{throttle.FREE_FAILURES_PER_ACCOUNT} failed sign-ins per account and "
        f"{throttle.FREE_FAILURES_PER_CLIENT} per client address in "
        f"{int(throttle.WINDOW.total_seconds() // 60)} minutes"
    ) in readme
    assert "NARA_TRUSTED_PROXY_HOPS" in readme
