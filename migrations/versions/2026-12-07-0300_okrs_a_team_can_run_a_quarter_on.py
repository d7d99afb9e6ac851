"""okrs a team can run a quarter on

Issue 20: leadership's organisation objectives (`org_objectives`) that team objectives may contribute
to; an owner, own dates and a reopening for objectives; a direction and a due date for key results.
Existing key results get the direction their start and target already imply.

Revision ID: 7a3e91c2b5d4
Revises: 9d2c41e7b5a8
Created: 2026-12-07 01:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "7a3e91c2b5d4"
down_revision: str | None = "9d2c41e7b5a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_org_objectives_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_org_objectives_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_objectives")),
    )
    with op.batch_alter_table("org_objectives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_objectives_period"), ["period"], unique=False)

    with op.batch_alter_table("objectives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("org_objective_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reopened_at", app.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_objectives_org_objective_id"), ["org_objective_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_objectives_owner_id_users"), "users", ["owner_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_objectives_org_objective_id_org_objectives"),
            "org_objectives",
            ["org_objective_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("direction", sa.String(length=4), server_default="up", nullable=False))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE key_results SET direction = 'down' WHERE kind <> 'milestone' AND target_value < start_value"
    )


def downgrade() -> None:
    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.drop_column("due_on")
        batch_op.drop_column("direction")

    with op.batch_alter_table("objectives", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_objectives_org_objective_id_org_objectives"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_objectives_owner_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_objectives_org_objective_id"))
        batch_op.drop_column("reopened_at")
        batch_op.drop_column("org_objective_id")
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("org_objectives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_objectives_period"))

    op.drop_table("org_objectives")
