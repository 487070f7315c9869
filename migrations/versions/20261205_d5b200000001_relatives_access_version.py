"""relatives: access version of each account, invitations held for a browser

Revision ID: d5b200000001
Revises: d5c100000001
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import naranara.models.types

revision: str = "d5b200000001"
down_revision: str | None = "d5c100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD/DROP COLUMN (SQLite 3.35+ has both): a batch rebuild of the table
    # every other table points at is neither needed nor safe with foreign keys on.
    op.add_column(
        "user_account",
        sa.Column("access_version", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "proxy_invitation_hold",
        sa.Column("device_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("held_until", naranara.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invitation_id"], ["proxy_invitation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("device_hash"),
    )
    op.create_index(
        op.f("ix_proxy_invitation_hold_invitation_id"),
        "proxy_invitation_hold",
        ["invitation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_proxy_invitation_hold_invitation_id"), table_name="proxy_invitation_hold"
    )
    op.drop_table("proxy_invitation_hold")
    op.drop_column("user_account", "access_version")
