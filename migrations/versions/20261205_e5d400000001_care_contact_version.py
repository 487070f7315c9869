"""care contact version: two devices editing one contact never overwrite each other

Revision ID: e5d400000001
Revises: e5b100000001
Create Date: 2026-12-05 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5d400000001"
down_revision: str | None = "e5b100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("care_contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("care_contact", schema=None) as batch_op:
        batch_op.drop_column("version")
