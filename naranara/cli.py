"""``naranara``: administration from the command line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.exc import IntegrityError

from naranara import routes
from naranara.db import session_scope
from naranara.i18n import gettext
from naranara.inputs import InputInvalid
from naranara.migrate import upgrade_to_head
from naranara.models import AuditKind, OrganisationKind, Role
from naranara.services import accounts, audit, care_units, demo_data, enrolment, fhir
from naranara.settings import get_settings


@click.group()
def main() -> None:
    """Nära: administration commands."""


@main.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date (creates the database if needed)."""
    upgrade_to_head()
    click.echo("Database is up to date.")


@main.command("seed")
def seed() -> None:
    """Add the Swedish demo data to an empty database (to one with data: new advice only)."""
    with session_scope() as session:
        added = demo_data.seed(session)
        if added:
            demo_data.seed_relatives(session)
            demo_data.seed_care(session)
        new_guidance = 0 if added else demo_data.add_new_guidance(session)
    if added:
        click.echo("Demo data added.")
    elif new_guidance:
        click.echo(
            f"The database already has data; {new_guidance} new self-care article"
            " version(s) published."
        )
    else:
        click.echo("The database already has data; nothing added.")


@main.command("demo-logins")
@click.option(
    "--url",
    default="http://localhost:3000",
    show_default=True,
    help="Where the app is served, for the activation link.",
)
def demo_logins(url: str) -> None:
    """Print the demo accounts and their password, and how the enrolled demo resident
    activates her account: a fresh one-time code each time (the one before stops working)."""
    for login in demo_data.DEMO_LOGINS:
        click.echo(f"  {login.username:<6} {login.display_name:<16} ({login.role.value})")
    click.echo(f"  password for all: {demo_data.DEMO_PASSWORD}")
    with session_scope() as session:
        waiting = demo_data.demo_activation(session)
    if waiting is None:
        return
    if not waiting.code:
        click.echo(
            f"  {waiting.display_name} has activated her account (username {waiting.username})."
        )
        return
    link = f"{url.rstrip('/')}{routes.ACTIVATION}?kod={waiting.code}"
    click.echo(
        f"  {waiting.display_name} is enrolled but not activated yet: open {link}\n"
        f"    (or type the code {enrolment.format_code(waiting.code)} at "
        f"{url.rstrip('/')}{routes.ACTIVATION}) and choose a password."
    )


@main.command("serve")
@click.option(
    "--port", default=3000, show_default=True, help="The one port for pages, events and routes."
)
@click.option("--host", default="0.0.0.0", show_default=True)
def serve(port: int, host: str) -> None:
    """Serve the app in production mode (builds the frontend only when it changed).

    Refuses to start, saying why, when the setup would misbehave: several web workers
    without Redis, the port already served, Redis without keyspace notifications, keys
    other than the database was set up with (naranara/start_checks.py).
    """
    from naranara.serve import serve as run_server

    with _refusals():
        run_server(port=port, host=host)


@contextmanager
def _refusals() -> Iterator[None]:
    """A start check's refusal as one clear message and exit status 2, no traceback."""
    from naranara.start_checks import StartRefused

    try:
        yield
    except StartRefused as refusal:
        click.echo(f"Nära cannot start: {refusal}", err=True)
        sys.exit(2)


@main.command("run")
@click.option("--port", default=3000, show_default=True, help="The web app's one port.")
@click.option("--host", default="0.0.0.0", show_default=True)
def run(port: int, host: str) -> None:
    """Serve the app and run the reminder worker together (what `make run` does).

    supervisord keeps both running: a process that dies is started again, and the log
    says so; Ctrl+C stops both.
    """
    from naranara import start_checks
    from naranara.supervise import run as run_supervised

    with _refusals():
        # Before supervisord: a refusal stops here, instead of being retried ten times.
        start_checks.check_web(port=port, host=host)
    run_supervised(port=port, host=host)


