"""Server-side sessions and one-time login tickets."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, SQLModel, select

from naranara import clock
from naranara.db import get_engine, session_scope
from naranara.models import AuthSession, LoginTicket, Role, User
from naranara.services import sessions
from naranara.settings import get_settings
from tests.utils.factories import make_user

pytestmark = [
    pytest.mark.both_databases(
        "a ticket is claimed by one conditional UPDATE; expiry compared in SQL"
    ),
    pytest.mark.time_sensitive,
]

DEVICE = "device-token-of-annas-phone"


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@pytest.fixture
def anna(migrated: str) -> User:
    with session_scope() as db:
        return make_user(db, username="anna")


@pytest.fixture
def bo(migrated: str) -> User:
    with session_scope() as db:
        return make_user(db, username="bo")


def start(user: User) -> str:
    with session_scope() as db:
        return sessions.start_session(session=db, user=user)


def resolve(token: str | None) -> User | None:
    """One request: a fresh unit of work, as the app does it."""
    with session_scope() as db:
        return sessions.resolve(session=db, token=token)


def session_row(token: str) -> AuthSession:
    with Session(get_engine()) as db:
        return db.get(AuthSession, sha256(token))


def change_session_row(token: str, **values: datetime) -> None:
    with session_scope() as db:
        row = db.get(AuthSession, sha256(token))
        for name, value in values.items():
            setattr(row, name, value)
        db.add(row)


def stored_text() -> str:
    """Every value in every table, as text: what anyone reading the database would see."""
    with get_engine().connect() as connection:
        return "\n".join(
            repr(value)
            for table in SQLModel.metadata.sorted_tables
            for row in connection.execute(table.select())
            for value in row
        )


def sqlite_files() -> bytes:
    """Everything SQLite has written: the main file and the write-ahead log."""
    files = sorted(get_settings().data_dir.glob("nara.db*"))
    assert files
    return b"".join(path.read_bytes() for path in files)


def assert_not_stored_in_clear(secret: str, stored_as: str, database: str) -> None:
    text = stored_text()
    assert stored_as in text  # the search does see what was stored
    assert secret not in text
    if database == "sqlite":
        written = sqlite_files()
        assert stored_as.encode() in written
        assert secret.encode() not in written


# --- sessions ---------------------------------------------------------------------------


def test_a_started_session_resolves_to_its_user(anna: User) -> None:
    token = start(anna)
    user = resolve(token)
    assert user is not None
    assert user.id == anna.id


def test_tokens_are_long_random_and_distinct(anna: User) -> None:
    tokens = {start(anna) for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(token) >= 43 for token in tokens)  # 32 bytes, base64url


def test_only_the_sha256_of_the_token_is_stored(anna: User, migrated: str) -> None:
    token = start(anna)
    with Session(get_engine()) as db:
        rows = db.exec(select(AuthSession)).all()
    assert [row.token_hash for row in rows] == [sha256(token)]
    assert_not_stored_in_clear(token, sha256(token), migrated)


def test_no_or_unknown_token_resolves_to_nobody(anna: User) -> None:
    start(anna)
    for token in (None, "", "made-up-token"):
        assert resolve(token) is None, token


def test_the_hash_itself_is_not_a_token(anna: User) -> None:
    token = start(anna)
    assert resolve(sha256(token)) is None


def test_a_session_lives_at_most_the_absolute_lifetime(anna: User) -> None:
    before = clock.now()
    token = start(anna)
    row = session_row(token)
    assert row.created_at >= before
    assert row.expires_at - row.created_at == timedelta(days=30)
    assert row.last_seen_at == row.created_at
    assert row.revoked_at is None


def test_idle_session_is_over(anna: User) -> None:
    token = start(anna)
    idle = get_settings().session_idle_for(anna.role)
    change_session_row(token, last_seen_at=clock.now() - idle - timedelta(minutes=1))
    assert resolve(token) is None


def test_activity_within_the_idle_timeout_keeps_the_session_and_is_recorded(anna: User) -> None:
    token = start(anna)
    idle = get_settings().session_idle_for(anna.role)
    long_ago = clock.now() - idle + timedelta(minutes=5)
    change_session_row(token, last_seen_at=long_ago)

    before = clock.now()
    assert resolve(token) is not None
    assert session_row(token).last_seen_at >= before
    # ...so the idle clock starts again from now.
    assert resolve(token) is not None


def test_activity_within_a_minute_is_not_written_again(anna: User) -> None:
    token = start(anna)
    recently = clock.now() - timedelta(seconds=30)
    change_session_row(token, last_seen_at=recently)
    assert resolve(token) is not None
    assert session_row(token).last_seen_at == recently


def test_session_past_its_absolute_lifetime_is_over_even_if_active(anna: User) -> None:
    token = start(anna)
    now = clock.now()
    change_session_row(token, expires_at=now - timedelta(seconds=1), last_seen_at=now)
    assert resolve(token) is None


def test_activity_does_not_extend_the_absolute_lifetime(anna: User) -> None:
    token = start(anna)
    expires_at = session_row(token).expires_at
    change_session_row(token, last_seen_at=clock.now() - timedelta(hours=2))
    assert resolve(token) is not None
    assert session_row(token).expires_at == expires_at


def test_ended_session_resolves_to_nobody(anna: User) -> None:
    token = start(anna)
    other = start(anna)
    with session_scope() as db:
        sessions.end_session(session=db, token=token)
    assert resolve(token) is None
    assert session_row(token).revoked_at is not None
    # Ending one browser's session leaves the person's other browsers alone.
    assert resolve(other) is not None


def test_ending_twice_keeps_the_first_time(anna: User) -> None:
    token = start(anna)
    with session_scope() as db:
        sessions.end_session(session=db, token=token)
    first = session_row(token).revoked_at
    with session_scope() as db:
        sessions.end_session(session=db, token=token)
    assert session_row(token).revoked_at == first


def test_ending_no_or_an_unknown_session_changes_nothing(anna: User) -> None:
    kept = start(anna)
    for token in (None, "", "made-up-token"):
        with session_scope() as db:
            sessions.end_session(session=db, token=token)
    assert resolve(kept) is not None
    assert session_row(kept).revoked_at is None


def test_revoked_session_is_over_even_within_its_lifetime(anna: User) -> None:
    token = start(anna)
    change_session_row(token, revoked_at=clock.now() + timedelta(minutes=5))
    assert resolve(token) is None


def test_end_all_sessions_ends_every_session_of_that_person_only(anna: User, bo: User) -> None:
    annas = [start(anna), start(anna), start(anna)]
    with session_scope() as db:
        sessions.end_session(session=db, token=annas[0])
    bos = start(bo)

    with session_scope() as db:
        ended = sessions.end_all_sessions(session=db, user_id=anna.id)

    assert ended == 2  # the one already ended is not counted again
    assert [resolve(token) for token in annas] == [None, None, None]
    still = resolve(bos)
    assert still is not None
    assert still.id == bo.id
    with session_scope() as db:
        assert sessions.end_all_sessions(session=db, user_id=anna.id) == 0


# --- login tickets ------------------------------------------------------------------------


def issue(user: User, device: str = DEVICE) -> sessions.IssuedTicket:
    with session_scope() as db:
        return sessions.issue_login_ticket(session=db, user=user, device_token=device)


def redeem(ticket: str, device: str = DEVICE) -> User | None:
    with session_scope() as db:
        return sessions.redeem_login_ticket(session=db, ticket=ticket, device_token=device)


def test_a_ticket_is_redeemed_for_its_user(anna: User) -> None:
    user = redeem(issue(anna).token)
    assert user is not None
    assert user.id == anna.id


def test_a_ticket_is_redeemed_once_only(anna: User) -> None:
    ticket = issue(anna).token
    assert redeem(ticket) is not None
    with Session(get_engine()) as db:
        assert db.get(LoginTicket, sha256(ticket)).used_at is not None
    assert redeem(ticket) is None
    assert redeem(ticket) is None


def test_a_ticket_expires_after_the_configured_seconds(anna: User) -> None:
    before = clock.now()
    issued = issue(anna)
    seconds = timedelta(seconds=get_settings().login_ticket_seconds)
    assert before + seconds <= issued.expires_at <= clock.now() + seconds
    with Session(get_engine()) as db:
        assert db.get(LoginTicket, sha256(issued.token)).expires_at == issued.expires_at


def test_an_expired_ticket_is_refused(anna: User) -> None:
    ticket = issue(anna).token
    with session_scope() as db:
        row = db.get(LoginTicket, sha256(ticket))
        row.expires_at = clock.now() - timedelta(seconds=1)
        db.add(row)
    assert redeem(ticket) is None


def test_a_ticket_only_signs_in_the_device_it_was_issued_to(anna: User) -> None:
    ticket = issue(anna).token
    assert redeem(ticket, device="someone-elses-browser") is None
    assert redeem(ticket, device="") is None


def test_an_unknown_ticket_is_refused(anna: User) -> None:
    issue(anna)
    assert redeem("made-up-ticket") is None
    assert redeem("") is None


def test_tickets_of_different_people_do_not_mix(anna: User, bo: User) -> None:
    annas, bos = issue(anna).token, issue(bo).token
    assert redeem(bos).id == bo.id
    assert redeem(annas).id == anna.id


def test_ticket_and_device_token_are_stored_only_as_sha256(anna: User, migrated: str) -> None:
    ticket = issue(anna).token
    with Session(get_engine()) as db:
        row = db.exec(select(LoginTicket)).one()
    assert (row.ticket_hash, row.device_hash) == (sha256(ticket), sha256(DEVICE))
    assert_not_stored_in_clear(ticket, sha256(ticket), migrated)
    assert_not_stored_in_clear(DEVICE, sha256(DEVICE), migrated)


def test_a_ticket_cannot_be_redeemed_twice_by_overlapping_requests(anna: User) -> None:
    """Two requests with the same ticket: the second read the row before the first wrote."""
    ticket = issue(anna).token
    with (
        Session(get_engine(), expire_on_commit=False) as first,
        Session(get_engine(), expire_on_commit=False) as second,
    ):
        # The second request has looked the ticket up: still unused at that moment.
        seen_by_second = second.get(LoginTicket, sha256(ticket))
        assert seen_by_second.used_at is None

        winner = sessions.redeem_login_ticket(session=first, ticket=ticket, device_token=DEVICE)
        first.commit()
        loser = sessions.redeem_login_ticket(session=second, ticket=ticket, device_token=DEVICE)
        second.commit()

    assert winner is not None
    assert loser is None


def test_staff_sessions_are_short_resident_sessions_long(anna: User) -> None:
    with session_scope() as db:
        staff = make_user(db, username="sara", role=Role.STAFF)
    staff_token, resident_token = start(staff), start(anna)
    staff_row, resident_row = session_row(staff_token), session_row(resident_token)
    assert staff_row.expires_at - staff_row.created_at == timedelta(hours=12)
    assert resident_row.expires_at - resident_row.created_at == timedelta(days=30)
    # 31 minutes without use ends the staff session, not the resident's.
    quiet = clock.now() - timedelta(minutes=31)
    change_session_row(staff_token, last_seen_at=quiet)
    change_session_row(resident_token, last_seen_at=quiet)
    assert resolve(staff_token) is None
    assert resolve(resident_token) is not None
