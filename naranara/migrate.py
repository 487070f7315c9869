"""Apply the Alembic migrations to the configured database."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from naranara.settings import PROJECT_ROOT


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def upgrade_to_head() -> None:
    command.upgrade(alembic_config(), "head")
