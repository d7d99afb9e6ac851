"""procrastinate job queue (PostgreSQL only)

The periodic syncs run as procrastinate jobs on PostgreSQL (app/signals/tasks.py); its tables, functions
and triggers are procrastinate's own schema.sql for the pinned version. On SQLite there is no queue
(`hoshin serve` schedules syncs itself), so nothing is created there.

Revision ID: 5e1f0c2a7b94
Revises: d3bf495229ba
Created: 2026-12-06 04:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "5e1f0c2a7b94"
down_revision: str | None = "d3bf495229ba"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)
TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status")
DROP_FUNCTIONS = """
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT oid::regprocedure AS signature FROM pg_proc WHERE proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE';
    END LOOP;
END $$;
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in TABLES:
        bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    bind.exec_driver_sql(DROP_FUNCTIONS.replace("%", "%%"))
    for name in TYPES:
        bind.exec_driver_sql(f"DROP TYPE IF EXISTS {name} CASCADE")
