"""self-care plans and measurements

Revision ID: c1a5e0000003
Revises: c1a5e0000002
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import naranara.models.types

revision: str = "c1a5e0000003"
down_revision: str | None = "c1a5e0000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = (
    ("template_slug", 120),
    ("template_key", 80),
    ("measurement_kind", 32),
    ("threshold_rule", 16),
    ("threshold_advice", 1000),
)


def upgrade() -> None:
    # Batch mode: SQLite changes a table by copying it; PostgreSQL alters it in place.
    with op.batch_alter_table("self_care_task") as batch:
        batch.add_column(
            sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        for name, length in _TEXT_COLUMNS:
            batch.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    nullable=False,
                    server_default="",
                )
            )
        batch.add_column(sa.Column("threshold_value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("threshold_days", sa.Integer(), nullable=True))
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("value2", sa.Float(), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("custom_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("measured_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["task_id"], ["self_care_task.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_measurement_resident_id"), "measurement", ["resident_id"], unique=False
    )
    op.create_index(
        "ix_measurement_resident_kind_at",
        "measurement",
        ["resident_id", "kind", "measured_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_measurement_resident_kind_at", table_name="measurement")
    op.drop_index(op.f("ix_measurement_resident_id"), table_name="measurement")
    op.drop_table("measurement")
    with op.batch_alter_table("self_care_task") as batch:
        for name in ("threshold_days", "threshold_value", *reversed([n for n, _ in _TEXT_COLUMNS])):
            batch.drop_column(name)
        batch.drop_column("paused")
