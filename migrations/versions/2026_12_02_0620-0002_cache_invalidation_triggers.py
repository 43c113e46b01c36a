"""cache invalidation triggers: every committed UPDATE/DELETE of a cached table notifies the API processes

The API keeps per-process read caches of API keys and trainings (``shared/cache.py``). A trigger, not
application code, sends the notification, so no code path (worker, CLI, a manual fix in psql) can change a
cached row without every process hearing of it at commit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 06:20:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CACHED_TABLES = ("api_keys", "trainings")


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION fotogen_notify_invalidate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('fotogen_invalidate', TG_TABLE_NAME || ':' || OLD.id);
            RETURN NULL;
        END
        $$
        """
    )
    for table in CACHED_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_invalidate AFTER UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION fotogen_notify_invalidate()"
        )


def downgrade() -> None:
    for table in CACHED_TABLES:
        op.execute(f"DROP TRIGGER {table}_invalidate ON {table}")
    op.execute("DROP FUNCTION fotogen_notify_invalidate()")
