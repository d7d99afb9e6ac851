"""data revision

Revision ID: 5b0e3c1d7a21
Revises: ecc43c1339d6
Created: 2026-11-28 10:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b0e3c1d7a21"
down_revision: str | None = "ecc43c1339d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "data_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revisions")),
    )
    op.bulk_insert(table, [{"revision": 0}])  # id 1, from the sequence (PostgreSQL keeps it right)


def downgrade() -> None:
    op.drop_table("data_revisions")
