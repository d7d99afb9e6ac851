"""audit events by object

The dashboard's answer diff reads who saved each answer of an assessment from the audit log: an index
on (object_type, object_id) finds an object's events without reading the whole log.

Revision ID: 9d2c41e7b5a8
Revises: 7a1c0e2b9d44
Created: 2026-12-07 02:45:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9d2c41e7b5a8"
down_revision: str | None = "7a1c0e2b9d44"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_object_type_object_id", ["object_type", "object_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_object_type_object_id")
