"""reminder ledger and delivery attempts

Revision ID: c1a6e0000005
Revises: c1a6e0000004
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

import naranara.models.types  # noqa: F401

revision: str = "c1a6e0000005"
down_revision: str | None = "c1a6e0000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("agreed_time_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column(
            "occurrence_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("offset", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("due_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("send_after", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", naranara.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("claimed_at", naranara.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", naranara.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snoozes", sa.Integer(), nullable=False),
        sa.Column("created_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agreed_time_id"], ["agreed_time.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["self_care_task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    for column in ("agreed_time_id", "recipient_id", "resident_id", "task_id"):
        op.create_index(
            op.f(f"ix_reminder_occurrence_{column}"), "reminder_occurrence", [column], unique=False
        )
    op.create_index(
        "ix_reminder_occurrence_due", "reminder_occurrence", ["status", "send_after"], unique=False
    )
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["occurrence_id"], ["reminder_occurrence.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["push_subscription.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_delivery_attempt_occurrence_id"),
        "delivery_attempt",
        ["occurrence_id"],
        unique=False,
    )
    op.create_table(
        "agreed_time_reminder_choice",
        sa.Column("agreed_time_id", sa.Integer(), nullable=False),
        sa.Column("offsets", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["agreed_time_id"], ["agreed_time.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agreed_time_id"),
    )


def downgrade() -> None:
    op.drop_table("agreed_time_reminder_choice")
    op.drop_index(op.f("ix_delivery_attempt_occurrence_id"), table_name="delivery_attempt")
    op.drop_table("delivery_attempt")
    op.drop_index("ix_reminder_occurrence_due", table_name="reminder_occurrence")
    for column in ("agreed_time_id", "recipient_id", "resident_id", "task_id"):
        op.drop_index(op.f(f"ix_reminder_occurrence_{column}"), table_name="reminder_occurrence")
    op.drop_table("reminder_occurrence")
