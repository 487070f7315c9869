"""``naranara``: administration from the command line."""

from __future__ import annotations

import click

from naranara.db import session_scope
from naranara.migrate import upgrade_to_head
from naranara.services import demo_data


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
    """Add the Swedish demo data to an empty database."""
    with session_scope() as session:
        added = demo_data.seed(session)
    click.echo("Demo data added." if added else "The database already has data; nothing added.")


@main.command("demo-logins")
def demo_logins() -> None:
    """Print the demo accounts and their password."""
    for login in demo_data.DEMO_LOGINS:
        click.echo(f"  {login.username:<6} {login.display_name:<16} ({login.role.value})")
    click.echo(f"  password for all: {demo_data.DEMO_PASSWORD}")


@main.command("serve")
@click.option(
    "--port", default=3000, show_default=True, help="The one port for pages, events and routes."
)
@click.option("--host", default="0.0.0.0", show_default=True)
def serve(port: int, host: str) -> None:
    """Serve the app in production mode (builds the frontend only when it changed)."""
    from naranara.serve import serve as run_server

    run_server(port=port, host=host)


if __name__ == "__main__":
    main()