@main.command("worker")
@click.option("--once", is_flag=True, help="Plan, send what is due now, then stop.")
@click.option(
    "--plan/--no-plan", default=True, show_default=True, help="Off when another worker plans."
)
@click.option("--batch-size", default=500, show_default=True)
@click.option("--concurrency", default=200, show_default=True, help="Pushes in flight at once.")
@click.option(
    "--lease-seconds",
    default=60,
    show_default=True,
    help="After this long, a dead worker's claimed reminders are sent by another.",
)
def worker(once: bool, plan: bool, batch_size: int, concurrency: int, lease_seconds: int) -> None:
    """Plan and send reminders (push notifications); run next to the web server."""
    from datetime import timedelta

    from naranara import logs, start_checks
    from naranara.reminders.worker import WorkerOptions, run_worker

    with _refusals():
        # Its VAPID key signs every push: another key than the phones subscribed with fails.
        start_checks.check_keys(say=click.echo)
    logs.configure()
    totals = run_worker(
        WorkerOptions(
            once=once,
            plan=plan,
            batch_size=batch_size,
            concurrency=concurrency,
            lease=timedelta(seconds=lease_seconds),
        )
    )
    click.echo(
        f"Reminders: {totals.sent} sent, {totals.retried} to retry, "
        f"{totals.withdrawn} withdrawn, {totals.failed} failed, {totals.gone} without a device."
    )


@main.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_command(directory: Path) -> None:
    """Copy the database and the key files into DIRECTORY (new or empty), while the app runs."""
    from naranara import backup

    try:
        summary = backup.create(directory, settings=get_settings())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the {summary.database} database and {len(summary.files) - 1} files.")
    for name in summary.files:
        click.echo(f"  {name}")


@main.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(directory: Path) -> None:
    """Restore a backup into an empty data directory and an empty database."""
    from naranara import backup

    try:
        summary = backup.restore(directory, settings=get_settings())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the {summary.database} database and {len(summary.files) - 1} files.")
    if summary.behind_the_code:
        click.echo("The backup is from an older release: run `naranara migrate` before starting.")


@main.group("keys")
def keys() -> None:
    """The keys every server must share, checked against the database's fingerprints."""


@keys.command("status")
def keys_status() -> None:
    """Show this machine's keys' fingerprints next to the database's (exit 1 on a mismatch)."""
    from naranara import start_checks

    with _refusals():
        states = start_checks.key_states()
    mismatched = False
    for state in states:
        if state.recorded is None:
            verdict = "not recorded yet (the next start records it)"
        elif state.matches:
            verdict = f"matches the database (recorded {state.recorded_at:%Y-%m-%d %H:%M} UTC)"
        else:
            mismatched = True
            verdict = (
                f"DIFFERS from the database's {state.recorded[:12]}… "
                f"(recorded {state.recorded_at:%Y-%m-%d %H:%M} UTC)"
            )
        click.echo(f"  {state.name:<17} {state.fingerprint[:12]}…  {verdict}")
        click.echo(f"  {'':<17} from {state.where}")
    if mismatched:
        click.echo(
            "A differing key: copy the key from the machine the database was set up with, "
            "or, after a deliberate rotation, run `naranara keys adopt`."
        )
        sys.exit(1)


@keys.command("adopt")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def keys_adopt(yes: bool) -> None:
    """Record this machine's keys as the database's, after a deliberate key rotation.

    A new secret key signs everyone out; a new VAPID key ends every phone's reminders
    until it turns them on again. Give the new keys to every server before they restart.
    """
    from naranara import start_checks

    if not yes:
        click.confirm("Record this machine's keys as the ones every server must use?", abort=True)
    with _refusals():
        changed = start_checks.adopt_keys()
    if changed:
        click.echo(f"Recorded new fingerprints for: {', '.join(changed)}.")
    else:
        click.echo("The database already had these keys; nothing changed.")


