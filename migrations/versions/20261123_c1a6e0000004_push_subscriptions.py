"""push subscriptions and notification settings

Revision ID: c1a6e0000004
Revises: c1a5e0000003
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

import naranara.models.types  # noqa: F401

revision: str = "c1a6e0000004"
down_revision: str | None = "c1a5e0000003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
        sa.Column("p256dh", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("auth", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device_label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_delivery_at", naranara.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint"),
    )
    op.create_index(
        op.f("ix_push_subscription_user_id"), "push_subscription", ["user_id"], unique=False
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quiet_from", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("quiet_until", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("detailed_text", sa.Boolean(), nullable=False),
        sa.Column("updated_at", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    op.drop_index(op.f("ix_push_subscription_user_id"), table_name="push_subscription")
    op.drop_table("push_subscription")
