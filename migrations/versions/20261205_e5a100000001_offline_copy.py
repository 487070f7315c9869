"""offline copy devices and check-off receipts

Revision ID: e5a100000001
Revises: d5b100000001
Create Date: 2026-12-05 10:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import naranara.models.types

revision: str = "e5a100000001"
down_revision: str | None = "d5b100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = naranara.models.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "offline_copy_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.Column("refreshed_at", _UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "device_hash", name="uq_offline_copy_device"),
    )
    op.create_index(
        op.f("ix_offline_copy_device_user_id"), "offline_copy_device", ["user_id"], unique=False
    )
    op.create_index(
        op.f("ix_offline_copy_device_device_hash"),
        "offline_copy_device",
        ["device_hash"],
        unique=False,
    )
    op.create_table(
        "check_off_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("occurrence_at", _UTC(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("pressed_at", _UTC(timezone=True), nullable=True),
        sa.Column("received_at", _UTC(timezone=True), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.ForeignKeyConstraint(["sender_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["self_care_task.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sender_id", "idempotency_key", name="uq_check_off_receipt_key"),
    )
    op.create_index(
        op.f("ix_check_off_receipt_sender_id"), "check_off_receipt", ["sender_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_check_off_receipt_sender_id"), table_name="check_off_receipt")
    op.drop_table("check_off_receipt")
    op.drop_index(op.f("ix_offline_copy_device_device_hash"), table_name="offline_copy_device")
    op.drop_index(op.f("ix_offline_copy_device_user_id"), table_name="offline_copy_device")
    op.drop_table("offline_copy_device")
