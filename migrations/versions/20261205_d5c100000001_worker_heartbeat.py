"""worker heartbeat

Revision ID: d5c100000001
Revises: d5a200000001
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import naranara.models.types

revision: str = "d5c100000001"
down_revision: str | None = "d5a200000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("host", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id"),
    )
    op.create_index("ix_worker_heartbeat_beat_at", "worker_heartbeat", ["beat_at"])


def downgrade() -> None:
    op.drop_index("ix_worker_heartbeat_beat_at", table_name="worker_heartbeat")
    op.drop_table("worker_heartbeat")
