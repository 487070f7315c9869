"""``naranara admin``: staff and administrator accounts from the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from naranara.cli import main
from naranara.db import session_scope
from naranara.models import AuditEvent, AuditKind, Role, User
from naranara.services import accounts
from tests.utils.factories import make_user

pytestmark = pytest.mark.usefixtures("migrated")

GOOD = "rätt häst batteri häftstift"


def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
    return CliRunner().invoke(main, ["admin", *args], input=input, env=env or {"LANG": "C"})


def _user(username: str) -> User | None:
    with session_scope() as db:
        user = db.exec(select(User).where(User.username == username)).first()
        if user is not None:
            db.expunge(user)
        return user


def test_create_staff_prompts_twice_for_a_hidden_password() -> None:
    result = run(
        "create-staff",
        "--username",
        " Sara.Holm ",
        "--name",
        "Sara Holm",
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert GOOD not in result.output  # hidden while typed
    assert "Created staff account 'sara.holm' (Sara Holm)." in result.output
    user = _user("sara.holm")
    assert (user.display_name, user.role) == ("Sara Holm", Role.STAFF)
    assert user.password_hash.startswith("$argon2id$")
    with session_scope() as db:
        assert accounts.authenticate(session=db, username="sara.holm", password=GOOD) is not None


def test_create_admin_reading_the_password_from_standard_input() -> None:
    result = run(
        "create-staff",
        "--username",
        "adam",
        "--name",
        "Adam Admin",
        "--role",
        "admin",
        "--password-stdin",
        input=f"{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert _user("adam").role == Role.ADMIN
    with session_scope() as db:
        assert accounts.authenticate(session=db, username="adam", password=GOOD) is not None


def test_mismatched_confirmation_creates_nothing() -> None:
    result = run("create-staff", "--username", "sara", "--name", "Sara", input=f"{GOOD}\n{GOOD}x\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert _user("sara") is None


def test_duplicate_usernames_are_refused_before_any_password_is_asked() -> None:
    with session_scope() as db:
        make_user(db, username="sara", role=Role.STAFF)
    result = run("create-staff", "--username", "SARA", "--name", "Another Sara", input="")
    assert result.exit_code == 1
    assert "An account named 'sara' already exists." in result.output
    assert "Password" not in result.output
    with session_scope() as db:
        assert len(db.exec(select(User)).all()) == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort", "at least 12 characters"),
        ("a" * 257 + "b", "at most 256 characters"),
        ("Sara.Holm.Nacksta", "not your username"),
        ("Password1234", "too common"),
        ("111111111111", "too common"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, message: str) -> None:
    result = run(
        "create-staff",
        "--username",
        "sara.holm.nacksta",
        "--name",
        "Sara Holm",
        "--password-stdin",
        input=f"{password}\n",
    )
    assert result.exit_code == 1
    assert message in result.output
    assert _user("sara.holm.nacksta") is None


def test_the_reason_is_in_swedish_for_a_swedish_shell() -> None:
    result = run(
        "create-staff",
        "--username",
        "sara",
        "--name",
        "Sara Holm",
        "--password-stdin",
        input="kort\n",
        env={"LANG": "sv_SE.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""},
    )
    assert result.exit_code == 1
    assert "minst 12 tecken" in result.output


@pytest.mark.parametrize("username", ["a", "anna lindqvist", "anna;drop", "x" * 65, ".hidden"])
def test_odd_usernames_are_refused(username: str) -> None:
    result = run(
        "create-staff", "--username", username, "--name", "N", "--password-stdin", input=GOOD
    )
    assert result.exit_code == 1
    assert "A username is" in result.output


def test_a_resident_role_cannot_be_created_here() -> None:
    result = run("create-staff", "--username", "anna", "--name", "Anna", "--role", "resident")
    assert result.exit_code == 2
    assert _user("anna") is None


def test_set_role_promotes_and_demotes_staff_and_audits_it() -> None:
    with session_scope() as db:
        sara_id = make_user(db, username="sara", role=Role.STAFF).id
    result = run("set-role", "--username", "Sara", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "'sara' is now admin (was staff)." in result.output
    assert _user("sara").role == Role.ADMIN

    again = run("set-role", "--username", "sara", "--role", "admin")
    assert "nothing changed" in again.output

    assert run("set-role", "--username", "sara", "--role", "staff").exit_code == 0
    assert _user("sara").role == Role.STAFF
    with session_scope() as db:
        events = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.kind, e.subject_id, e.detail) for e in events] == [
            (AuditKind.ROLE_CHANGED.value, sara_id, "from=staff to=admin via=command-line"),
            (AuditKind.ROLE_CHANGED.value, sara_id, "from=admin to=staff via=command-line"),
        ]


def test_set_role_leaves_residents_relatives_and_unknown_names_alone() -> None:
    with session_scope() as db:
        make_user(db, username="anna", role=Role.RESIDENT)
        make_user(db, username="erik", role=Role.RELATIVE)
    for username in ("anna", "erik"):
        result = run("set-role", "--username", username, "--role", "admin")
        assert result.exit_code == 1
        assert "only staff and administrator accounts change role here" in result.output
    assert _user("anna").role == Role.RESIDENT and _user("erik").role == Role.RELATIVE
    missing = run("set-role", "--username", "nobody", "--role", "staff")
    assert missing.exit_code == 1 and "There is no account named 'nobody'." in missing.output
    assert run("set-role", "--username", "anna", "--role", "resident").exit_code == 2


def test_list_staff_shows_staff_and_administrators_only() -> None:
    assert "No staff or administrator accounts." in run("list-staff").output
    with session_scope() as db:
        make_user(db, username="sara", role=Role.STAFF)
        make_user(db, username="adam", role=Role.ADMIN)
        make_user(db, username="anna", role=Role.RESIDENT)
        make_user(db, username="erik", role=Role.RELATIVE)
    result = run("list-staff")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines] == [["adam", "admin"], ["sara", "staff"]]
    assert "Sara" in lines[1]


def test_the_service_itself_refuses_to_turn_a_resident_into_staff() -> None:
    with session_scope() as db:
        anna = make_user(db, username="anna", role=Role.RESIDENT)
        with pytest.raises(ValueError, match="only staff and admin roles"):
            accounts.set_role(session=db, user=anna, role=Role.ADMIN)
        sara = make_user(db, username="sara", role=Role.STAFF)
        with pytest.raises(ValueError, match="only staff and admin roles"):
            accounts.set_role(session=db, user=sara, role=Role.RELATIVE)


def test_care_units_from_the_command_line() -> None:
    with session_scope() as db:
        make_user(db, username="kim", role=Role.STAFF)
        make_user(db, username="anna")
    assert run("list-units").output.strip() == "No care units."
    made = run("create-unit", "--name", " Hälsocentralen  Granloholm ", "--organisation", "Region")
    assert made.exit_code == 0, made.output
    assert "Created care unit 'Hälsocentralen Granloholm'." in made.output
    again = run("create-unit", "--name", "hälsocentralen granloholm")
    assert again.exit_code == 1
    assert "There is already a care unit with that name." in again.output
    assert run("create-unit", "--name", "X", "--phone", "nej").exit_code == 1

    added = run("add-to-unit", "--username", "kim", "--unit", "Hälsocentralen Granloholm")
    assert added.exit_code == 0, added.output
    assert "'kim' works in 'Hälsocentralen Granloholm'." in added.output
    # Only staff work in a unit; only a unit that exists.
    refused = run("add-to-unit", "--username", "anna", "--unit", "Hälsocentralen Granloholm")
    assert refused.exit_code == 1 and "no staff account named 'anna'" in refused.output
    missing = run("add-to-unit", "--username", "kim", "--unit", "Ingenstans")
    assert missing.exit_code == 1 and "no care unit named 'Ingenstans'" in missing.output
    listed = run("list-units").output
    assert "  Hälsocentralen Granloholm (Region)\n    staff: kim\n" in listed
    with session_scope() as db:
        kim = db.exec(select(User).where(User.username == "kim")).one()
        kinds = db.exec(select(AuditEvent.kind).where(AuditEvent.subject_id == kim.id)).all()
    assert AuditKind.MEMBERSHIP_STARTED in kinds
