"""team improvement share

Revision ID: 9c4d2e7f1a30
Revises: 5b0e3c1d7a21
Created: 2026-12-05 21:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4d2e7f1a30"
down_revision: str | None = "5b0e3c1d7a21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("improvement_share", sa.Float(), nullable=False, server_default="0.3"))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("improvement_share")
