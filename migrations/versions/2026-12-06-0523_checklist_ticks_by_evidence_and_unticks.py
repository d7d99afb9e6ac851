"""checklist ticks by evidence and unticks

Live evidence ticks checklist entries a signal proves (issue 19): a tick records whether a person or the
evidence made it and the reading shown beside it; `checklist_unticks` keeps a person's explicit "not
done" on an entry the evidence could tick, so a sync never overrides it.

Revision ID: 3fc5b3f88f94
Revises: 50dd4c5eb511
Created: 2026-12-06 05:23:13.168067+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "3fc5b3f88f94"
down_revision: str | None = "50dd4c5eb511"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_unticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("undone_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["roadmap_id"],
            ["roadmaps.id"],
            name=op.f("fk_checklist_unticks_roadmap_id_roadmaps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["users.id"],
            name=op.f("fk_checklist_unticks_undone_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_unticks")),
        sa.UniqueConstraint(
            "roadmap_id", "item_id", "entry_id", name=op.f("uq_checklist_unticks_roadmap_id_item_id_entry_id")
        ),
    )
    with op.batch_alter_table("checklist_unticks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_unticks_roadmap_id"), ["roadmap_id"], unique=False)

    with op.batch_alter_table("checklist_ticks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("by_evidence", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("evidence", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checklist_ticks", schema=None) as batch_op:
        batch_op.drop_column("evidence")
        batch_op.drop_column("by_evidence")

    with op.batch_alter_table("checklist_unticks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_unticks_roadmap_id"))

    op.drop_table("checklist_unticks")
