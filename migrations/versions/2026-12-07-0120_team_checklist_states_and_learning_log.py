"""team checklist states and learning log

Issue 20: every team's checklist entries (the playbook's and the roadmap's) gain a status, an owner, a
due date, a note and an evidence link (`checklist_entry_states`, which also holds a playbook entry's
tick); the learning log keeps the team's sessions and who attended.

Revision ID: 7c2d41e9a0b5
Revises: 3fc5b3f88f94
Created: 2026-12-07 01:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "7c2d41e9a0b5"
down_revision: str | None = "3fc5b3f88f94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_entry_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("list_id", sa.String(length=80), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("na_reason", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2048), nullable=False),
        sa.Column("done", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("done_by_evidence", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("kept_undone", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_checklist_entry_states_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_checklist_entry_states_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_checklist_entry_states_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_entry_states")),
        sa.UniqueConstraint(
            "team_id",
            "source",
            "list_id",
            "entry_id",
            name=op.f("uq_checklist_entry_states_team_id_source_list_id_entry_id"),
        ),
    )
    with op.batch_alter_table("checklist_entry_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_entry_states_team_id"), ["team_id"], unique=False)

    op.create_table(
        "learning_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("led_to_item", sa.String(length=80), nullable=True),
        sa.Column("led_to_entry", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_learning_sessions_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_learning_sessions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_learning_sessions_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_sessions")),
    )
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_sessions_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_learning_sessions_held_on"), ["held_on"], unique=False)

    op.create_table(
        "learning_attendees",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_learning_attendees_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_learning_attendees_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_learning_attendees")),
    )


def downgrade() -> None:
    op.drop_table("learning_attendees")
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_sessions_held_on"))
        batch_op.drop_index(batch_op.f("ix_learning_sessions_team_id"))
    op.drop_table("learning_sessions")
    with op.batch_alter_table("checklist_entry_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_entry_states_team_id"))
    op.drop_table("checklist_entry_states")
