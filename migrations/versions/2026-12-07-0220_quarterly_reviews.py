"""quarterly reviews

A team's review of a quarter (issue 20): what went well, the bottleneck, the playbook's failure patterns
that showed, and the decided actions. Every save is a new version (a new row), so earlier ones are kept.

Revision ID: 7a1c0e2b9d44
Revises: 7c2d41e9a0b5
Created: 2026-12-07 02:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "7a1c0e2b9d44"
down_revision: str | None = "7c2d41e9a0b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarterly_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("bottleneck", sa.Text(), nullable=False),
        sa.Column("patterns", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_quarterly_reviews_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_quarterly_reviews_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarterly_reviews")),
        sa.UniqueConstraint(
            "team_id", "period", "version", name=op.f("uq_quarterly_reviews_team_id_period_version")
        ),
    )
    with op.batch_alter_table("quarterly_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarterly_reviews_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarterly_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarterly_reviews_team_id"))
    op.drop_table("quarterly_reviews")
