"""guidance_read: which articles a resident has opened, for "Råd till dig"

Revision ID: d5a200000001
Revises: c1a6e0000005
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "d5a200000001"
down_revision: str | None = "c1a6e0000005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guidance_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["resident_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resident_id", "slug", name="uq_guidance_read"),
    )
    op.create_index(
        op.f("ix_guidance_read_resident_id"), "guidance_read", ["resident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_guidance_read_resident_id"), table_name="guidance_read")
    op.drop_table("guidance_read")