@main.command("import-fhir")
@click.argument("file", type=click.File("rb"))
@click.option("--resident", "username", required=True, help="The resident the bundle is about.")
def import_fhir(file, username: str) -> None:  # noqa: ANN001 - a click file
    """Import Appointment and CareTeam resources from a FHIR R4 Bundle (JSON).

    All or nothing: any invalid entry and nothing is imported. Importing the same
    bundle again changes nothing (resources are matched on their identifiers).
    """
    locale = _operator_locale()
    problems: list[str] = []
    try:
        bundle = json.loads(file.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(
            gettext(locale, "The file is not JSON: {problem}").format(problem=error)
        ) from None
    with session_scope() as db:
        resident = accounts.user_by_username(session=db, username=username)
        if resident is None or resident.role != Role.RESIDENT:
            raise click.ClickException(
                gettext(locale, "There is no resident with the username {username}.").format(
                    username=repr(username)
                )
            )
        try:
            summary = fhir.import_bundle(
                session=db, resident_id=resident.id, bundle=bundle, imported_by_id=None
            )
        except fhir.BundleRejected as rejected:
            problems = rejected.texts(locale)
    if problems:
        click.echo(gettext(locale, "Nothing was imported:"), err=True)
        for text in problems:
            click.echo(f"  - {text}", err=True)
        sys.exit(1)
    click.echo(
        gettext(
            locale,
            "Agreed times: {added} added, {updated} updated, {unchanged} unchanged.",
        ).format(
            added=summary.times_added,
            updated=summary.times_updated,
            unchanged=summary.times_unchanged,
        )
    )
    click.echo(
        gettext(
            locale,
            "Care contacts: {added} added, {updated} updated, {unchanged} unchanged.",
        ).format(
            added=summary.contacts_added,
            updated=summary.contacts_updated,
            unchanged=summary.contacts_unchanged,
        )
    )
    for number, kind in summary.skipped:
        click.echo(
            gettext(locale, "Entry {number} skipped: {kind} is not imported.").format(
                number=number, kind=kind
            )
        )


# ---------------------------------------------------------------- staff and administrators

_STAFF_ROLE_CHOICE = click.Choice([role.value for role in accounts.STAFF_ROLES])


def _operator_locale() -> str:
    """Messages meant for whoever sets the password: Swedish if their shell is, else English."""
    language = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return "sv" if (language or "").lower().startswith("sv") else "en"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; only the line break is taken off, spaces are part of a password.
        return sys.stdin.readline().rstrip("\r\n")
    # Prompted, never an option: a password on the command line ends up in shell
    # history and in the process list.
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group("admin")
def admin() -> None:
    """Staff and administrator accounts."""


@admin.command("create-staff")
@click.option("--username", required=True, help="What they sign in with (letters, digits, . _ -).")
@click.option("--name", "display_name", required=True, help="Full name, as colleagues see it.")
@click.option("--role", type=_STAFF_ROLE_CHOICE, default=Role.STAFF.value, show_default=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
def create_staff(username: str, display_name: str, role: str, password_stdin: bool) -> None:
    """Create a staff or administrator account with a password."""
    username = accounts.normalise_username(username)
    display_name = display_name.strip()
    if not accounts.USERNAME_PATTERN.fullmatch(username):
        raise click.ClickException(
            "A username is 2-64 characters: letters a-z, digits, '.', '_' or '-'."
        )
    if not display_name or len(display_name) > 120:
        raise click.ClickException("A name is 1-120 characters.")
    with session_scope() as db:
        if accounts.user_by_username(session=db, username=username) is not None:
            raise click.ClickException(f"An account named {username!r} already exists.")
    password = _read_password(password_stdin)
    problem = accounts.password_problem(password, username=username)
    if problem:
        raise click.ClickException(gettext(_operator_locale(), problem))
    try:
        with session_scope() as db:
            accounts.create_user(
                session=db,
                username=username,
                display_name=display_name,
                role=Role(role),
                password=password,
            )
    except IntegrityError:  # created by someone else meanwhile
        raise click.ClickException(f"An account named {username!r} already exists.") from None
    click.echo(f"Created {role} account {username!r} ({display_name}).")


@admin.command("set-role")
@click.option("--username", required=True)
@click.option("--role", type=_STAFF_ROLE_CHOICE, required=True)
def set_role(username: str, role: str) -> None:
    """Make a staff account an administrator, or an administrator staff again."""
    with session_scope() as db:
        user = accounts.user_by_username(session=db, username=username)
        if user is None:
            raise click.ClickException(f"There is no account named {username!r}.")
        if user.role not in accounts.STAFF_ROLES:
            raise click.ClickException(
                f"{user.username!r} is a {user.role.value}: only staff and administrator "
                "accounts change role here."
            )
        previous = accounts.set_role(session=db, user=user, role=Role(role))
        if previous != Role(role):
            audit.record(
                session=db,
                kind=AuditKind.ROLE_CHANGED,
                subject_id=user.id,
                detail=f"from={previous.value} to={role} via=command-line",
            )
        name = user.username
    if previous == Role(role):
        click.echo(f"{name!r} already has the role {role}; nothing changed.")
    else:
        click.echo(f"{name!r} is now {role} (was {previous.value}).")


@admin.command("list-staff")
def list_staff() -> None:
    """List staff and administrator accounts."""
    with session_scope() as db:
        rows = [
            (user.username, user.role.value, user.display_name, f"{user.created_at:%Y-%m-%d}")
            for user in accounts.staff_accounts(session=db)
        ]
    if not rows:
        click.echo("No staff or administrator accounts.")
        return
    width = max(len(username) for username, *_ in rows)
    for username, role, display_name, created in rows:
        click.echo(f"  {username:<{width}}  {role:<5}  {created}  {display_name}")


# ---------------------------------------------------------------- care units and who works there


def _unit_problem(error: InputInvalid) -> str:
    said = error.texts(_operator_locale())
    return " ".join(f"{field}: {text}" for field, text in said.items())


@admin.command("create-unit")
@click.option("--name", required=True, help="As staff and residents see it.")
@click.option("--organisation", default="", help="The region or municipality it belongs to.")
@click.option(
    "--kind",
    type=click.Choice([kind.value for kind in OrganisationKind]),
    default=OrganisationKind.REGION.value,
    show_default=True,
)
@click.option("--phone", default="", help="The unit's phone number.")
def create_unit(name: str, organisation: str, kind: str, phone: str) -> None:
    """Create a care unit (a health centre, a home care team)."""
    data = {"name": name, "organisation": organisation, "kind": kind, "phone": phone}
    try:
        with session_scope() as db:
            unit = care_units.create_unit(session=db, data=data)
            created = unit.name
    except InputInvalid as error:
        raise click.ClickException(_unit_problem(error)) from None
    click.echo(f"Created care unit {created!r}.")


@admin.command("add-to-unit")
@click.option("--username", required=True)
@click.option("--unit", "unit_name", required=True, help="The unit's name, exactly.")
def add_to_unit(username: str, unit_name: str) -> None:
    """Let a staff member work in a unit: they reach the residents in its care."""
    with session_scope() as db:
        user = accounts.user_by_username(session=db, username=username)
        if user is None or user.role is not Role.STAFF:
            raise click.ClickException(f"There is no staff account named {username!r}.")
        unit = care_units.unit_named(session=db, name=unit_name)
        if unit is None:
            raise click.ClickException(f"There is no care unit named {unit_name!r}.")
        care_units.add_member(session=db, unit_id=unit.id, staff_id=user.id)
        said = f"{user.username!r} works in {unit.name!r}."
    click.echo(said)


@admin.command("list-units")
def list_units() -> None:
    """List the care units, each with its staff."""
    with session_scope() as db:
        rows = [
            (
                unit.name,
                unit.organisation,
                [staff.username for staff in care_units.staff_of(session=db, unit_id=unit.id)],
            )
            for unit in care_units.all_units(session=db)
        ]
    if not rows:
        click.echo("No care units.")
        return
    for name, organisation, staff in rows:
        click.echo(f"  {name}" + (f" ({organisation})" if organisation else ""))
        click.echo(f"    staff: {', '.join(staff) if staff else '-'}")


if __name__ == "__main__":
    main()
